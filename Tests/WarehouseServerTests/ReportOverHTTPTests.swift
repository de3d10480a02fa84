import Foundation
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// GET /reports, /reports/{name} and the dashboard, against the CLI's own output.
@Suite struct ReportOverHTTPTests {
    static func withFixtures(_ store: ServedStoreKind) async throws -> Harness {
        try await Harness(store, timeZone: "Asia/Kuala_Lumpur") { warehouse in
            let files = try FileManager.default.contentsOfDirectory(atPath: Harness.exports.path).filter { $0.hasSuffix(".csv") }
                .map { Harness.exports.appendingPathComponent($0).path }
            for summary in try warehouse.loader().load(paths: files) where !summary.succeeded {
                throw WarehouseError(summary.error ?? "")
            }
            try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 09:00-17:00"]), team: nil, in: warehouse.store)
        }
    }

    @Test(arguments: ServedStoreKind.all) func aReportOverHTTPIsByteForByteTheCommandsOutput(_ store: ServedStoreKind) async throws {
        let h = try await Self.withFixtures(store)
        let cases: [(query: String, options: [String])] = [
            ("overview?from=2025-03-01&to=2025-03-31", ["overview", "--from", "2025-03-01", "--to", "2025-03-31"]),
            ("leaderboard_resolution_time?group-by=team&format=json", ["leaderboard_resolution_time", "--group-by", "team", "--format", "json"]),
            ("conversation_list?team=Support&tz=Europe%2FBerlin", ["conversation_list", "--team", "Support", "--tz", "Europe/Berlin"]),
            ("conversations_opened_vs_closed?by=week&format=csv", ["conversations_opened_vs_closed", "--by", "week"]),
            ("resolved_conversation_anomalies?percentile=75&format=json", ["resolved_conversation_anomalies", "--percentile", "75", "--format", "json"]),
            ("leaderboard_first_response_time?limit=3", ["leaderboard_first_response_time", "--limit", "3"]),
            // A flag alone, or =1, is on.
            ("service_levels?business-hours&group-by=team&first-response-target=2m",
             ["service_levels", "--business-hours", "--group-by", "team", "--first-response-target", "2m"]),
            ("leaderboard_first_response_time?business-hours=1&format=json", ["leaderboard_first_response_time", "--business-hours", "--format", "json"]),
            ("reopened_conversations?within=2d&by=month&format=json", ["reopened_conversations", "--within", "2d", "--by", "month", "--format", "json"]),
        ]
        for (query, options) in cases {
            let http = try await h.get("/reports/" + query, token: h.readToken)
            #expect(http.status == 200, "\(query): \(http.body)")
            var arguments = ["report"] + options + ["--db", h.db]
            // csv over HTTP is spreadsheet-safe (`csvOverHTTPIsSpreadsheetSafeUnlessRaw`).
            if !options.contains("--format") { arguments += ["--format", "csv", "--spreadsheet-safe"] }
            let cli = try Binary.run(arguments)
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(!cli.stdout.isEmpty)
            #expect(http.bytes == cli.stdout, "\(query) differs from warehouse \(arguments.joined(separator: " "))")
            let json = query.contains("format=json")
            #expect(http.headers["Content-Type"].first == (json ? "application/json; charset=utf-8" : "text/csv; charset=utf-8"))
        }
        // The token in the query, as a spreadsheet's IMPORTDATA sends it.
        let sheet = try await h.get("/reports/overview?token=\(h.readToken)&format=csv")
        #expect(sheet.status == 200)
        #expect(sheet.body.hasPrefix("kpi,value,previous_value,change_pct\n"))
        try await h.stop()
    }

