import Foundation
import TestSupport
import Testing
import WarehouseCore

// Issue 6: a load killed at any moment leaves the warehouse exactly as it was
// before a file or exactly as after it, never a part, and the warehouse stays
// usable. The helpers here (child processes with a time limit, digests of a
// warehouse's whole content, generated export sets) are shared with
// ResourceFaultTests.swift.

/// kill(2): outside `Child`, whose own `kill` would hide it.
private func sendSignal(_ pid: Int32, _ signal: Int32) { _ = kill(pid, signal) }

/// What a child process did.
struct ChildResult {
    let status: Int32
    /// The signal that ended it, when one did.
    let signal: Int32?
    let stdout: String
    let stderr: String
    let seconds: Double
    /// Ended by the time limit (then killed).
    let timedOut: Bool

    /// Standard error carries no sign of a Swift trap or a crash.
    var stderrIsClean: Bool {
        !stderr.contains("Fatal error") && !stderr.contains("Stack dump") && !stderr.contains("Backtrace")
            && !stderr.contains("Segmentation fault") && !stderr.contains("Illegal instruction")
    }
}

/// A started child process whose output goes to files (so it can be killed at
/// any moment without a pipe to drain).
final class Child {
    let process = Process()
    let outURL: URL
    let errURL: URL
    let started: Date

    init(executable: URL, arguments: [String], in directory: URL, environment: [String: String] = [:]) throws {
        // Beside neither the warehouse nor the exports: their folder may be read-only.
        let id = UUID().uuidString
        outURL = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-child-\(id).out")
        errURL = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-child-\(id).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WAREHOUSE_DB")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        started = Date()
        try ChildProcesses.run(process)
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    func kill(_ signal: Int32 = SIGKILL) {
        if process.isRunning { sendSignal(process.processIdentifier, signal) }
    }

    /// Waits for the end, killing the process after `timeout` seconds.
    func wait(timeout: TimeInterval = 120) -> ChildResult {
        let deadline = started.addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { timedOut = true; kill(); break }
            usleep(2_000)
        }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        let out = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
        let signaled = process.terminationReason == .uncaughtSignal
        return ChildResult(status: process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                           stdout: out, stderr: err, seconds: seconds, timedOut: timedOut)
    }

    /// Runs to the end (or the time limit).
    static func run(_ executable: URL, _ arguments: [String], in directory: URL,
                    environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ChildResult {
        try Child(executable: executable, arguments: arguments, in: directory, environment: environment).wait(timeout: timeout)
    }

    /// Runs the `warehouse` binary to the end (or the time limit).
    static func run(_ arguments: [String], in directory: URL,
                    environment: [String: String] = [:], timeout: TimeInterval = 120) throws -> ChildResult {
        try run(Binary.url, arguments, in: directory, environment: environment, timeout: timeout)
    }
}

/// A digest of a warehouse's whole content: per table its row count and a hash
/// of its rows (in no particular order), plus the schema objects and the
/// schema version. Load times (`started_at`, `finished_at`) are left out, so
/// two warehouses that went through the same loads compare equal.
struct WarehouseDigest: Equatable, CustomStringConvertible {
    struct Table: Equatable { var rows: Int; var hash: UInt64 }
    var tables: [String: Table]

    /// Without `load_log` and without the `load_id` columns: the data itself,
    /// whichever load wrote it.
    var data: WarehouseDigest {
        var out: [String: Table] = [:]
        for (key, value) in tables where key.hasSuffix("#data") { out[String(key.dropLast(5))] = value }
        return WarehouseDigest(tables: out)
    }

    var loadLogRows: Int { tables["load_log"]?.rows ?? 0 }

    var description: String {
        tables.keys.sorted().map { "\($0)=\(tables[$0]!.rows)/\(String(tables[$0]!.hash, radix: 16))" }.joined(separator: " ")
    }

