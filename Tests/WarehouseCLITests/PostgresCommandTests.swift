import Foundation
import Testing
import TestSupport
import WarehouseCore
import WarehouseDashboard
import WarehousePostgres

/// The fixtures loaded into a file of their own and copied into a PostgreSQL schema of
/// their own, for commands that change the warehouse: each runs on both, and both must
/// answer alike.
final class WritablePair {
    let scratch: Scratch
    let url: String

    init() throws {
        scratch = try Scratch()
        let load = try scratch.loadFixtures()
        try #require(load.status == 0, "loading the fixtures: \(load.stderr)")
        url = try TestPostgresServer.shared().url(schema: "commands_" + UUID().uuidString.prefix(8).lowercased())
        let copy = try scratch.run("copy", "--db", "w.db", "--to", url)
        try #require(copy.status == 0, "copy into PostgreSQL: \(copy.stderr)")
    }

    /// The command (`DB` standing for the warehouse) on the file and on PostgreSQL, with
    /// each store's name in its output made `DB`.
    func both(_ arguments: [String], input: String? = nil) throws -> (file: Run, postgres: Run) {
        func run(_ db: String, _ name: String) throws -> Run {
            let r = try Binary.run(arguments.map { $0 == "DB" ? db : $0 }, in: scratch.url, input: input)
            return Run(status: r.status, stdout: r.stdout.replacingOccurrences(of: name, with: "DB"),
                       stderr: r.stderr.replacingOccurrences(of: name, with: "DB"))
        }
        return (try run("w.db", "w.db"), try run(url, try PostgresLocation(url: url).description))
    }

    /// `both`, expecting the same status and output from each.
    @discardableResult
    func same(_ arguments: [String], input: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> Run {
        let (file, postgres) = try both(arguments, input: input)
        #expect(postgres.status == file.status, "\(arguments): \(postgres.stderr)", sourceLocation: sourceLocation)
        #expect(postgres.stdout == file.stdout, "\(arguments)", sourceLocation: sourceLocation)
        #expect(postgres.stderr == file.stderr, "\(arguments)", sourceLocation: sourceLocation)
        return file
    }
}

@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
struct PostgresCommandTests {
    /// SPEC §8: the dashboard of the same warehouse is the same page on both stores, byte
    /// for byte, but for the line that names its source; with the same parameters and errors.
    @Test(arguments: [
        [], ["--from", "2025-03-16", "--to", "2025-03-31", "--team", "support"],
        ["--tz", "America/New_York", "--channel", "554710", "--first-response-target", "5m", "--within", "3d"],
        ["--from", "2025-01-01", "--to", "2025-06-30"], ["--team", "vip"], ["--limit", "3"],
    ])
    func theDashboardIsTheSamePage(_ parameters: [String]) throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let password = url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://postgres:s3cret@")
        var pages: [String: Run] = [:]
        for db in ["w.db", password] {
            pages[db] = try Binary.run(["dashboard", "--db", db, "--out", "-"] + parameters, in: ConformanceWarehouse.directory)
        }
        let (file, postgres) = (try #require(pages["w.db"]), try #require(pages[password]))
        #expect(postgres.status == file.status && postgres.stderr == file.stderr, "\(postgres.stderr)")
        guard file.status == 0 else { return #expect(file.stderr.split(separator: "\n").count == 1) }
        func withoutSource(_ page: String) -> [Substring] { page.split(separator: "\n").filter { !$0.contains("<p class=\"made\">Made ") } }
        #expect(withoutSource(postgres.stdout) == withoutSource(file.stdout))
        #expect(file.stdout.contains(" from w.db.</p>"))
        #expect(postgres.stdout.contains(" from postgresql://postgres@/warehouse_tests?host="))
        #expect(!postgres.stdout.contains("s3cret"))
    }

    /// The page made in this process at one instant: everything the same but the source's name.
    @Test func theSamePageAtTheSameInstant() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let file = try Warehouse.openExisting(path: ConformanceWarehouse.directory.appendingPathComponent("w.db").path)
        let postgres = try PostgresWarehouse.openExisting(try PostgresLocation(url: url))
        defer { postgres.close() }
        let madeAt = Date(timeIntervalSince1970: 1_743_465_600)
        let arguments = try ReportArguments.parse(["--from", "2025-03-01", "--to", "2025-03-31"], allowed: Dashboard.parameters)
        let a = try Dashboard.page(of: file, arguments, madeAt: madeAt).split(separator: "\n", omittingEmptySubsequences: false)
        let b = try Dashboard.page(of: postgres, arguments, madeAt: madeAt).split(separator: "\n", omittingEmptySubsequences: false)
        try #require(a.count == b.count)
        let differing = zip(a, b).filter { $0.0 != $0.1 }
        try #require(differing.count == 1)
        let (line, other) = differing[0]
        #expect(line.hasSuffix(" from w.db.</p>"))
        #expect(other.contains(" from postgresql://postgres@/warehouse_tests?"))
        #expect(line.components(separatedBy: " from ")[0] == other.components(separatedBy: " from ")[0])
    }

