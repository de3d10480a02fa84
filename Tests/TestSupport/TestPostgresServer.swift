import Foundation
import Testing

/// A throwaway PostgreSQL server for the tests: made in a temporary directory by
/// `initdb` (trust login, no fsync), listening on a Unix socket in that directory
/// only, with one database; one per test process, started the first time a suite
/// asks for it and shared by every suite after.
///
/// `initdb` refuses root, so as root the directory is given to the `postgres` user
/// (Debian's package makes it) and the server's programs run as that user
/// (`runuser`). It ends with the test process, however that ends: a watcher, a
/// child shell whose standard input is a pipe only this process writes to, sees
/// the pipe close (this process exited, or was killed) and stops the server
/// (`pg_ctl stop -m immediate`) and removes the directory; at a normal exit this
/// process closes the pipe itself and waits for the watcher to finish.
///
/// Where PostgreSQL is not installed the suites that need it are skipped with
/// `skipComment`, unless `WAREHOUSE_REQUIRE_POSTGRESQL=1` (CI: `.ci/run`): then
/// they run and fail, saying what is missing.
public final class TestPostgresServer: @unchecked Sendable {
    // Safe: every property is set once, before the server is shared.
    /// The directory of the server's socket (`DIR/.s.PGSQL.PORT`).
    public let socketDirectory: String
    public let port: Int
    /// Where the server also listens over TCP (a Citus node: the nodes reach each other so), else nil.
    public let host: String?
    public let user = "postgres"
    public let database = "warehouse_tests"
    /// The server's major version (`15`).
    public let version: String
    /// How long making and starting it took.
    public let startSeconds: Double
    private let watcher: Process
    private let watcherInput: Pipe

    /// A `--db` URL of a warehouse in `schema` of the server's database, over its socket.
    public func url(schema: String) -> String {
        "postgresql://\(user)@/\(database)?host=\(socketDirectory)&port=\(port)&schema=\(schema)"
    }

    /// The test process's server, started on first use. Throws why it could not start.
    public static func shared() throws -> TestPostgresServer {
        try started.get()
    }

    private static let started: Result<TestPostgresServer, Error> = Result { try TestPostgresServer() }

    /// Whether the suites that need a server run: PostgreSQL is installed, or CI requires it.
    public static var enabled: Bool { required || binDirectory != nil }

    /// CI says the PostgreSQL tests must run (`WAREHOUSE_REQUIRE_POSTGRESQL=1`).
    public static var required: Bool {
        ProcessInfo.processInfo.environment["WAREHOUSE_REQUIRE_POSTGRESQL"].map { !$0.isEmpty && $0 != "0" } ?? false
    }

    public static let skipComment: Comment =
        "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin): Scripts/install-deps installs it; CI sets WAREHOUSE_REQUIRE_POSTGRESQL=1 so these run there"

