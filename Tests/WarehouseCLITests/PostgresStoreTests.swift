import Foundation
import Testing
import TestSupport

/// The conformance fixtures in a PostgreSQL warehouse of the test server, made from
/// the SQLite one by `warehouse copy`, and copied back into a new file (`back.db`):
/// every case must read the same on all three.
enum PostgresConformanceWarehouse {
    static let url: Result<String, Error> = Result {
        struct Failed: Error, CustomStringConvertible { let description: String }
        let server = try TestPostgresServer.shared()
        guard let load = ConformanceWarehouse.loaded, load.status == 0 else {
            throw Failed(description: "loading the fixtures failed: \(ConformanceWarehouse.loaded?.stderr ?? "")")
        }
        let url = server.url(schema: "conformance_" + UUID().uuidString.prefix(8).lowercased())
        let there = try Binary.run(["copy", "--db", "w.db", "--to", url], in: ConformanceWarehouse.directory)
        guard there.status == 0 else { throw Failed(description: "copy into PostgreSQL: \(there.stderr)") }
        let back = try Binary.run(["copy", "--db", url, "--to", "back.db"], in: ConformanceWarehouse.directory)
        guard back.status == 0 else { throw Failed(description: "copy back into a file: \(back.stderr)") }
        return url
    }

    /// The fixtures loaded straight into a PostgreSQL warehouse, by the command that loads the file.
    static let loadedURL: Result<String, Error> = Result {
        struct Failed: Error, CustomStringConvertible { let description: String }
        let url = try TestPostgresServer.shared().url(schema: "loaded_" + UUID().uuidString.prefix(8).lowercased())
        let files = try Repository.csvFiles(in: Repository.sampleExports)
        let load = try Binary.run(["load", "-q", "--db", url, "--timezone", "Asia/Kuala_Lumpur"] + files, in: ConformanceWarehouse.directory)
        guard load.status == 0 else { throw Failed(description: "loading the fixtures into PostgreSQL: \(load.stderr)") }
        return url
    }
}

@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
struct PostgresStoreTests {
    /// The conformance test itself, on PostgreSQL: loaded there, and copied there.
    @Test(arguments: ConformanceCase.all)
    func reportMatchesTheExpectedCSV(_ c: ConformanceCase) throws {
        try ConformanceTests.check(c, db: try PostgresConformanceWarehouse.loadedURL.get())
        try ConformanceTests.check(c, db: try PostgresConformanceWarehouse.url.get())
    }

    /// SPEC §8: byte-identical csv and json on both stores (loaded into each, and
    /// copied from the file), and after a copy back.
    @Test(arguments: ConformanceCase.all)
    func everyStoreGivesTheSameBytes(_ c: ConformanceCase) throws {
        try ConformanceTests.expectSameBytes(c, as: "w.db", on: [
            (try PostgresConformanceWarehouse.loadedURL.get(), "loaded into PostgreSQL"),
            (try PostgresConformanceWarehouse.url.get(), "copied into PostgreSQL"), ("back.db", "after the copy back"),
        ])
    }

    /// The fixtures loaded into PostgreSQL hold what the file holds, table for table,
    /// keys included (they are given in the same order on both stores).
    @Test func aLoadIntoPostgreSQLHoldsWhatTheFileHolds() throws {
        try ConformanceTests.expectSameRecords(as: "w.db", in: try PostgresConformanceWarehouse.loadedURL.get())
    }

    /// Every table of the copy back holds what the file held, row for row.
    @Test func theCopyBackHoldsEveryRow() throws {
        _ = try PostgresConformanceWarehouse.url.get()
        let tables = try Binary.run(["sql", "--db", "w.db", "--format", "csv",
                                     "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name"], in: ConformanceWarehouse.directory)
        let names = tables.stdout.split(separator: "\n").dropFirst().map(String.init)
        #expect(names.count == 23)
        for name in names {
            let query = "SELECT * FROM \(name) ORDER BY 1, 2"
            let a = try Binary.run(["sql", "--db", "w.db", "--format", "csv", query], in: ConformanceWarehouse.directory)
            let b = try Binary.run(["sql", "--db", "back.db", "--format", "csv", query], in: ConformanceWarehouse.directory)
            try #require(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
            // The store's own settings differ (none of them a record).
            if name == "settings" { continue }
            #expect(a.stdout == b.stdout, "table \(name)")
        }
    }