    /// `warehouse hours` sets, shows, clears and refuses alike on both stores, and stores the same rows.
    @Test func hoursOnPostgreSQL() throws {
        let pair = try WritablePair()
        for step in [
            ["hours", "--db", "DB"],
            ["hours", "set", "--db", "DB", "Mon-Fri 09:00-17:00"],
            ["hours", "set", "--db", "DB", "--team", "sales", "Mon-Fri 08:00-20:00", "Sat 10:00-14:00"],
            ["hours", "set", "--db", "DB", "--team", "Salse", "Mon 09:00-10:00"],
            ["hours", "set", "--db", "DB", "Mon 22:00-06:00", "Tue 05:00-07:00"],
            ["hours", "holiday", "add", "--db", "DB", "2026-12-25", "--name", "Christmas Day"],
            ["hours", "holiday", "add", "--db", "DB", "2026-12-25", "--name", "Christmas"],
            ["hours", "holiday", "add", "--db", "DB", "2026-12-24", "--team", "SALES"],
            ["hours", "holiday", "add", "--db", "DB", "2026-02-30"],
            ["hours", "show", "--db", "DB"],
            ["hours", "holiday", "remove", "--db", "DB", "2026-12-26"],
            ["hours", "holiday", "remove", "--db", "DB", "2026-12-24", "--team", "Sales"],
            ["hours", "clear", "--db", "DB", "--team", "Sales"],
            ["hours", "clear", "--db", "DB", "--team", "Sales"],
            ["hours", "--db", "DB"],
        ] {
            let run = try pair.same(step)
            if run.status != 0 { #expect(run.status == 1 && run.stderr.split(separator: "\n").count == 1, "\(step): \(run.stderr)") }
        }
        let stored = try pair.same(["sql", "--db", "DB", "--format", "csv",
                                    "SELECT * FROM business_hours ORDER BY team, weekday, opens; SELECT * FROM business_holidays ORDER BY team, holiday_date"])
        #expect(stored.stdout.contains(",5,09:00,17:00\n") && stored.stdout.contains(",2026-12-25,Christmas\n"), "\(stored.stdout)")
        #expect(!stored.stdout.contains("Sales"))
    }

    /// `warehouse auth`: tokens and the webhook key kept in the PostgreSQL warehouse, the
    /// same messages and refusals as on a file.
    @Test func authOnPostgreSQL() throws {
        let pair = try WritablePair()
        let (file, postgres) = try pair.both(["auth", "add-token", "--db", "DB", "--scope", "read"])
        #expect(file.status == 0 && postgres.status == 0, "\(postgres.stderr)")
        #expect(postgres.stderr == file.stderr && postgres.stderr.hasPrefix("token read-1 (scope read) added to DB."), "\(postgres.stderr)")
        let token = postgres.stdout.trimmingCharacters(in: .newlines)
        #expect(token.hasPrefix("wh_") && token.count == 46 && token != file.stdout.trimmingCharacters(in: .newlines))
        let stored = try Binary.run(["sql", "--db", pair.url, "--format", "csv", "SELECT token_sha256 FROM server_tokens WHERE name = 'read-1'"],
                                    in: pair.scratch.url)
        #expect(stored.stdout == "token_sha256\n\(Tokens.hex(Tokens.sha256(token)))\n")
        for step in [
            ["auth", "add-token", "--db", "DB", "--scope", "ingest", "--name", "respond-io"],
            ["auth", "add-token", "--db", "DB", "--scope", "ingest", "--name", "respond-io"],
            ["auth", "add-token", "--db", "DB", "--scope", "ingest", "--name", " "],
            ["auth", "revoke", "--db", "DB", "read-1"],
            ["auth", "revoke", "--db", "DB", "read-1"],
            ["auth", "set-webhook-key", "--db", "DB", ""],
        ] {
            let (file, postgres) = try pair.both(step)
            #expect(postgres.status == file.status && postgres.stderr == file.stderr, "\(step): \(postgres.stderr)")
            if file.status != 0 { #expect(file.status == 1 && file.stderr.split(separator: "\n").count == 1, "\(step)") }
        }
        try pair.same(["auth", "set-webhook-key", "--db", "DB", "-"], input: "the-key\n")
        let listed = try pair.both(["auth", "list", "--db", "DB", "--format", "csv"])
        func namesAndScopes(_ run: Run) -> [String] { parseCSV(run.stdout).map { $0.prefix(2).joined(separator: ",") } }
        #expect(namesAndScopes(listed.postgres) == ["name,scope", "respond-io,ingest"])
        #expect(namesAndScopes(listed.postgres) == namesAndScopes(listed.file))
        #expect(listed.postgres.stderr == "webhook signing key: set\n")
        let key = try Binary.run(["sql", "--db", pair.url, "--format", "csv", "SELECT value FROM settings WHERE key = 'webhook_signing_key'"],
                                 in: pair.scratch.url)
        #expect(key.stdout == "value\nthe-key\n")
    }

    /// As on a file, `auth` makes the warehouse when the schema holds none (time zone UTC).
    @Test func authMakesTheWarehouseItNames() throws {
        let url = try TestPostgresServer.shared().url(schema: "auth_" + UUID().uuidString.prefix(8).lowercased())
        let scratch = try Scratch()
        let add = try Binary.run(["auth", "add-token", "--db", url, "--scope", "ingest"], in: scratch.url)
        #expect(add.status == 0, "\(add.stderr)")
        let info = try Binary.run(["info", "--db", url], in: scratch.url)
        #expect(info.stdout.contains("time zone      UTC"), "\(info.stdout)\(info.stderr)")
        let list = try Binary.run(["auth", "list", "--db", url, "--format", "csv"], in: scratch.url)
        #expect(list.stdout.hasPrefix("name,scope,created_at\ningest-1,ingest,"))
    }

    /// The shell on PostgreSQL: the same output as on the file for SQL, reports, `.tables`
    /// and `.hours`; `.schema` says in one line that it is for a file; read-only unless --write.
    @Test func theShellOnPostgreSQL() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let script = """
            .mode csv
            SELECT count(*) AS n FROM conversations;
            SELECT 1 AS a; SELECT 'x;y' AS b;
            .report overview --from 2025-03-01 --to 2025-03-31
            .report leaderboard_resolution_time --group-by team --limit 3
            .tables dim_
            .hours
            .mode json
            SELECT team_name FROM dim_team ORDER BY team_key;
            .report nope

            """
        var outputs: [String: Run] = [:]
        for db in ["w.db", url] { outputs[db] = try Binary.run(["shell", "--db", db], in: ConformanceWarehouse.directory, input: script) }
        let (file, postgres) = (try #require(outputs["w.db"]), try #require(outputs[url]))
        #expect(postgres.status == 1 && file.status == 1)
        #expect(postgres.stdout == file.stdout)
        #expect(postgres.stderr == file.stderr && file.stderr.hasPrefix("Error: no report named 'nope'"), "\(postgres.stderr)")
        #expect(file.stdout.hasPrefix("n\n540\na\n1\nb\nx;y\n"))

        let refused = try Binary.run(["shell", "--db", url], in: ConformanceWarehouse.directory,
                                     input: ".schema dim_team\nDELETE FROM fact_message;\nSELECT nope FROM conversations;\nSELECT 2 AS still;\n")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("still") && refused.stdout.contains("2"))
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 3, "\(refused.stderr)")
        #expect(lines.first?.hasPrefix("Error: .schema reads SQLite's catalog and is for a warehouse file") == true)
        #expect(lines.dropFirst().first?.hasPrefix("Error: the warehouse is open read-only: start the shell with --write") == true)
        #expect(lines.last == "Error: SQL error: column \"nope\" does not exist (at line 1, column 8)")
    }