    /// What differs from `other`, table by table.
    func difference(from other: WarehouseDigest) -> String {
        let names = Set(tables.keys).union(other.tables.keys).sorted()
        return names.compactMap { name -> String? in
            let a = tables[name], b = other.tables[name]
            if a == b { return nil }
            return "\(name): \(a.map { "\($0.rows) rows" } ?? "absent") vs \(b.map { "\($0.rows) rows" } ?? "absent")"
        }.joined(separator: "; ")
    }

    @inline(__always)
    static func fnv(_ text: String, into hash: inout UInt64) {
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }

    @inline(__always)
    static func mix(_ value: SQLValue, into hash: inout UInt64) {
        switch value {
        case .null: fnv("N", into: &hash)
        case .integer(let v): fnv("i\(v)", into: &hash)
        case .real(let v): fnv("r\(v)", into: &hash)
        case .text(let s): fnv("t\(s.utf8.count):", into: &hash); fnv(s, into: &hash)
        case .blob(let b): fnv("b\(b.count):", into: &hash); for byte in b { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        fnv("\u{1F}", into: &hash)
    }

    /// A row's hash, spread (SplitMix64's finaliser) so that a table's hash,
    /// the wrapping sum over its rows, does not depend on row order.
    static func finish(_ h: UInt64) -> UInt64 {
        var z = h &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Digests of the rows of `sql`: over every column, and over every column but `skipping`.
    static func digest(_ db: Database, _ sql: String, skipping: Int? = nil) throws -> (all: Table, data: Table) {
        var all = Table(rows: 0, hash: 0), data = Table(rows: 0, hash: 0)
        for row in try db.rows(sql) {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325, d: UInt64 = 0xcbf2_9ce4_8422_2325
            for (i, value) in row.enumerated() {
                mix(value, into: &h)
                if i != skipping { mix(value, into: &d) }
            }
            all.rows += 1; all.hash = all.hash &+ finish(h)
            data.rows += 1; data.hash = data.hash &+ finish(d)
        }
        return (all, data)
    }

    /// Reads the digest of the warehouse at `path` (opening it recovers a hot
    /// WAL), and its `PRAGMA integrity_check`.
    static func read(_ path: String) throws -> (integrity: String, digest: WarehouseDigest) {
        let db = try Database(path: path, mode: .readWriteCreate)
        let integrity = try db.rows("PRAGMA integrity_check").map { $0.first?.description ?? "" }.joined(separator: "\n")
        var tables: [String: Table] = [:]
        let names = try db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.first?.string }
        for name in names {
            let columns = try db.rows("SELECT name FROM pragma_table_info(?)", [.text(name)]).compactMap { $0.first?.string }
            let kept = columns.filter { !(name == "load_log" && ($0 == "started_at" || $0 == "finished_at")) }
            let (all, data) = try digest(db, "SELECT \(kept.map { "\"\($0)\"" }.joined(separator: ", ")) FROM \"\(name)\"",
                                         skipping: kept.firstIndex(of: "load_id"))
            tables[name] = all
            if name != "load_log" { tables[name + "#data"] = data }
        }
        let schema = try digest(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema").all
        tables["sqlite_schema"] = schema
        tables["sqlite_schema#data"] = schema
        let version = try digest(db, "PRAGMA user_version").all
        tables["user_version"] = version
        tables["user_version#data"] = version
        return (integrity, WarehouseDigest(tables: tables))
    }

    /// The `load_log` rows as (file name, status), in load order.
    static func loads(_ path: String) throws -> [(file: String, status: String)] {
        let db = try Database(path: path, mode: .readWriteCreate)
        return try db.rows("SELECT file_name, status FROM load_log ORDER BY load_id").map { ($0[0].description, $0[1].description) }
    }
}

/// Export sets made once per test process with the binary's own generator:
/// `first` (seed 1, 60 contacts) loaded into `base.db`; `second` (seed 1, 150
/// contacts: the records of the first, changed, and more) and `big` (seed 1,
/// 300 contacts, for a load that runs long enough to watch).
final class GeneratedExports: @unchecked Sendable {
    let root: URL
    let first: URL
    let second: URL
    let big: URL
    /// The warehouse after loading every file of `first` (time zone UTC).
    let base: URL