    /// The newest `/usr/lib/postgresql/VERSION/bin` that holds `initdb` and `pg_ctl`.
    static let binDirectory: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap { version -> (Int, String)? in
            let bin = "\(root)/\(version)/bin"
            guard let number = Int(version), FileManager.default.isExecutableFile(atPath: bin + "/initdb"),
                  FileManager.default.isExecutableFile(atPath: bin + "/pg_ctl") else { return nil }
            return (number, bin)
        }.max { $0.0 < $1.0 }?.1
    }()

    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// `port`: the server listens on the loopback interface too, on that port.
    /// `settings`: more `-c NAME=VALUE` options for the server.
    init(port: Int? = nil, settings: [String] = []) throws {
        let started = Date()
        guard let bin = Self.binDirectory else {
            throw StartFailure(description: "WAREHOUSE_REQUIRE_POSTGRESQL is set but PostgreSQL is not installed: no initdb and pg_ctl under /usr/lib/postgresql/*/bin (Scripts/install-deps installs Debian's postgresql)")
        }
        let root = geteuid() == 0
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("warehouse-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        if root {
            guard let owner = getpwnam("postgres") else {
                try? FileManager.default.removeItem(atPath: directory)
                throw StartFailure(description: "running as root, and there is no postgres user to run the test server as (initdb refuses root)")
            }
            chown(directory, owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        let data = directory + "/data"
        // As the postgres user when root; as this user otherwise.
        func command(_ program: String, _ arguments: [String]) -> [String] {
            let path = "\(bin)/\(program)"
            return root ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments
        }

        // The watcher first, so that whatever happens next is cleaned up: if this
        // initializer throws, the pipe is released and closed, and the watcher cleans up.
        let stop = command("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).map(Self.shellQuoted).joined(separator: " ")
        let script = "trap '' HUP INT TERM; read -r _; \(stop) >/dev/null 2>&1; rm -rf \(Self.shellQuoted(directory))"
        let input = Pipe()
        // Only this process may hold the pipe's write end (not the server, not other children).
        _ = fcntl(input.fileHandleForWriting.fileDescriptor, F_SETFD, FD_CLOEXEC)
        _ = fcntl(input.fileHandleForReading.fileDescriptor, F_SETFD, FD_CLOEXEC)
        let watcher = Process()
        // In a session of its own (setsid -w waits for it), out of reach of a signal to the tests' process group.
        let setsid = ["/usr/bin/setsid", "/bin/setsid"].first { FileManager.default.isExecutableFile(atPath: $0) }
        watcher.executableURL = URL(fileURLWithPath: setsid ?? "/bin/sh")
        watcher.arguments = (setsid == nil ? [] : ["-w", "/bin/sh"]) + ["-c", script]
        watcher.standardInput = input
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()

        try Self.run(command("initdb", ["-D", data, "-A", "trust", "--no-sync", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"]), "initdb")
        let listen = port.map { "-p \($0) -c listen_addresses='127.0.0.1'" } ?? "-c listen_addresses=''"
        let options = "-k \(directory) \(listen) -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            + settings.map { " -c \($0)" }.joined()
        // Through bash, which closes every descriptor but the first three before it runs
        // pg_ctl: the server it leaves running would hold the one Foundation's Process
        // watches for its child's end, and the wait for pg_ctl would last as long as the server.
        let closeAndRun = "for fd in /proc/$$/fd/*; do n=${fd##*/}; [ \"$n\" -gt 2 ] && eval \"exec $n>&-\"; done 2>/dev/null; exec \"$@\""
        startCommand = ["/bin/bash", "-c", closeAndRun, "bash"]
            + command("pg_ctl", ["-D", data, "-l", directory + "/server.log", "-o", options, "-w", "-t", "60", "start"])
        stopCommand = command("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
        try Self.run(startCommand, "pg_ctl start", log: directory + "/server.log")
        try Self.run(command("createdb", ["-h", directory, "-p", String(port ?? 5432), "-U", "postgres", "warehouse_tests"]), "createdb")
        self.port = port ?? 5432
        self.host = port == nil ? nil : "127.0.0.1"
        self.bin = bin
        self.asPostgres = root

        self.version = URL(fileURLWithPath: bin).deletingLastPathComponent().lastPathComponent
        self.socketDirectory = directory
        self.watcher = watcher
        self.watcherInput = input
        self.startSeconds = Date().timeIntervalSince(started)
        Self.lock.withLock {
            if Self.running.isEmpty { atexit { TestPostgresServer.stopAtExit() } }
            Self.running.append(self)
        }
    }

    /// Another server, for a test that stops and starts it (`stop`, `start`); ends as the shared one does.
    public static func dedicated() throws -> TestPostgresServer { try TestPostgresServer() }

    private let bin: String
    private let asPostgres: Bool

    /// Runs `sql` in the test database with `psql` (stops at the first error).
    public func psql(_ sql: String) throws {
        let path = "\(bin)/psql"
        let arguments = ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", user, "-d", database, "-c", sql]
        try Self.run(asPostgres ? ["/usr/sbin/runuser", "-u", "postgres", "--", path] + arguments : [path] + arguments, "psql")
    }

    private let startCommand: [String]
    private let stopCommand: [String]

    /// Stops the server (`pg_ctl stop -m fast`: the sessions are ended, what was committed kept).
    public func stop() throws { try Self.run(stopCommand, "pg_ctl stop") }

    /// Starts the stopped server again.
    public func start() throws { try Self.run(startCommand, "pg_ctl start", log: socketDirectory + "/server.log") }

    /// The servers this process started, for the exit handler.
    nonisolated(unsafe) private static var running: [TestPostgresServer] = []
    private static let lock = NSLock()

    private static func stopAtExit() {
        let servers = lock.withLock { () -> [TestPostgresServer] in
            defer { running = [] }
            return running
        }
        for server in servers {
            try? server.watcherInput.fileHandleForWriting.close()
            server.watcher.waitUntilExit()
        }
    }

    /// Runs a program to its end; throws with its output when it fails. The output
    /// goes to a file, not a pipe, which a server left running would hold open.
    private static func run(_ arguments: [String], _ name: String, log: String? = nil) throws {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-pg-\(name.replacingOccurrences(of: " ", with: "-"))-\(UUID().uuidString).log").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let output = FileHandle(forWritingAtPath: outputPath) else {
            throw StartFailure(description: "\(name): cannot write its output to \(outputPath)")
        }
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try? output.close()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            let serverLog = log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            throw StartFailure(description: "\(name) failed (\(process.terminationStatus)): \(text)\(serverLog)")
        }
    }

    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