    /// With --write each input's statements stay together or not at all.
    @Test func theShellWritesOnPostgreSQLWithWrite() throws {
        let pair = try WritablePair()
        let run = try Binary.run(["shell", "--write", "--db", pair.url], in: pair.scratch.url, input: """
            INSERT INTO settings(key, value) VALUES ('kept', '1');
            INSERT INTO settings(key, value) VALUES ('dropped', '1'); SELECT nope;
            .mode csv
            SELECT key FROM settings WHERE key IN ('kept', 'dropped');

            """)
        #expect(run.status == 1 && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stdout == "key\nkept\n")
    }

    /// Ctrl-C stops a statement running on the server, and a script then stops with status 1.
    @Test func ctrlCStopsAStatementOnTheServer() throws {
        let url = try PostgresConformanceWarehouse.url.get()
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["shell", "--db", url]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (process.standardInput, process.standardOutput, process.standardError) = (input, output, errors)
        try ChildProcesses.run(process)
        input.fileHandleForWriting.write(Data("SELECT pg_sleep(60.25);\nSELECT 'not reached';\n".utf8))
        try input.fileHandleForWriting.close()
        // Interrupted once the server runs it (before that, Ctrl-C would end the program as any would).
        let started = Date()
        while Date().timeIntervalSince(started) < 30 {
            let active = try Binary.run(["sql", "--db", url, "--format", "csv",
                                         "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60.25)%' AND state = 'active'"],
                                        in: ConformanceWarehouse.directory)
            if active.stdout == "count\n1\n" { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let interrupted = Date()
        process.interrupt()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(interrupted) < 10)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
        #expect(String(decoding: err, as: UTF8.self) == "Error: interrupted\n")
        #expect(out.isEmpty)
    }

    /// A server that is not there, or a schema that holds no warehouse, is one line and status 1 for each command.
    @Test(arguments: [["dashboard", "--out", "-"], ["hours"], ["hours", "set", "Mon-Fri 09:00-17:00"], ["hours", "holiday", "add", "2026-12-25"],
                      ["auth", "list"], ["auth", "add-token", "--scope", "read"], ["shell"]])
    func unreachableOrMissingIsOneLine(_ command: [String]) throws {
        let scratch = try Scratch()
        let down = try Binary.run(command + ["--db", "postgresql://someone:secret@127.0.0.1:1/nowhere"], in: scratch.url, input: "SELECT 1;\n")
        #expect(down.status == 1 && down.stdout.isEmpty)
        #expect(down.stderr.split(separator: "\n").count == 1 && down.stderr.contains("127.0.0.1:1") && !down.stderr.contains("secret"), "\(down.stderr)")
        guard command[0] != "auth" else { return }  // auth makes the warehouse, as it makes a file
        let url = try TestPostgresServer.shared().url(schema: "none_" + UUID().uuidString.prefix(8).lowercased())
        let missing = try Binary.run(command + ["--db", url], in: scratch.url, input: "SELECT 1;\n")
        #expect(missing.status == 1 && missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("Error: no warehouse in schema none_") && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
    }
}