    static let fileNames = ["channels.csv", "contacts.csv", "conversations.csv", "failed_messages.csv", "messages.csv", "users.csv"]

    private static let made: Result<GeneratedExports, Error> = Result { try GeneratedExports() }
    static func shared() throws -> GeneratedExports { try made.get() }

    nonisolated(unsafe) private static var rootToRemove: String?

    private init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-faults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        Self.rootToRemove = root.path
        atexit { if let path = GeneratedExports.rootToRemove { try? FileManager.default.removeItem(atPath: path) } }
        first = root.appendingPathComponent("first")
        second = root.appendingPathComponent("second")
        big = root.appendingPathComponent("big")
        base = root.appendingPathComponent("base.db")
        for (dir, contacts) in [(first, 60), (second, 150), (big, 300)] {
            let r = try Child.run(["generate", "--out", dir.path, "--contacts", "\(contacts)", "--seed", "1", "--quiet"], in: root)
            guard r.status == 0 else { throw WarehouseError("warehouse generate failed: \(r.stderr)") }
        }
        let r = try Child.run(["load", "--db", base.path, "--timezone", "UTC", "--quiet"] + files(first), in: root)
        guard r.status == 0 else { throw WarehouseError("loading the first export set failed: \(r.stderr)") }
    }

    private let lock = NSLock()
    private var references: [String: WarehouseDigest] = [:]

    /// The digest of `base.db` after an uninterrupted load of `paths` (one command), made once.
    func reference(loading paths: [String]) throws -> WarehouseDigest {
        let key = paths.joined(separator: "\n")
        lock.lock()
        defer { lock.unlock() }
        if let known = references[key] { return known }
        let dir = root.appendingPathComponent("reference-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.db")
        try copyWarehouse(to: db)
        let r = try Child.run(["load", "--db", db.path] + paths, in: dir)
        guard r.status == 0 else { throw WarehouseError("reference load failed: \(r.stderr)") }
        let (integrity, digest) = try WarehouseDigest.read(db.path)
        guard integrity == "ok" else { throw WarehouseError("reference warehouse: \(integrity)") }
        references[key] = digest
        return digest
    }