    /// A copy leaves the planner statistics of what it copied (natural IDs have plain indexes there).
    @Test func aCopyIntoPostgreSQLIsAnalysed() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let run = try Binary.run(["sql", "--db", url, "--format", "csv", """
            SELECT count(DISTINCT tablename) AS analysed FROM pg_stats WHERE schemaname = current_schema()
            AND tablename IN ('dim_contact', 'fact_conversation', 'fact_message', 'fact_failed_message')
            """], in: ConformanceWarehouse.directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "analysed\n4\n")
    }

    /// `info` names the server, the schema's version and zone, and counts what the file counts.
    @Test func infoOnPostgreSQL() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let pg = try Binary.run(["info", "--db", url], in: ConformanceWarehouse.directory)
        try #require(pg.status == 0, "\(pg.stderr)")
        #expect(pg.stdout.contains("Warehouse postgresql://postgres@/warehouse_tests?host="))
        #expect(pg.stdout.contains("time zone      Asia/Kuala_Lumpur"))
        #expect(pg.stdout.contains("schema version 10"))
        let file = try Binary.run(["info", "--db", "w.db"], in: ConformanceWarehouse.directory)
        func records(_ text: String) -> Substring? { text.components(separatedBy: "\nRecords\n").last?.split(separator: "\n\n").first }
        #expect(records(pg.stdout) != nil && records(pg.stdout) == records(file.stdout))
    }

    /// `sql` is read-only unless --write, prints every statement's rows, and a server error is one line.
    @Test func sqlOnPostgreSQL() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let run = try Binary.run(["sql", "--db", url, "--format", "csv", "SELECT count(*) AS n FROM conversations; SELECT 1 AS one WHERE false"],
                                 in: ConformanceWarehouse.directory)
        #expect(run.status == 0)
        #expect(run.stdout == "n\n540\none\n")
        let write = try Binary.run(["sql", "--db", url, "DELETE FROM fact_message"], in: ConformanceWarehouse.directory)
        #expect(write.status == 1)
        #expect(write.stderr.contains("opened read-only: add --write"))
        let wrong = try Binary.run(["sql", "--db", url, "SELECT nope FROM conversations"], in: ConformanceWarehouse.directory)
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "Error: SQL error: column \"nope\" does not exist (at line 1, column 8)\n")
    }

    /// Your own reports (--queries) are views in a `sql` session on PostgreSQL as on a file.
    @Test func ownReportsAreViewsInSQL() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let folder = ConformanceWarehouse.directory.appendingPathComponent("own-queries-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
            -- name: busy_days
            -- title: Busy days
            -- description: Conversations opened per local day.
            SELECT substr(started_local, 1, 10) AS day, count(*) AS conversations
            FROM fact_conversation GROUP BY 1 ORDER BY 2 DESC, 1

            """.write(to: folder.appendingPathComponent("busy_days.sql"), atomically: true, encoding: .utf8)
        var outputs: [String] = []
        for db in ["w.db", url] {
            let run = try Binary.run(["sql", "--db", db, "--queries", folder.path, "--format", "csv", "SELECT * FROM busy_days LIMIT 5"],
                                     in: ConformanceWarehouse.directory)
            #expect(run.status == 0 && run.stderr.isEmpty, "\(db): \(run.stderr)")
            outputs.append(run.stdout)
        }
        #expect(outputs[0] == outputs[1] && outputs[0].split(separator: "\n").count == 6, "\(outputs)")
    }

    /// A copy goes only into an empty warehouse, and a refused one stores nothing.
    @Test func copyRefusesAWarehouseThatHoldsRecords() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let again = try Binary.run(["copy", "--db", "w.db", "--to", url], in: ConformanceWarehouse.directory)
        #expect(again.status == 1)
        #expect(again.stderr.contains("is not empty (agg_conversation_messages has 527 rows)"), "\(again.stderr)")
        let intoFile = try Binary.run(["copy", "--db", url, "--to", "w.db"], in: ConformanceWarehouse.directory)
        #expect(intoFile.status == 1)
        #expect(intoFile.stderr.contains("w.db is not empty"), "\(intoFile.stderr)")
        let count = try Binary.run(["sql", "--db", url, "--format", "csv", "SELECT count(*) FROM fact_conversation"], in: ConformanceWarehouse.directory)
        #expect(count.stdout == "count\n540\n")
    }

    /// `serve` on a PostgreSQL server that is not there: one line naming it, exit 1, no file made of the URL.
    @Test func serveOnAnUnreachableServerIsOneLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "postgresql://someone@127.0.0.1:1/nowhere"
        let serve = try Binary.run(["serve", "--db", url], in: directory)
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("cannot reach the PostgreSQL server at 127.0.0.1:1 (database nowhere)"), "\(serve.stderr)")
        #expect(serve.stderr.split(separator: "\n").count == 1, "\(serve.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    /// A server that is not there is one line naming it, and exit status 1.
    @Test func anUnreachableServerIsOneLine() throws {
        let run = try Binary.run(["report", "overview", "--db", "postgresql://someone:secret@127.0.0.1:1/nowhere"], in: ConformanceWarehouse.directory)
        #expect(run.status == 1)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("127.0.0.1:1") && run.stderr.contains("nowhere"))
        #expect(!run.stderr.contains("secret"))
    }
}

extension ConformanceTests {
    /// Runs case `c` on the warehouse `reference` and on each of `others`, in csv and json:
    /// each must print the same bytes (`others`: a warehouse and what it is, for the message).
    static func expectSameBytes(_ c: ConformanceCase, as reference: String, on others: [(db: String, what: String)]) throws {
        try #require(ConformanceWarehouse.loaded?.status == 0, "the fixtures' warehouse file")
        for format in ["csv", "json"] {
            func output(_ db: String) throws -> String {
                let run = try Binary.run(["report", c.report, "--db", db, "--format", format] + c.params, in: ConformanceWarehouse.directory)
                try #require(run.status == 0, "\(db): \(run.stderr)")
                return run.stdout
            }
            let expected = try output(reference)
            for other in others { #expect(try output(other.db) == expected, "\(format) \(other.what)") }
        }
    }

    /// The tables that hold records, summaries and rejects.
    static let recordTables = ["dim_contact", "dim_user", "dim_channel", "dim_team", "dim_category", "dim_message_source",
                               "dim_message_type", "dim_date", "bridge_user_team", "fact_conversation", "fact_message",
                               "fact_failed_message", "agg_message_daily", "agg_conversation_messages", "rejected_rows"]

    /// `other` holds what `reference` holds in every record table, every column (keys
    /// included), rows in any order; none of them empty.
    static func expectSameRecords(as reference: String, in other: String) throws {
        try #require(ConformanceWarehouse.loaded?.status == 0, "the fixtures' warehouse file")
        for table in recordTables {
            let query = "SELECT * FROM \(table) ORDER BY 1, 2"
            let a = try Binary.run(["sql", "--db", reference, "--format", "csv", query], in: ConformanceWarehouse.directory)
            let b = try Binary.run(["sql", "--db", other, "--format", "csv", query], in: ConformanceWarehouse.directory)
            try #require(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
            func rows(_ text: String) -> [Substring] { text.split(separator: "\n").sorted() }
            #expect(rows(a.stdout) == rows(b.stdout), "table \(table)")
            #expect(a.stdout.split(separator: "\n").count > 1, "table \(table) is empty")
        }
    }
}
