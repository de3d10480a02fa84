import Foundation

/// Runs tests of this test process again as the user nobody, for a case that
/// root passes whatever the code does (root may write a file of mode 0444):
/// as root, through util-linux `setpriv --reuid --regid --clear-groups` (as
/// ShellOutputTests runs the shell), in a new process of this test binary
/// that runs only those tests. Not root, a case simply runs as it is.
public enum AsNobody {
    public static let isRoot = geteuid() == 0
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// nobody and nogroup.
    static let uid = 65534, gid = 65534
    /// Whether a case that needs a user whom file permissions bind can run here.
    public static let available = !isRoot || setpriv != nil

    /// Runs the tests whose ID matches `filter` (swift-testing's `--filter`)
    /// in a new process of this test binary, as nobody: its exit status and output.
    public static func runTests(matching filter: String) throws -> (status: Int32, output: String) {
        guard let setpriv else { throw MissingTool() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: setpriv)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        process.arguments = ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", binary,
                             "--testing-library", "swift-testing", "--filter", filter]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    struct MissingTool: Error, CustomStringConvertible {
        var description: String { "setpriv (util-linux) is needed to run a test as nobody" }
    }
}