    func files(_ dir: URL) -> [String] { Self.fileNames.map { dir.appendingPathComponent($0).path } }
    func file(_ dir: URL, _ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A copy of `base.db` (or `from`) at `to`, with no WAL or SHM file beside it.
    func copyWarehouse(to: URL, from: URL? = nil) throws {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: to.path + suffix)
        }
        try FileManager.default.copyItem(at: from ?? base, to: to)
    }
}

    /// Kills the first load, which creates the warehouse and writes it without
    /// the write-ahead log, at moments through its run. A reader then opens the
    /// warehouse (rolling back the journal of the file that was loading), which
    /// holds whole files only and passes `integrity_check`; loading again ends
    /// where an uninterrupted load ends, with the write-ahead log.
    @Test func aFirstLoadKilledAnywhereLeavesWholeFiles() throws {
        let exports = try GeneratedExports.shared()
        let scratch = try Scratch()
        let files = exports.files(exports.big)
        let target = scratch.url.appendingPathComponent("new.db")
        func remove() {
            for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: target.path + suffix) }
        }
        // The states after each file, one command per file (files load by name).
        var states: [WarehouseDigest] = []
        remove()
        for file in Loader.loadOrder(files) {
            let r = try Child.run(["load", "--db", target.path, "--timezone", "UTC", file], in: scratch.url)
            try #require(r.status == 0, "\(r.stderr)")
            states.append(try WarehouseDigest.read(target.path).digest)
        }
        // Before its first file: the warehouse the command makes (schema, views, time zone), and nothing else.
        let emptyPath = scratch.url.appendingPathComponent("empty.db").path
        _ = try Warehouse.openForWriting(path: emptyPath, timeZone: "UTC")
        let empty = try WarehouseDigest.read(emptyPath).digest
        let command = ["load", "--db", target.path, "--timezone", "UTC"] + files
        remove()
        let full = try Child.run(command, in: scratch.url)
        try #require(full.status == 0, "\(full.stderr)")
        #expect(try WarehouseDigest.read(target.path).digest.data == states.last!.data)

        var journals = 0
        // Kills are aimed by the uninterrupted run's time; a run that ends before
        // its kill (the machine got less busy) aims the next ones by its own.
        var duration = full.seconds
        for fraction in [0.35, 0.5, 0.65, 0.8, 0.9, 0.97] {
            remove()
            let child = try Child(executable: Binary.url, arguments: command, in: scratch.url)
            let wait = child.started.addingTimeInterval(fraction * duration).timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            child.kill(SIGKILL)
            let ended = child.wait()
            // Foundation learns of a child's exit a moment after it happens, so
            // whether the load ended before its kill is read from how it ended.
            if ended.signal == nil {
                // It finished before its kill: then it must have loaded every file, not simply failed.
                #expect(ended.status == 0 && ended.signal == nil, "the load ended before its kill at \(fraction), and failed: \(ended.stderr)")
                duration = min(duration, ended.seconds)
            } else {
                #expect(ended.signal == SIGKILL, "kill at \(fraction): \(ended.status) \(ended.stderr)")
            }
            if FileManager.default.fileExists(atPath: target.path + "-journal") { journals += 1 }
            // A reader first: it must roll back the journal itself.
            let read = try Child.run(["sql", "--db", target.path, "--format", "csv", "SELECT count(*) FROM load_log"], in: scratch.url)
            #expect(read.status == 0 && read.stderrIsClean, "reading after a kill at \(fraction): \(read.stderr)")
            let (integrity, state) = try WarehouseDigest.read(target.path)
            #expect(integrity == "ok", "kill at \(fraction): \(integrity)")
            let loaded = try WarehouseDigest.loads(target.path).filter { $0.status == "loaded" }.count
            // No file loaded is the empty warehouse, not whatever it holds.
            let whole = loaded == 0 ? empty : states[loaded - 1]
            #expect(whole.data == state.data, "kill at \(fraction) left \(loaded) files and a part: \(state.data.difference(from: whole.data))")
            let again = try Child.run(command, in: scratch.url)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try WarehouseDigest.read(target.path).digest.data == states.last!.data)
            let mode = try Child.run(["sql", "--db", target.path, "--format", "csv", "PRAGMA journal_mode"], in: scratch.url)
            #expect(mode.stdout == "journal_mode\nwal\n")
        }
        #expect(journals >= 1, "no kill left a journal to roll back")
    }

