import Foundation
import Testing
import TestSupport
import WarehouseCore

// Issue 19: the shell's .once and .output write to the file they are given, as
// sqlite3 does: through a symbolic link, into a named pipe or a device, an
// existing file in place; what cannot be written is one error line (the path
// and the system's reason) and the shell goes on. Each case runs the binary as
// a user would, dot commands on standard input. Device nodes are made in the
// test's own folder, never the machine's /dev.

@Suite struct ShellOutputTests {
    let s: Scratch

    init() throws {
        s = try Scratch()
        try #require(try s.loadFixtures().status == 0)
    }

    func path(_ name: String) -> String { s.url.appendingPathComponent(name).path }

    /// The shell over the fixture warehouse, in csv mode, with `script` on standard input.
    func shell(_ script: String, db: String = "w.db", output: FileHandle? = nil, command: [String] = []) throws -> Run {
        try Binary.run(["shell", "--db", db], in: s.url, input: ".mode csv\n" + script + "\n", output: output, command: command)
    }

    @Test func aLinkAPipeAndAnExistingFileAreWrittenInPlace() throws {
        let target = try s.write("target.txt", "the target's old text\n")
        let link = path("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
        let existing = try s.write("existing.txt", "a longer text that was there before\n")
        let existingBefore = try #require(PathInfo(existing))
        let fifo = path("fifo")
        try #require(mkfifo(fifo, 0o644) == 0)
        let reader = PipeReader(fifo)
        let r = try shell("""
            .once \(link)
            SELECT 1 AS one;
            .once \(fifo)
            SELECT 2 AS two;
            .output \(existing)
            SELECT 3 AS three;
            SELECT 4 AS four;
            .output stdout
            SELECT 5 AS five;
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "five\n5\n")
        #expect(PathInfo(link)?.isSymlink == true)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.txt")
        #expect(contents(target) == "one\n1\n")
        #expect(reader.text() == "two\n2\n")
        #expect(PathInfo(fifo)?.isFIFO == true)
        #expect(contents(existing) == "three\n3\nfour\n4\n")
        #expect(PathInfo(existing) == existingBefore, "the same file (inode and mode), not a new one")
    }

    @Test(.enabled(if: DeviceNodes.available, "needs root (mknod) to make null and full devices in the test's own folder"))
    func devicesStayDevicesAndAFullOneIsAnErrorLine() throws {
        let null = path("null"), full = path("full")
        try DeviceNodes.make(null, DeviceNodes.null)
        try DeviceNodes.make(full, DeviceNodes.full)
        let r = try shell("""
            .once \(null)
            SELECT 1 AS one;
            .output \(null)
            SELECT 2 AS two;
            .once \(full)
            SELECT 3 AS three;
            .output \(full)
            SELECT 4 AS four; SELECT 5 AS five;
            .tables
            .output stdout
            SELECT 6 AS six;
            """)
        #expect(r.status == 1)
        // One line for each statement or command whose output was lost, no trap.
        #expect(r.stderr == String(repeating: "Error: cannot write \(full): No space left on device\n", count: 3))
        #expect(r.stdout == "six\n6\n")
        for (device, number) in [(null, DeviceNodes.null), (full, DeviceNodes.full)] {
            #expect(PathInfo(device)?.isCharacterDevice == true, "\(device)")
            #expect(PathInfo(device)?.device == DeviceNodes.number(number), "\(device)")
        }
    }

    @Test func aFileInAMissingFolderIsOneErrorLineAndTheShellGoesOn() throws {
        let missing = path("no/such/folder/out.csv")
        let r = try shell("""
            .once \(missing)
            SELECT 1 AS one;
            .output \(missing)
            SELECT 2 AS two;
            """)
        #expect(r.status == 1)
        #expect(r.stderr == String(repeating: "Error: cannot write \(missing): No such file or directory\n", count: 2))
        #expect(r.stdout == "one\n1\ntwo\n2\n")
        #expect(PathInfo(path("no")) == nil)
    }

    /// Root may write any file, so as root the shell runs as nobody (util-linux
    /// setpriv), from a copy of the binary, in a folder of nobody's.
    @Test(.enabled(if: Unprivileged.available, "as root, needs setpriv to run the shell as nobody"))
    func aReadOnlyFileIsOneErrorLineAndIsLeftAlone() throws {
        let dir = s.url.appendingPathComponent("nobody")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("w.db").path
        try FileManager.default.copyItem(atPath: path("w.db"), toPath: db)
        let file = dir.appendingPathComponent("ro.csv").path
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: file))
        var command: [String] = []
        if Unprivileged.isRoot, let setpriv = Unprivileged.setpriv {
            let copy = dir.appendingPathComponent("warehouse").path
            try FileManager.default.copyItem(atPath: Binary.url.path, toPath: copy)
            for owned in [dir.path, db, file, copy] { try Unprivileged.own(owned) }
            command = [setpriv, "--reuid=\(Unprivileged.uid)", "--regid=\(Unprivileged.gid)", "--clear-groups", copy]
        }
        try #require(chmod(file, 0o444) == 0)
        let before = try #require(PathInfo(file))
        let r = try shell("""
            .once \(file)
            SELECT 1 AS one;
            .output \(file)
            SELECT 2 AS two;
            """, db: db, command: command)
        #expect(r.status == 1)
        #expect(r.stderr == String(repeating: "Error: cannot write \(file): Permission denied\n", count: 2))
        #expect(r.stdout == "one\n1\ntwo\n2\n")
        #expect(contents(file) == "kept\n")
        #expect(PathInfo(file) == before)
    }

    /// The file standard output goes to (what /dev/stdout names; the test
    /// does not touch the machine's /dev) is written through that output.
    @Test func theFileStandardOutputGoesToIsWrittenThroughIt() throws {
        let out = try s.write("out.csv", "")
        let handle = try #require(FileHandle(forWritingAtPath: out))
        let r = try shell("""
            SELECT 1 AS a;
            .once \(out)
            SELECT 2 AS b;
            .output \(out)
            SELECT 3 AS c;
            .output stdout
            SELECT 4 AS d;
            """, output: handle)
        try handle.close()
        #expect(r.status == 0, "\(r.stderr)")
        // Opened again, the file would have been truncated and written over from its start.
        #expect(contents(out) == "a\n1\nb\n2\nc\n3\nd\n4\n")
    }
}
