import Foundation
import Testing
import TestSupport
import WarehouseCore

// Issue 6: when the warehouse cannot be written (read-only file or folder, a
// directory in its place, a full disk, another process holding it), `warehouse
// load` says so clearly and fails, and the warehouse is left as it was and
// usable; readers work while a load runs. Every case runs the real binary.

/// Runs the binary as a user that file permissions bind. Root ignores them, so
/// as root the child runs as `nobody` through util-linux `setpriv`, from a copy
/// of the binary any user can run.
enum Unprivileged {
    static let isRoot = geteuid() == 0
    static let setpriv: String? = ["/usr/bin/setpriv", "/bin/setpriv", "/usr/sbin/setpriv"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    /// Whether permissions can be tested here.
    static let available = !isRoot || setpriv != nil
    static let uid: uid_t = isRoot ? 65534 : getuid()
    static let gid: gid_t = isRoot ? 65534 : getgid()

    private static let binaryCopy: Result<URL, Error> = Result {
        let exports = try GeneratedExports.shared()
        let copy = exports.root.appendingPathComponent("warehouse-binary")
        try FileManager.default.copyItem(at: Binary.url, to: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
        return copy
    }

    /// Makes `path` belong to the user the child runs as.
    static func own(_ path: String) throws {
        guard isRoot else { return }
        guard chown(path, uid, gid) == 0 else { throw WarehouseError("chown \(path): \(String(cString: strerror(errno)))") }
    }

    static func run(_ arguments: [String], in directory: URL, timeout: TimeInterval = 120) throws -> ChildResult {
        guard isRoot, let setpriv else { return try Child.run(arguments, in: directory, timeout: timeout) }
        return try Child.run(URL(fileURLWithPath: setpriv),
                             ["--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", try binaryCopy.get().path] + arguments,
                             in: directory, timeout: timeout)
    }
}

/// A small tmpfs in a private mount namespace (`unshare -m`): a real full disk.
/// Needs root (or the right to mount), so where it is missing the test that uses it is off.
enum SmallFileSystem {
    static let unshare: String? = ["/usr/bin/unshare", "/bin/unshare"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static let available: Bool = {
        guard geteuid() == 0, let unshare else { return false }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-tmpfs-probe-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try? Child.run(URL(fileURLWithPath: unshare),
                               ["-m", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\" && touch \"$0/x\"", dir.path],
                               in: dir, timeout: 20)
        return r?.status == 0
    }()
}

@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct ResourceFaultTests {
    let scratch: Scratch
    init() throws { scratch = try Scratch() }

    var messagesFile: String { get throws { try GeneratedExports.shared().file(GeneratedExports.shared().second, "messages.csv") } }

    /// A copy of the base warehouse in its own folder: (folder, warehouse path).
    func warehouse(_ name: String = "wh") throws -> (URL, URL) {
        let dir = scratch.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("w.db")
        try GeneratedExports.shared().copyWarehouse(to: db)
        return (dir, db)
    }

    /// The error is clear: no trap or stack trace, and it says what happened.
    func expectClearError(_ r: ChildResult, saying words: [String], naming names: [String],
                          sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status != 0, "the command should fail", sourceLocation: sourceLocation)
        #expect(r.signal == nil && !r.timedOut, "ended by signal \(r.signal ?? 0), timed out: \(r.timedOut)", sourceLocation: sourceLocation)
        #expect(r.stderrIsClean, "a trap or stack trace: \(r.stderr)", sourceLocation: sourceLocation)
        let text = r.stderr.lowercased()
        #expect(words.contains { text.contains($0.lowercased()) },
                "the error should say \(words.joined(separator: " or ")): \(r.stderr)", sourceLocation: sourceLocation)
        for name in names {
            #expect(r.stderr.contains(name), "the error should name \(name): \(r.stderr)", sourceLocation: sourceLocation)
        }
    }

    /// No load of the warehouse at `db` was recorded as loaded beyond `before`.
    func loadedRows(_ db: URL) throws -> Int {
        try WarehouseDigest.loads(db.path).filter { $0.status == "loaded" }.count
    }

    // MARK: Read-only

    enum ReadOnly: String, CaseIterable, CustomTestStringConvertible {
        case file = "warehouse file 0444"
        case folder = "folder 0555 (no WAL or SHM file can be made)"
        case both = "file 0444 in a folder 0555"
        var testDescription: String { rawValue }
    }

    @Test(.enabled(if: Unprivileged.available, "as root, needs setpriv to run the binary as nobody"),
          arguments: ReadOnly.allCases)
    func aReadOnlyWarehouseIsRefusedAndStaysUsable(_ mode: ReadOnly) throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let (dir, db) = try warehouse()
        try Unprivileged.own(dir.path)
        try Unprivileged.own(db.path)
        let before = try WarehouseDigest.read(db.path).digest
        let loadedBefore = try loadedRows(db)

        if mode != .folder { try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db.path) }
        if mode != .file { try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path) }
        let refused = try Unprivileged.run(["load", "--db", db.path, file], in: dir)
        expectClearError(refused, saying: ["cannot be written", "read-only", "readonly", "permission"], naming: [])
        #expect(refused.stderr.contains("warehouse") || refused.stderr.contains(db.path), "the error should say it is the warehouse: \(refused.stderr)")

        // The user makes it writable again: the next load works.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: db.path)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0 != "w.db" }.sorted()
        let later = try Unprivileged.run(["load", "--db", db.path, file], in: dir)
        #expect(later.status == 0, """
            once the warehouse is writable again a load should work; it says: \(later.stderr.trimmingCharacters(in: .whitespacesAndNewlines)) \
            (files the refused load left beside it: \(leftovers))
            """)

        let (integrity, after) = try WarehouseDigest.read(db.path)
        #expect(integrity == "ok")
        if later.status == 0 {
            let expected = try exports.reference(loading: [file])
            #expect(after.data == expected.data, "\(after.data.difference(from: expected.data))")
            #expect(try loadedRows(db) == loadedBefore + 1)
        } else {
            #expect(after.data == before.data, "the refused load changed the warehouse: \(after.data.difference(from: before.data))")
            #expect(try loadedRows(db) == loadedBefore)
        }
    }

    // MARK: Not a warehouse file

    @Test func aDirectoryWhereTheWarehouseShouldBe() throws {
        let file = try messagesFile
        let dir = scratch.url.appendingPathComponent("w.db")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let r = try Child.run(["load", "--db", "w.db", file], in: scratch.url)
        expectClearError(r, saying: ["directory"], naming: ["w.db"])
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // A warehouse file beside it works.
        let ok = try Child.run(["load", "--db", "other.db", file], in: scratch.url)
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func aFileThatIsNotAWarehouseIsLeftAlone() throws {
        let file = try messagesFile
        let notes = try scratch.write("notes.db", "User ID,Email\n1,a@example.com\n")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: notes))
        let r = try Child.run(["load", "--db", notes, file], in: scratch.url)
        expectClearError(r, saying: ["not a database", "not a warehouse"], naming: ["notes.db"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: notes)) == bytes)
        let inFolderThatIsMissing = try Child.run(["load", "--db", "no/such/folder/w.db", file], in: scratch.url)
        expectClearError(inFolderThatIsMissing, saying: ["cannot open", "no such"], naming: ["no/such/folder/w.db"])
    }

    // MARK: Disk full

    /// `ulimit -f` (RLIMIT_FSIZE) on the child, with SIGXFSZ ignored so that the
    /// write that crosses the limit fails (EFBIG) instead of killing it: a full
    /// disk that any user can make.
    @Test func aFileSizeLimitFailsTheLoadCleanly() throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let (dir, db) = try warehouse()
        let before = try WarehouseDigest.read(db.path).digest
        let loadedBefore = try loadedRows(db)
        // 1024 blocks: 512 KiB (dash counts 512-byte blocks; 1 MiB where a shell counts KiB). The
        // messages file alone is larger than that, and its load writes more.
        let r = try Child.run(URL(fileURLWithPath: "/bin/sh"),
                              ["-c", "trap '' XFSZ; ulimit -f 1024 && exec \"$0\" \"$@\"", Binary.url.path, "load", "--db", db.path, file],
                              in: dir)
        try #require(r.status != 0 || r.signal != nil, "the load should have hit the file size limit: \(r.stdout)")
        expectClearError(r, saying: ["full", "too large", "size limit", "no space"], naming: ["messages.csv"])

        let (integrity, after) = try WarehouseDigest.read(db.path)
        #expect(integrity == "ok")
        #expect(after.data == before.data, "\(after.data.difference(from: before.data))")
        #expect(try loadedRows(db) == loadedBefore)

        let later = try Child.run(["load", "--db", db.path, file], in: dir)
        #expect(later.status == 0, "\(later.stderr)")
        let (integrityLater, afterLater) = try WarehouseDigest.read(db.path)
        #expect(integrityLater == "ok")
        let expected = try exports.reference(loading: [file])
        #expect(afterLater.data == expected.data, "\(afterLater.data.difference(from: expected.data))")
    }

    /// A real full disk (ENOSPC): the warehouse on a tmpfs a little larger than
    /// it, in a private mount namespace; then the file system grows and the load
    /// is run again.
    @Test(.enabled(if: SmallFileSystem.available, "needs root and unshare to mount a small tmpfs"))
    func aFullDiskFailsTheLoadCleanly() throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let out = scratch.url.appendingPathComponent("out")
        let mountPoint = scratch.url.appendingPathComponent("mnt")
        for d in [out, mountPoint, out.appendingPathComponent("failed")] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        let baseSize = (try FileManager.default.attributesOfItem(atPath: exports.base.path)[.size] as? Int) ?? 0
        let size = (baseSize + 192 * 1024 + 4095) / 4096 * 4096
        let script = try scratch.write("full.sh", """
            mnt="$1"; base="$2"; bin="$3"; csv="$4"; out="$5"; size="$6"
            mount -t tmpfs -o size="$size" tmpfs "$mnt" || exit 90
            cp "$base" "$mnt/w.db" || exit 91
            "$bin" load --db "$mnt/w.db" "$csv" >"$out/full.out" 2>"$out/full.err"; echo $? >"$out/full.status"
            cp "$mnt"/w.db* "$out/failed/"
            mount -o remount,size=256m "$mnt" || exit 92
            "$bin" load --db "$mnt/w.db" "$csv" >"$out/later.out" 2>"$out/later.err"; echo $? >"$out/later.status"
            cp "$mnt/w.db" "$out/later.db"
            """)
        let r = try Child.run(URL(fileURLWithPath: SmallFileSystem.unshare!),
                              ["-m", "/bin/sh", script, mountPoint.path, exports.base.path, Binary.url.path, file, out.path, "\(size)"],
                              in: scratch.url)
        try #require(r.status == 0, "the script failed (\(r.status)): \(r.stderr)")
        func read(_ name: String) -> String { (try? String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        let full = ChildResult(status: Int32(read("full.status").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1,
                               signal: nil, stdout: read("full.out"), stderr: read("full.err"), seconds: 0, timedOut: false)
        try #require(full.status != 0, "the load should have filled the disk: \(full.stdout)")
        expectClearError(full, saying: ["full", "no space"], naming: ["messages.csv"])

        let before = try WarehouseDigest.read(exports.base.path).digest
        let (integrity, failed) = try WarehouseDigest.read(out.appendingPathComponent("failed/w.db").path)
        #expect(integrity == "ok")
        #expect(failed.data == before.data, "\(failed.data.difference(from: before.data))")

        #expect(read("later.status").hasPrefix("0"), "once there is room the load should work: \(read("later.err"))")
        let (integrityLater, later) = try WarehouseDigest.read(out.appendingPathComponent("later.db").path)
        #expect(integrityLater == "ok")
        let expected = try exports.reference(loading: [file])
        #expect(later.data == expected.data, "\(later.data.difference(from: expected.data))")
    }

    // MARK: Another process

    /// Another process holds a write transaction for longer than the busy
    /// timeout: the load gives up with a clear "locked" error and nothing of it
    /// stays; once the other process is done, the load works.
    @Test func aWarehouseLockedByAnotherProcess() throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let (dir, db) = try warehouse()
        let before = try WarehouseDigest.read(db.path).digest
        let loadedBefore = try loadedRows(db)
        do {
            let holder = try Database(path: db.path)
            try holder.execute("BEGIN IMMEDIATE")
            try holder.execute("INSERT INTO settings(key, value) VALUES ('fault-test', 'held')")
            let r = try Child.run(["load", "--db", db.path, file], in: dir, timeout: 90)
            try holder.execute("ROLLBACK")
            expectClearError(r, saying: ["locked", "busy"], naming: [])
            #expect(r.seconds >= 4, "it should wait for the other process (busy timeout) first: gave up after \(r.seconds) s")
            #expect(r.stdout.isEmpty || !r.stdout.contains("inserted"), "\(r.stdout)")
        }
        let (integrity, after) = try WarehouseDigest.read(db.path)
        #expect(integrity == "ok")
        #expect(after.data == before.data, "\(after.data.difference(from: before.data))")
        #expect(try loadedRows(db) == loadedBefore)

        let later = try Child.run(["load", "--db", db.path, file], in: dir)
        #expect(later.status == 0, "\(later.stderr)")
        let expected = try exports.reference(loading: [file])
        #expect(try WarehouseDigest.read(db.path).digest.data == expected.data)
    }

    /// Another process holds a write transaction for a moment: the load waits for it and succeeds.
    @Test func aLoadWaitsForAnotherWriter() throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let (dir, db) = try warehouse()
        do {
            let holder = try Database(path: db.path)
            try holder.execute("BEGIN IMMEDIATE")
            try holder.execute("INSERT INTO settings(key, value) VALUES ('fault-test', 'held')")
            let child = try Child(executable: Binary.url, arguments: ["load", "--db", db.path, file], in: dir)
            usleep(1_500_000)
            #expect(child.isRunning, "the load should wait for the other writer")
            try holder.execute("ROLLBACK")
            let r = child.wait(timeout: 90)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderrIsClean)
        }
        let (integrity, after) = try WarehouseDigest.read(db.path)
        #expect(integrity == "ok")
        let expected = try exports.reference(loading: [file])
        #expect(after.data == expected.data, "\(after.data.difference(from: expected.data))")
        #expect(try WarehouseDigest.read(db.path).digest.tables["settings"] == expected.tables["settings"])
    }

    /// Two `warehouse load` commands of the same file at once: the second waits
    /// for the first; each record is there once. One of them loads the file;
    /// the other finds it unchanged, or, when the first holds the warehouse
    /// longer than the busy timeout, is refused as locked after waiting for it
    /// (never at once, and never both).
    @Test func twoLoadsAtOnce() throws {
        let exports = try GeneratedExports.shared()
        let file = try messagesFile
        let (dir, db) = try warehouse()
        let a = try Child(executable: Binary.url, arguments: ["load", "--db", db.path, file], in: dir)
        let b = try Child(executable: Binary.url, arguments: ["load", "--db", db.path, file], in: dir)
        let (ra, rb) = (a.wait(timeout: 90), b.wait(timeout: 90))
        for r in [ra, rb] {
            #expect(r.stderrIsClean, "\(r.stderr)")
            if r.status != 0 {
                #expect(r.stderr.contains("locked"), "\(r.stderr)")
                #expect(r.seconds >= 4, "refused after \(r.seconds) s: it should wait for the other load (busy timeout) first")
            }
        }
        let (integrity, after) = try WarehouseDigest.read(db.path)
        #expect(integrity == "ok")
        let expected = try exports.reference(loading: [file])
        #expect(after.data == expected.data, "\(after.data.difference(from: expected.data))")
        let succeeded = [ra, rb].filter { $0.status == 0 }
        #expect(!succeeded.isEmpty, "neither load worked: \(ra.stderr) / \(rb.stderr)")
        // Exactly one loaded the file; the other, if it ran, found every record unchanged.
        let lines = succeeded.flatMap { $0.stdout.split(separator: "\n").filter { $0.hasPrefix("messages.csv:") } }
        #expect(lines.count == succeeded.count, "\(lines)")
        #expect(lines.filter { !$0.contains(" 0 inserted, 0 updated, ") }.count == 1, "\(lines)")
    }

    // MARK: Readers

    /// The first load, which creates the warehouse and writes it without the
    /// write-ahead log: a reader during it sees the warehouse as after whole
    /// files or is told that the load keeps it out (or, while it makes the
    /// schema, that the warehouse is locked), never another error; after
    /// it, the warehouse uses the write-ahead log.
    @Test func readersDuringTheFirstLoadSeeWholeFilesOrAreToldWhy() throws {
        let exports = try GeneratedExports.shared()
        let dir = scratch.url.appendingPathComponent("first-load")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let db = dir.appendingPathComponent("new.db")
        // Exports large enough for a load of several seconds.
        let made = try Child.run(["generate", "--out", dir.path, "--contacts", "2500", "--seed", "3", "--quiet"], in: dir)
        try #require(made.status == 0, "\(made.stderr)")
        let countSQL = "SELECT count(*) AS n, (SELECT count(*) FROM fact_conversation) AS c FROM fact_message"
        let writer = try Child(executable: Binary.url, arguments: ["load", "--db", db.path] + exports.files(dir), in: dir)
        var seen: Set<String> = []
        var toldWhy = 0
        var rounds = 0
        while writer.isRunning && rounds < 200 {
            rounds += 1
            let r = try Child.run(["sql", "--db", db.path, "--format", "csv", countSQL], in: dir, timeout: 60)
            #expect(r.stderrIsClean, "\(r.stderr)")
            if r.status == 0 {
                seen.insert(r.stdout)
            } else if r.stderr.contains("is being created by a load") || r.stderr.contains("is locked by another process") {
                toldWhy += 1
            } else {
                // Only before the load has made the file and its schema.
                #expect(seen.isEmpty && toldWhy == 0 && (r.stderr.contains("no warehouse at") || r.stderr.contains("no schema")),
                        "a reader during the first load: \(r.stderr)")
            }
        }
        let w = writer.wait(timeout: 120)
        #expect(w.status == 0, "\(w.stderr)")
        let after = try Child.run(["sql", "--db", db.path, "--format", "csv", countSQL], in: dir)
        let parts = after.stdout.split(separator: "\n").last!.split(separator: ",")
        // Files load by name: conversations before messages.
        let wholeFiles: Set<String> = ["n,c\n0,0\n", "n,c\n0,\(parts[1])\n", after.stdout]
        #expect(seen.isSubset(of: wholeFiles), "readers saw \(seen.subtracting(wholeFiles))")
        print("first load (\(String(format: "%.1f", w.seconds)) s): readers saw \(seen.sorted()) and were told why \(toldWhy) times")
        #expect(seen.count + toldWhy >= 1, "no reader finished while the load ran (the load took \(w.seconds) s)")
        let mode = try Child.run(["sql", "--db", db.path, "--format", "csv", "PRAGMA journal_mode"], in: dir)
        #expect(mode.stdout == "journal_mode\nwal\n")
    }

    /// `warehouse sql` and `warehouse report overview` work while a long load
    /// runs, and see the warehouse as before the load or as after it.
    @Test func readersWorkWhileALoadRuns() throws {
        let exports = try GeneratedExports.shared()
        let big = exports.file(exports.big, "messages.csv")
        let (dir, db) = try warehouse()
        let countSQL = "SELECT count(*) AS n, (SELECT count(*) FROM fact_conversation) AS c FROM fact_message"
        let before = try Child.run(["sql", "--db", db.path, countSQL], in: dir)
        #expect(before.status == 0)

        let writer = try Child(executable: Binary.url, arguments: ["load", "--db", db.path, big], in: dir)
        var seen: [String] = []
        var duringLoad = 0
        var rounds = 0
        while writer.isRunning && rounds < 200 {
            rounds += 1
            let count = try Child.run(["sql", "--db", db.path, countSQL], in: dir, timeout: 60)
            #expect(count.status == 0 && count.stderrIsClean, "sql during a load: \(count.stderr)")
            seen.append(count.stdout)
            let report = try Child.run(["report", "overview", "--db", db.path, "--format", "csv"], in: dir, timeout: 60)
            #expect(report.status == 0 && report.stderrIsClean, "report during a load: \(report.stderr)")
            #expect(report.stdout.hasPrefix("kpi,value"), "\(report.stdout.prefix(200))")
            if writer.isRunning { duringLoad += 1 }
        }
        let w = writer.wait(timeout: 120)
        #expect(w.status == 0, "\(w.stderr)")
        let after = try Child.run(["sql", "--db", db.path, countSQL], in: dir)
        #expect(duringLoad >= 1, "no reader finished while the load ran (the load took \(w.seconds) s)")
        for s in seen {
            #expect(s == before.stdout || s == after.stdout, "a reader saw \(s) (before: \(before.stdout), after: \(after.stdout))")
        }
        #expect(before.stdout != after.stdout)
    }
}