@Suite(.serialized, .tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct CrashSafetyTests {
    /// Kills `warehouse load` of the six files of the second export set, over a
    /// warehouse holding the first, with SIGKILL at 27 moments from 5 % of an
    /// uninterrupted run's duration to just past its end (seven of them within
    /// 60 ms of the end, where the last file commits). Each time the warehouse
    /// must pass `PRAGMA integrity_check` and hold exactly the content it held
    /// before the command or after one of its files (files load in name order,
    /// one transaction each), compared with reference warehouses made by
    /// uninterrupted loads; then the same command, run again, must succeed and
    /// leave the same data as an uninterrupted run.
    @Test func aLoadKilledAnywhereLeavesTheWarehouseBeforeOrAfterEachFile() throws {
        let exports = try GeneratedExports.shared()
        let scratch = try Scratch()
        let secondFiles = exports.files(exports.second)

        // Reference states: S0 = the first set; Sk = S(k-1) + the k-th file of the second set.
        var states: [WarehouseDigest] = []
        let reference = scratch.url.appendingPathComponent("reference.db")
        try exports.copyWarehouse(to: reference)
        let (integrity0, state0) = try WarehouseDigest.read(reference.path)
        #expect(integrity0 == "ok")
        states.append(state0)
        for file in secondFiles {
            let r = try Child.run(["load", "--db", reference.path, file], in: scratch.url)
            try #require(r.status == 0, "reference load of \(file): \(r.stderr)")
            let (integrity, state) = try WarehouseDigest.read(reference.path)
            #expect(integrity == "ok")
            states.append(state)
        }
        // The second set changes records of the first and adds others.
        let messagesLine = try Child.run(["sql", "--db", reference.path,
            "SELECT rows_inserted > 0 AND rows_updated > 0 AS both FROM load_log WHERE file_name = 'messages.csv' ORDER BY load_id DESC LIMIT 1"],
            in: scratch.url)
        #expect(messagesLine.stdout == "both\n1\n", "the second messages file should both insert and update")
        let final = states.last!
        #expect(Set(states.map(\.description)).count == states.count, "each file of the second set should change the warehouse")

        // The uninterrupted command, timed (median of three), ends in the last state.
        let command = ["load", "--db", "w.db"] + secondFiles
        let target = scratch.url.appendingPathComponent("w.db")
        var durations: [Double] = []
        for _ in 0..<3 {
            try exports.copyWarehouse(to: target)
            let r = try Child.run(command, in: scratch.url)
            try #require(r.status == 0, "\(r.stderr)")
            durations.append(r.seconds)
            let (integrity, state) = try WarehouseDigest.read(target.path)
            #expect(integrity == "ok")
            #expect(state == final, "one command of six files should end where six single-file loads end: \(state.difference(from: final))")
        }
        let duration = durations.sorted()[1]

        var delays = stride(from: 0.05, through: 1.0001, by: 0.05).map { $0 * duration }
        delays += [-0.060, -0.030, -0.015, -0.008, -0.004, -0.002, 0.002].map { duration + $0 }
        var outcomes: [Int: Int] = [:]
        var killedMidLoad = 0
        for (i, delay) in delays.enumerated() {
            try exports.copyWarehouse(to: target)
            let child = try Child(executable: Binary.url, arguments: command, in: scratch.url)
            let wake = child.started.addingTimeInterval(delay)
            let wait = wake.timeIntervalSinceNow
            if wait > 0 { usleep(useconds_t(wait * 1_000_000)) }
            child.kill(SIGKILL)
            let result = child.wait()
            let killed = result.signal == SIGKILL
            if killed { killedMidLoad += 1 } else {
                #expect(result.status == 0, "kill \(i) came after the end, yet the load failed: \(result.stderr)")
            }

            let (integrity, state) = try WarehouseDigest.read(target.path)
            #expect(integrity == "ok", "kill \(i) at \(Int(delay * 1000)) ms: integrity_check says \(integrity)")
            let match = states.firstIndex(of: state)
            #expect(match != nil, """
                kill \(i) at \(Int(delay * 1000)) ms (of \(Int(duration * 1000)) ms) left a warehouse that is neither the one \
                before the command nor the one after any of its files; closest differences: \
                \(states.map { state.difference(from: $0) }.min { $0.count < $1.count } ?? "")
                """)
            if let match { outcomes[match, default: 0] += 1 }

            // Reopened and loaded again, it ends where an uninterrupted load ends.
            let again = try Child.run(command, in: scratch.url)
            #expect(again.status == 0, "loading again after kill \(i): \(again.stderr)")
            let (integrityAgain, stateAgain) = try WarehouseDigest.read(target.path)
            #expect(integrityAgain == "ok")
            #expect(stateAgain.data == final.data, "after kill \(i) and a new load: \(stateAgain.data.difference(from: final.data))")
            #expect(stateAgain.loadLogRows == (match.map { states[$0].loadLogRows } ?? -1) + secondFiles.count)
        }
        print("crash safety: uninterrupted load \(Int(duration * 1000)) ms; \(delays.count) kills, \(killedMidLoad) during the load; "
              + "states after a kill (files of the command loaded: times): \(outcomes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        // The kills did land during the load, at different stages.
        #expect(killedMidLoad >= 10, "only \(killedMidLoad) of \(delays.count) kills landed during the load")
        #expect(outcomes.count >= 2, "every kill left the same state: \(outcomes)")
    }
}
