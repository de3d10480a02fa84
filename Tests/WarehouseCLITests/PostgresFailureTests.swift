import Foundation
import Testing
import TestSupport
import WarehousePostgres

/// What a cut connection does to a copy into PostgreSQL (SPEC §8: one clear line, a
/// non-zero exit, nothing of the unit stored).
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment), .tags(.slow), .serialized)
struct PostgresFailureTests {
    /// Ends, from a session of its own, the session found running a COPY into the
    /// messages of `schema`, until `stop`.
    final class Cutter: @unchecked Sendable {
        private let thread: Thread

        init(_ server: TestPostgresServer, schema: String) throws {
            let watcher = try BlockingPostgresSession(connectingTo: PostgresLocation(url: server.url(schema: "public")))
            let flag = Flag()
            self.flag = flag
            thread = Thread {
                defer { watcher.close() }
                while !flag.isSet {
                    // The session whose COPY holds a lock on this schema's messages (other
                    // suites load into schemas of their own meanwhile).
                    let cut = try? watcher.query("""
                        SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
                        JOIN pg_locks l ON l.pid = a.pid JOIN pg_class c ON c.oid = l.relation
                        JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE a.pid <> pg_backend_pid() AND a.state = 'active' AND a.query LIKE 'COPY %fact_message%'
                          AND n.nspname = $1 AND c.relname = 'fact_message'
                        """, [.text(schema)])
                    if let cut, !cut.isEmpty { return }
                    usleep(5_000)
                }
            }
            thread.start()
        }

        private let flag: Flag
        func stop() { flag.set() }
    }

    /// Generated exports of 4,000 contacts in a folder of their own (removed with it).
    static func exports(seed: Int) throws -> (TemporaryFolder, [String]) {
        let folder = try TemporaryFolder(prefix: "warehouse-cut")
        let generated = try Binary.run(["generate", "--out", "exports", "--contacts", "4000", "--seed", "\(seed)", "--quiet"], in: folder.url)
        try #require(generated.status == 0, "\(generated.stderr)")
        return (folder, try Repository.csvFiles(in: folder.url.appendingPathComponent("exports")))
    }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }

    /// The server ends the copy's session while its COPY runs (an administrator's
    /// pg_terminate_backend, as a restart does): the copy says so in one line, exit 1, and
    /// the warehouse it was filling holds no record; a second copy then fills it.
    @Test func aCopyCutOffStoresNothing() throws {
        let server = try TestPostgresServer.shared()
        let (folder, files) = try Self.exports(seed: 3)
        let directory = folder.url
        let load = try Binary.run(["load", "-q", "--db", "w.db"] + files, in: directory)
        try #require(load.status == 0, "\(load.stderr)")

        let schema = "cut_" + UUID().uuidString.prefix(8).lowercased()
        let url = server.url(schema: schema)
        // Ends the copy's session as soon as its COPY into the messages has started.
        let cutter = try Cutter(server, schema: schema)
        let copy = try Binary.run(["copy", "--db", "w.db", "--to", url], in: directory)
        cutter.stop()
        #expect(copy.status == 1)
        let lines = copy.stderr.split(separator: "\n").filter { !$0.hasPrefix("  ") }
        #expect(lines.count == 1, "\(copy.stderr)")
        #expect(copy.stderr.contains("warehouse_tests"), "names the database: \(copy.stderr)")

        let counts = try Binary.run(["sql", "--db", url, "--format", "csv",
                                     "SELECT (SELECT count(*) FROM fact_conversation) + (SELECT count(*) FROM fact_message) + (SELECT count(*) FROM load_log) AS n"],
                                    in: directory)
        #expect(counts.stdout == "n\n0\n", "\(counts.stderr)")
        let again = try Binary.run(["copy", "--db", "w.db", "--to", url], in: directory)
        #expect(again.status == 0, "\(again.stderr)")
        let same = try Binary.run(["report", "overview", "--db", url, "--format", "csv"], in: directory)
        let file = try Binary.run(["report", "overview", "--db", "w.db", "--format", "csv"], in: directory)
        #expect(same.stdout == file.stdout && !file.stdout.isEmpty)
    }

    /// The server ends a load's session while its messages go in by COPY: one line, exit 1,
    /// none of the file stored (the files before it stay), and loading it again gives the
    /// file's answers.
    @Test func aLoadCutOffStoresNothingOfItsFile() throws {
        let server = try TestPostgresServer.shared()
        let (folder, files) = try Self.exports(seed: 5)
        let directory = folder.url
        let messages = try #require(files.first { $0.hasSuffix("/messages.csv") })
        let others = files.filter { $0 != messages }
        let schema = "cutload_" + UUID().uuidString.prefix(8).lowercased()
        let url = server.url(schema: schema)
        let first = try Binary.run(["load", "-q", "--db", url] + others, in: directory)
        try #require(first.status == 0, "\(first.stderr)")

        let cutter = try Cutter(server, schema: schema)
        let load = try Binary.run(["load", "-q", "--db", url, messages], in: directory)
        cutter.stop()
        #expect(load.status == 1)
        let lines = load.stderr.split(separator: "\n").filter { !$0.hasPrefix("  ") }
        #expect(lines.count == 1, "\(load.stderr)")
        #expect(load.stderr.contains("messages.csv") && load.stderr.contains("warehouse_tests"), "names the file and the database: \(load.stderr)")

        let counts = try Binary.run(["sql", "--db", url, "--format", "csv",
                                     "SELECT (SELECT count(*) FROM fact_message) AS m, (SELECT count(*) FROM agg_message_daily) AS d, (SELECT count(*) FROM load_log WHERE status = 'loaded') AS l"],
                                    in: directory)
        #expect(counts.stdout == "m,d,l\n0,0,\(others.count)\n", "\(counts.stderr)")
        let again = try Binary.run(["load", "-q", "--db", url, messages], in: directory)
        #expect(again.status == 0, "\(again.stderr)")
        // The file in the same order: the files before, then the messages.
        for part in [others, [messages]] {
            let file = try Binary.run(["load", "-q", "--db", "w.db"] + part, in: directory)
            try #require(file.status == 0, "\(file.stderr)")
        }
        for report in ["overview", "conversations_opened_vs_closed", "user_performance"] {
            let pg = try Binary.run(["report", report, "--db", url, "--format", "csv"], in: directory)
            let sqlite = try Binary.run(["report", report, "--db", "w.db", "--format", "csv"], in: directory)
            #expect(pg.stdout == sqlite.stdout && !sqlite.stdout.isEmpty, "\(report)")
        }
    }
}