    /// CSV injection: csv over HTTP puts a `'` before a text cell a
    /// spreadsheet would run (a contact named `=HYPERLINK(…)`, notes starting
    /// with `@`, `+`, `-`, `=`, a tab, a carriage return), leaves numbers as
    /// they are (`-5`), and is the command's `--spreadsheet-safe` csv;
    /// `raw=1` gives the csv as stored, the command's plain csv.
    @Test func csvOverHTTPIsSpreadsheetSafeUnlessRaw() async throws {
        let h = try await Harness { warehouse in
            let loader = try warehouse.loader()
            for (name, text) in [("contacts.csv", FormulaCells.contacts), ("conversations.csv", FormulaCells.conversations)] {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("formula-\(UUID().uuidString)-\(name)")
                try Data(text.utf8).write(to: file)
                defer { try? FileManager.default.removeItem(at: file) }
                let summary = loader.load(path: file.path)
                if !summary.succeeded || summary.rejected > 0 { throw WarehouseError("\(name): \(summary.error ?? "\(summary.rejects)")") }
            }
        }
        try FormulaCells.installReport(besideWarehouseIn: h.folder)

        let safe = try await h.get("/reports/conversation_list", token: h.readToken)
        #expect(safe.status == 200, "\(safe.body)")
        let cells = FormulaCells.fields(safe.body)
        let (name, summary) = (cells[0].firstIndex(of: "contact_name")!, cells[0].firstIndex(of: "summary")!)
        #expect(Set(cells.dropFirst().map { $0[name] }) == ["'" + FormulaCells.contactName])
        #expect(Set(cells.dropFirst().map { $0[summary] }) == Set(FormulaCells.notes.map { "'" + $0 }))
        #expect(FormulaCells.runnable(safe.body).isEmpty, "\(FormulaCells.runnable(safe.body))")
        let raw = try await h.get("/reports/conversation_list?raw=1", token: h.readToken)
        #expect(raw.status == 200)
        let rawCells = FormulaCells.fields(raw.body)
        #expect(Set(rawCells.dropFirst().map { $0[name] }) == [FormulaCells.contactName])
        #expect(Set(rawCells.dropFirst().map { $0[summary] }) == Set(FormulaCells.notes))
        #expect(try await h.get("/reports/conversation_list?raw=0", token: h.readToken).body == safe.body)

        // A tab, a carriage return, and numbers: -5 stays -5.
        let own = try await h.get("/reports/formula_cells", token: h.readToken)
        #expect(own.status == 200, "\(own.body)")
        #expect(own.body == FormulaCells.reportSafe)
        #expect(try await h.get("/reports/formula_cells?raw=1&format=csv", token: h.readToken).body == FormulaCells.reportRaw)
        // json is never changed: it is not opened by a spreadsheet as formulas.
        let json = try await h.get("/reports/formula_cells?format=json", token: h.readToken)
        #expect(json.body.contains("\"formula\":\"=1+1\"") && json.body.contains("\"negative\":-5"))

        // Byte for byte the command's output: --spreadsheet-safe, and plain csv for raw=1.
        for (query, extra) in [("conversation_list", ["--spreadsheet-safe"]), ("conversation_list?raw=1", []),
                               ("formula_cells", ["--spreadsheet-safe"]), ("formula_cells?raw=1", [])] {
            let http = try await h.get("/reports/" + query, token: h.readToken)
            let cli = try Binary.run(["report", String(query.prefix { $0 != "?" }), "--db", h.db, "--format", "csv"] + extra)
            #expect(cli.status == 0, "\(cli.stderr)")
            #expect(http.bytes == cli.stdout, "\(query)")
        }
        let bad = try await h.get("/reports/formula_cells?raw=yes", token: h.readToken)
        #expect(bad.status == 400)
        #expect(bad.error.contains("raw takes 1"))
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func aBadParameterIs400WithTheCommandsMessage(_ store: ServedStoreKind) async throws {
        let h = try await Self.withFixtures(store)
        for (query, options) in [
            ("overview?by=year", ["overview", "--by", "year"]),
            ("conversations_opened_vs_closed?by=year", ["conversations_opened_vs_closed", "--by", "year"]),
            ("leaderboard_resolution_time?group-by=channel", ["leaderboard_resolution_time", "--group-by", "channel"]),
            ("overview?from=2025-02-30", ["overview", "--from", "2025-02-30"]),
            ("conversation_list?team=Suport", ["conversation_list", "--team", "Suport"]),
            ("overview?tz=Mars%2FOlympus", ["overview", "--tz", "Mars/Olympus"]),
        ] {
            let http = try await h.get("/reports/" + query, token: h.readToken)
            #expect(http.status == 400, "\(query)")
            let cli = try Binary.run(["report"] + options + ["--db", h.db])
            #expect(cli.status != 0)
            #expect(!http.error.isEmpty && cli.stderr.contains(http.error), "\(query): \(http.error) / \(cli.stderr)")
        }
        let unknown = try await h.get("/reports/overview?colour=blue", token: h.readToken)
        #expect(unknown.status == 400)
        #expect(unknown.error.contains("unknown parameter colour"))
        let format = try await h.get("/reports/overview?format=xml", token: h.readToken)
        #expect(format.status == 400)
        let limit = try await h.get("/reports/leaderboard_resolution_time?limit=ten", token: h.readToken)
        #expect(limit.status == 400)
        // A value that tries to be SQL is a value: an unknown team.
        let injection = try await h.get("/reports/conversation_list?team=x'%20OR%201%3D1%20--", token: h.readToken)
        #expect(injection.status == 400)
        #expect(injection.error.contains("no team"))
        let missing = try await h.get("/reports/leaderboard", token: h.readToken)
        #expect(missing.status == 404)
        #expect(missing.error.contains("leaderboard_resolution_time") || missing.error.contains("leaderboard_first_response_time"))
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func theLibraryIsTheCommandsJSON(_ store: ServedStoreKind) async throws {
        let h = try await Self.withFixtures(store)
        let http = try await h.get("/reports", token: h.readToken)
        #expect(http.status == 200)
        let cli = try Binary.run(["reports", "--format", "json", "--db", h.db])
        #expect(http.bytes == cli.stdout)
        #expect(http.body.contains("\"name\":\"overview\"") || http.body.contains("\"name\": \"overview\""))
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func theDashboardIsServedWithAFormForItsPeriod(_ store: ServedStoreKind) async throws {
        let h = try await Self.withFixtures(store)
        let page = try await h.get("/?token=\(h.readToken)")
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"].first == "text/html; charset=utf-8")
        #expect(page.body.contains("form-action 'self'"))
        #expect(page.body.contains("<form class=\"filters\" method=\"get\" action=\"/\">"))
        #expect(page.body.contains("<input type=\"hidden\" name=\"token\" value=\"\(h.readToken)\">"))
        // The form's answer: its empty fields are not given.
        let period = try await h.get("/dashboard?from=2025-03-16&to=2025-03-31&tz=&team=Support&channel=", token: h.readToken)
        #expect(period.status == 200)
        #expect(period.body.contains("value=\"2025-03-16\""))
        #expect(period.body.contains("Support"))
        #expect(!period.body.contains("name=\"token\""))
        // The numbers are the reports': the overview's conversations closed in the period.
        let overview = try await h.get("/reports/overview?from=2025-03-16&to=2025-03-31&format=csv", token: h.readToken)
        let closed = overview.body.split(separator: "\n").first { $0.hasPrefix("conversations_closed,") }?.split(separator: ",")[1]
        #expect(closed != nil)
        #expect(period.body.contains("data-value=\"\(closed ?? "?")\""))
        // The file the command writes keeps its form-action 'none' and has no form.
        let file = try Binary.run(["dashboard", "--db", h.db, "--out", "-"])
        let text = String(decoding: file.stdout, as: UTF8.self)
        #expect(text.contains("form-action 'none'") && !text.contains("<form"))

        let bad = try await h.get("/dashboard?by=week", token: h.readToken)
        #expect(bad.status == 400)
        #expect(try await h.get("/").status == 401)
        try await h.stop()
    }
}
