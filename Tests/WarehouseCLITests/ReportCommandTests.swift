import Foundation
import Testing
import TestSupport
import WarehouseCore

@Suite(.serialized) struct ReportCommandTests {
    @Test func reportsListsTheLibraryAndDescribesOne() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let list = try s.run("reports", "--db", "w.db", "--format", "csv")
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n")
        #expect(lines.first == "name,description,parameters,source")
        #expect(lines.count == 17)
        let one = try s.run("reports", "leaderboard_resolution_time", "--db", "w.db")
        #expect(one.stdout.contains("--group-by user|team"))
        #expect(one.stdout.contains("p90_resolution_seconds"))
    }

    /// Every parameter of the table is in `--help` with its value name and
    /// help, and a bad value is refused with the table's words, on the command
    /// line and in the shell alike.
    @Test func theParametersTableDrivesHelpAndChecks() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let help = try s.run("report", "--help").stdout
        for parameter in ReportParameter.allCases {
            #expect(help.contains("\(parameter.option) \(parameter.valueName)"), "\(parameter.option) missing from --help")
            #expect(help.contains(String(parameter.help.prefix(20))), "\(parameter.option)'s help missing")
        }
        let dashboardHelp = try s.run("dashboard", "--help").stdout
        #expect(dashboardHelp.contains("--team NAME") && !dashboardHelp.contains("--limit N"))
        for (parameter, bad) in [(ReportParameter.limit, "x"), (.percentile, "0"), (.by, "year"), (.from, "2025-02-30")] {
            var expected = ReportArguments()
            let message = "\((#expect(throws: WarehouseError.self) { try expected.set(parameter, bad) }).map { "\($0)" } ?? "")"
            let cli = try s.run("report", "conversation_list", "--db", "w.db", parameter.option, bad)
            #expect(cli.status == 1 && cli.stderr == "Error: \(message)\n", "\(cli.stderr)")
            let shell = try Binary.run(["shell", "--db", "w.db"], in: s.url, input: ".report conversation_list \(parameter.option) \(bad)\n")
            #expect(shell.stderr.contains(message), "\(shell.stderr)")
        }
    }

    /// CSV injection: the command line's csv is raw; `--spreadsheet-safe`
    /// puts a `'` before a text cell a spreadsheet would run, on `report`,
    /// `sql` and the shell (`.spreadsheet-safe on`); numbers stay as they are.
    @Test func spreadsheetSafeCSVOnTheCommandLine() throws {
        let s = try Scratch()
        try s.write("contacts.csv", FormulaCells.contacts)
        try s.write("conversations.csv", FormulaCells.conversations)
        let load = try s.run("load", "--db", "w.db", "contacts.csv", "conversations.csv")
        #expect(load.status == 0, "\(load.stderr)")
        try FormulaCells.installReport(besideWarehouseIn: s.url)

        let raw = try s.run("report", "formula_cells", "--db", "w.db", "--format", "csv")
        #expect(raw.stdout == FormulaCells.reportRaw)
        let safe = try s.run("report", "formula_cells", "--db", "w.db", "--format", "csv", "--spreadsheet-safe")
        #expect(safe.status == 0, "\(safe.stderr)")
        #expect(safe.stdout == FormulaCells.reportSafe)
        let list = try s.run("report", "conversation_list", "--db", "w.db", "--spreadsheet-safe")  // piped: csv
        #expect(FormulaCells.runnable(list.stdout).isEmpty, "\(list.stdout)")
        #expect(list.stdout.contains("\"'" + FormulaCells.contactName.replacingOccurrences(of: "\"", with: "\"\"") + "\""))
        for note in FormulaCells.notes { #expect(list.stdout.contains(",'" + note + ","), "\(note)") }
        let rawList = try s.run("report", "conversation_list", "--db", "w.db", "--format", "csv")
        #expect(FormulaCells.runnable(rawList.stdout).count == 4 + 4)  // the name on each row, and each note

        let sql = "SELECT contact_name, summary, -5 AS n FROM conversation_list ORDER BY summary"
        let sqlSafe = try s.run("sql", "--db", "w.db", "--format", "csv", "--spreadsheet-safe", sql)
        #expect(sqlSafe.stdout == """
            contact_name,summary,n
            "'=HYPERLINK(""http://x"",""x"")",'+1+1,-5
            "'=HYPERLINK(""http://x"",""x"")",'-1+1,-5
            "'=HYPERLINK(""http://x"",""x"")",'=1+1,-5
            "'=HYPERLINK(""http://x"",""x"")",'@SUM(1+1),-5

            """)
        let sqlRaw = try s.run("sql", "--db", "w.db", "--format", "csv", sql)
        #expect(sqlRaw.stdout.contains("\n\"=HYPERLINK(\"\"http://x\"\",\"\"x\"\")\",+1+1,-5\n"))

        let shell = try Binary.run(["shell", "--db", "w.db"], in: s.url, input: """
            .mode csv
            SELECT '=1+1' AS f, -5 AS n;
            .spreadsheet-safe on
            SELECT '=1+1' AS f, -5 AS n;
            .report formula_cells
            .spreadsheet-safe off
            SELECT '=1+1' AS f, -5 AS n;

            """)
        #expect(shell.stderr.isEmpty, "\(shell.stderr)")
        #expect(shell.stdout == "f,n\n=1+1,-5\nf,n\n'=1+1,-5\n" + FormulaCells.reportSafe + "f,n\n=1+1,-5\n")

        // Only for csv: with another format it is a mistake, said so.
        let json = try s.run("report", "formula_cells", "--db", "w.db", "--format", "json", "--spreadsheet-safe")
        #expect(json.status != 0)
        #expect(json.stderr.contains("--spreadsheet-safe applies to csv output"), "\(json.stderr)")
    }

    @Test func tableOutputIsForPeople() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let heatmap = try s.run("report", "conversations_opened_heatmap", "--db", "w.db", "--format", "table")
        #expect(heatmap.status == 0)
        let rows = heatmap.stdout.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("Mon ") } && rows.contains { $0.hasPrefix("Sun ") })
        #expect(heatmap.stdout.contains("540 in all"))
        let overview = try s.run("report", "overview", "--db", "w.db", "--format", "table")
        #expect(overview.stdout.contains("│ avg_first_response_seconds    │  4h 54m 22s │"))
        let csv = try s.run("report", "overview", "--db", "w.db")  // piped: csv
        #expect(csv.stdout.contains("avg_first_response_seconds,17662,,"))
    }

    @Test func mistakesAreClearErrors() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let unknown = try s.run("report", "leaderbord", "--db", "w.db")
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("no report named 'leaderbord'. Did you mean leaderboard_first_response_time or leaderboard_resolution_time?"))
        let notTaken = try s.run("report", "overview", "--db", "w.db", "--team", "Support")
        #expect(notTaken.status != 0)
        #expect(notTaken.stderr.contains("report overview does not take --team: it takes --from, --to, --tz"))
        let badDate = try s.run("report", "overview", "--db", "w.db", "--from", "March 1")
        #expect(badDate.status != 0)
        #expect(badDate.stderr.contains("--from takes a date YYYY-MM-DD, not 'March 1'."))
        #expect(!unknown.stderr.contains("Fatal") && !badDate.stderr.contains("Fatal"))
    }

    @Test func yourOwnReportsRunBesideTheBuiltInOnesAndAreViewsInSQL() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        try FileManager.default.createDirectory(at: s.url.appendingPathComponent("queries"), withIntermediateDirectories: true)
        _ = try s.write("queries/closed_per_month.sql", """
            -- name: closed_per_month
            -- description: Conversations closed per month.
            -- params: from, to, tz
            SELECT substr(coalesce(local_time(resolved_ts, :tz), resolved_local), 1, 7) AS month, count(*) AS closed
            FROM fact_conversation WHERE resolved_ts >= :from_ts AND resolved_ts < :to_ts GROUP BY month ORDER BY month
            """)
        let list = try s.run("reports", "--db", "w.db", "--format", "csv")
        #expect(list.stdout.contains("closed_per_month,Conversations closed per month.,--from --to --tz,"))
        #expect(try s.run("report", "closed_per_month", "--db", "w.db").stdout == "month,closed\n2025-02,169\n2025-03,371\n")
        #expect(try s.run("sql", "--db", "w.db", "SELECT sum(closed) AS n FROM closed_per_month").stdout == "n\n540\n")
        let elsewhere = s.url.appendingPathComponent("queries").path
        try FileManager.default.moveItem(atPath: elsewhere, toPath: s.url.appendingPathComponent("mine").path)
        #expect(try s.run("report", "closed_per_month", "--db", "w.db").status != 0)
        #expect(try s.run("report", "closed_per_month", "--db", "w.db", "--queries", "mine").status == 0)
    }

    @Test func reportViewsAreInTheWarehouse() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let view = try s.run("sql", "--db", "w.db", "SELECT kpi, value FROM overview LIMIT 2")
        #expect(view.stdout == "kpi,value\nconversations_opened,540\nconversations_closed,540\n")
        let names = try s.run("sql", "--db", "w.db", "SELECT count(*) AS n FROM sqlite_schema WHERE type = 'view' AND name LIKE '%leaderboard%'")
        #expect(names.stdout == "n\n2\n")
    }
}
