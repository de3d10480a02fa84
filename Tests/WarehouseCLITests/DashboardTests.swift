import Foundation
import Testing

/// A dashboard page read back: its tables, as the report values each cell keeps.
struct DashboardPage {
    struct Table {
        let report: String
        let by: String?
        let groupBy: String?
        /// Each row's cells: (data-column, data-value).
        let rows: [[(column: String, value: String)]]
    }

    let html: String

    static func unescaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let start = (" " + tag).range(of: " \(name)=\"") else { return nil }
        let tag = " " + tag
        return unescaped(String(tag[start.upperBound...].prefix { $0 != "\"" }))
    }

    var tables: [Table] {
        html.components(separatedBy: "<table ").dropFirst().map { chunk in
            let body = chunk.components(separatedBy: "</table>")[0]
            let tag = body.prefix { $0 != ">" }
            let rows = body.components(separatedBy: "<tbody>").last!.components(separatedBy: "<tr").dropFirst().map { row in
                row.components(separatedBy: " data-column=\"").dropFirst().map { cell -> (String, String) in
                    let column = String(cell.prefix { $0 != "\"" })
                    return (Self.unescaped(column), Self.attribute("data-value", in: cell[...]) ?? "?")
                }
            }
            return Table(report: Self.attribute("data-report", in: tag) ?? "?", by: Self.attribute("data-by", in: tag),
                         groupBy: Self.attribute("data-group-by", in: tag), rows: rows)
        }
    }

    /// The text of every `src="…"` and `href="…"`.
    var links: [String] {
        let parts = html.components(separatedBy: "=\"")
        return parts.indices.dropFirst().compactMap { i -> String? in
            let before = parts[i - 1]
            guard before.hasSuffix(" src") || before.hasSuffix(" href") else { return nil }
            return String(parts[i].prefix { $0 != "\"" })
        }
    }
}

/// The page's section ids, in the order a manager reads them (SPEC section 7).
let dashboardSections = [
    "overview", "busiest-hours", "opened-vs-closed", "new-vs-returning", "incoming-by-channel", "outgoing-by-source",
    "leaderboard-first-response", "leaderboard-resolution", "first-response-breakdown", "resolution-breakdown",
    "user-performance", "agent-opened", "anomalies",
]

@Suite(.serialized) struct DashboardTests {
    func dashboard(_ parameters: [String]) throws -> DashboardPage {
        let load = try #require(ConformanceWarehouse.loaded)
        try #require(load.status == 0, "loading the fixtures failed: \(load.stderr)")
        let run = try Binary.run(["dashboard", "--db", "w.db", "--out", "-"] + parameters, in: ConformanceWarehouse.directory)
        try #require(run.status == 0, "\(run.stderr)")
        return DashboardPage(html: run.stdout)
    }

    func report(_ name: String, _ parameters: [String]) throws -> [[String]] {
        let run = try Binary.run(["report", name, "--db", "w.db", "--format", "csv"] + parameters, in: ConformanceWarehouse.directory)
        try #require(run.status == 0, "\(run.stderr)")
        return parseCSV(run.stdout)
    }

    /// Which parameters each report takes, as `warehouse reports` lists them.
    func parametersTaken() throws -> [String: Set<String>] {
        let rows = parseCSV(try Binary.run(["reports", "--db", "w.db", "--format", "csv"], in: ConformanceWarehouse.directory).stdout)
        return Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], Set($0[2].split(separator: " ").map(String.init))) })
    }

    static let periods: [[String]] = [
        [],
        ["--from", "2025-03-05", "--to", "2025-03-18"],
        ["--from", "2025-03-01", "--to", "2025-03-31", "--team", "Support", "--tz", "UTC"],
        ["--channel", "WhatsApp Main", "--from", "2025-02-01", "--to", "2025-02-28"],
    ]

    /// The report runs of the page.
    static let runs = [
        "overview", "conversations_opened_heatmap", "conversations_opened_vs_closed", "conversations_opened_by_contact_type",
        "incoming_messages_by_channel", "outgoing_messages_by_source", "leaderboard_first_response_time --group-by user",
        "leaderboard_first_response_time --group-by team", "leaderboard_resolution_time --group-by user", "leaderboard_resolution_time --group-by team",
        "first_response_time_breakdown", "resolution_time_breakdown", "user_performance", "agent_opened_conversations", "resolved_conversation_anomalies",
        "service_levels", "reopened_conversations",
    ]

    /// Every table of the page holds the rows of its report run with the page's
    /// parameters that the report takes: the same values, in the same order.
    @Test(arguments: periods)
    func thePagesFiguresAreTheReports(_ parameters: [String]) throws {
        let page = try dashboard(parameters)
        let takes = try parametersTaken()
        func arguments(_ report: String) -> [String] {
            var arguments: [String] = []
            for pair in stride(from: 0, to: parameters.count, by: 2) where takes[report]?.contains(parameters[pair]) == true {
                arguments += [parameters[pair], parameters[pair + 1]]
            }
            return arguments
        }
        let tables = page.tables
        // A report without a table on the page has nothing to show: no row, or only zeros.
        let shown = Set(tables.map { $0.report + ($0.groupBy.map { " --group-by " + $0 } ?? "") })
        #expect(parameters.isEmpty ? shown.count == 17 : shown.count >= 10, "\(shown)")
        for run in Self.runs where !shown.contains(run) {
            let words = run.split(separator: " ").map(String.init)
            let rows = try report(words[0], arguments(words[0]) + words.dropFirst()).dropFirst()
            #expect(rows.allSatisfy { $0.allSatisfy { !$0.isEmpty && $0 != "0" ? Double($0) == nil : true } } || rows.isEmpty, "\(run): \(rows)")
        }
        for table in tables {
            var arguments = arguments(table.report)
            if let by = table.by { arguments += ["--by", by] }
            if let groupBy = table.groupBy { arguments += ["--group-by", groupBy] }
            let csv = try report(table.report, arguments)
            let columns = csv[0], rows = Array(csv.dropFirst())
            func value(_ row: [String], _ column: String) -> String? { columns.firstIndex(of: column).map { row[$0] } }
            let context = "\(table.report) \(arguments)"
            switch table.report {
            case "conversations_opened_heatmap":
                // A grid: a row per weekday (its number), a cell per hour.
                #expect(table.rows.count == 7 && rows.count == 168, "\(context)")
                for row in rows {
                    let day = Int(value(row, "weekday")!)!, hour = Int(value(row, "hour")!)!
                    #expect(table.rows[day - 1][0].value == String(day))
                    #expect(table.rows[day - 1][hour + 1].value == value(row, "conversations_opened"), "\(context) \(row)")
                }
            case "conversations_opened_by_contact_type":
                // New and returning side by side, a row per period.
                let periods = rows.map { value($0, "period")! }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
                #expect(table.rows.map { $0[0].value } == periods, "\(context)")
                for row in rows {
                    let cells = try #require(table.rows.first { $0[0].value == value(row, "period") })
                    #expect(cells[value(row, "contact_type") == "new" ? 1 : 2].value == value(row, "conversations_opened"), "\(context) \(row)")
                }
            default:
                // The page keeps the newest of the long and busy conversations, all of every other report.
                let expected = table.report == "resolved_conversation_anomalies" ? Array(rows.prefix(25)) : rows
                #expect(table.rows.count == expected.count, "\(context): \(table.rows.count) rows, the report has \(expected.count)")
                for (cells, row) in zip(table.rows, expected) {
                    for cell in cells {
                        #expect(value(row, cell.column) == cell.value, "\(context) \(cell.column)")
                    }
                }
            }
        }
    }

    @Test func durationsReadAsHoursAndMinutesAndKPIsSayWhetherTheirChangeIsGood() throws {
        let all = try dashboard([])
        // avg_first_response_seconds 17662 over all data: 4h 54m 22s.
        #expect(all.html.contains("<span class=\"kpi-value\">4h 54m</span>"))
        #expect(all.html.contains("No previous period to compare with"))
        let march = try dashboard(["--from", "2025-03-01", "--to", "2025-03-31", "--tz", "America/New_York"])
        let overview = try report("overview", ["--from", "2025-03-01", "--to", "2025-03-31", "--tz", "America/New_York"])
        let closed = try #require(overview.first { $0[0] == "conversations_closed" })
        let change = try #require(Double(closed[3]))
        // More conversations closed is good; a KPI card says so beside its arrow.
        #expect(march.html.contains("<li class=\"kpi \(change > 0 ? "good" : "bad")\">\n<span class=\"kpi-label\">Conversations closed</span>"))
        #expect(march.html.contains("(a volume: neither good nor bad)"))
        // The overview's changes are percentages, its durations' too.
        let changes = march.html.components(separatedBy: "data-column=\"change_pct\" data-value=\"").dropFirst()
        #expect(changes.count == 8)
        for change in changes {
            let text = change.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" }
            #expect(text.hasSuffix("%") || text == "—", "\(text)")
        }
        #expect(march.html.contains("1 Mar – 31 Mar 2025 (America/New_York)"))
    }

    @Test func thePageFetchesNothingAndHasEverySection() throws {
        let page = try dashboard(["--from", "2025-03-05", "--to", "2025-03-18", "--team", "Support"])
        let html = page.html
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:;"))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("url(") && !html.contains("@import"))
        #expect(!page.links.isEmpty)
        for link in page.links { #expect(link.hasPrefix("#"), "\(link)") }
        #expect(html.contains("@media print") && html.contains("@page { size: A4"))
        #expect(html.contains("<meta name=\"viewport\" content=\"width=device-width"))
        var position = html.startIndex
        for id in dashboardSections {
            let tag = try #require(html.range(of: "<section id=\"\(id)\"", range: position..<html.endIndex), "section \(id), in order")
            position = tag.upperBound
            let section = html[tag.upperBound...].components(separatedBy: "</section>")[0]
            #expect(section.contains("<h2 id=\"\(id)-heading\">"), "\(id)")
            #expect(section.contains("<p class=\"scope\">5 Mar – 18 Mar 2025 (Asia/Kuala_Lumpur)"), "\(id)")
            #expect((section.contains("<svg") && section.contains("<table")) || section.contains("<p class=\"empty\">"),
                    "\(id): a chart and its numbers, or words")
        }
        // Each chart is an image named by its own title.
        for svg in html.components(separatedBy: "<svg ").dropFirst() {
            let labelled = try #require(DashboardPage.attribute("aria-labelledby", in: svg[...]))
            #expect(svg.contains("role=\"img\"") && svg.contains("<title id=\"\(labelled)\">"))
        }
        // A report without a team filter says so instead of looking filtered.
        #expect(html.contains("all teams (this report has no team filter)"))
        #expect(html.contains("team Support"))
    }

    @Test func anEmptyPeriodIsSaidInWords() throws {
        let page = try dashboard(["--from", "2024-01-01", "--to", "2024-01-31"])
        for id in dashboardSections { #expect(page.html.contains("<section id=\"\(id)\"")) }
        #expect(!page.html.contains("<svg"))
        for sentence in ["No conversations opened in this period.", "No conversations opened or closed in this period.",
                         "No incoming messages in this period.", "No conversation closed in this period has a first response time.",
                         "No user activity in this period"] {
            #expect(page.html.contains(sentence), "\(sentence)")
        }
    }

    @Test func oneDayIsAPointAndAYearGoesByWeek() throws {
        let day = try dashboard(["--from", "2025-03-05", "--to", "2025-03-05"])
        let chart = try #require(day.html.components(separatedBy: "id=\"chart-opened-vs-closed\"").dropFirst().first?.components(separatedBy: "</svg>").first)
        #expect(!chart.contains("<polyline") && chart.contains("<circle"))
        let year = try dashboard(["--from", "2025-01-01", "--to", "2025-12-31"])
        #expect(year.html.contains("data-report=\"conversations_opened_vs_closed\" data-by=\"week\""))
        #expect(year.html.contains("Per week (weeks start on Monday)"))
        let all = try dashboard([])  // the fixtures span 45 days
        #expect(all.html.contains("data-report=\"conversations_opened_vs_closed\" data-by=\"day\""))
    }

    @Test func parametersAreCheckedAsWarehouseReportChecksThem() throws {
        let load = try #require(ConformanceWarehouse.loaded)
        try #require(load.status == 0)
        func stderr(_ arguments: [String]) throws -> (Int32, String) {
            let run = try Binary.run(arguments + ["--db", "w.db"], in: ConformanceWarehouse.directory)
            return (run.status, run.stderr)
        }
        for bad in [["--from", "March 1"], ["--to", "2025-02-30"], ["--from", "2025-03-10", "--to", "2025-03-01"], ["--tz", "Mars/Base"],
                    ["--team", "Suport"], ["--channel", "Telegrm"]] {
            let (status, page) = try stderr(["dashboard", "--out", "-"] + bad)
            let (_, report) = try stderr(["report", "conversations_opened_heatmap"] + bad)
            #expect(status == 1 && page == report && page.split(separator: "\n").count == 1, "\(bad): \(page)")
        }
        let user = try stderr(["dashboard", "--user", "Priya Nair"])
        #expect(user.0 == 1 && user.1.contains("unknown option --user: the parameters are --from, --to, --tz, --team, --channel, --business-hours, --first-response-target, --resolution-target, --within."), "\(user.1)")
    }

    @Test func thePageIsWrittenToAFileALinkOrStandardOutput() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let plain = try s.run("dashboard", "--db", "w.db")
        #expect(plain.status == 0 && plain.stdout.isEmpty && plain.stderr.isEmpty, "\(plain.stderr)")
        let written = try String(contentsOf: s.url.appendingPathComponent("dashboard.html"), encoding: .utf8)
        #expect(written.hasPrefix("<!DOCTYPE html>") && written.hasSuffix("</html>"))
        // A link is written through: it still points where it did.
        let target = try s.write("target.html", "old")
        try FileManager.default.createSymbolicLink(atPath: s.url.appendingPathComponent("link.html").path, withDestinationPath: target)
        #expect(try s.run("dashboard", "--db", "w.db", "--out", "link.html").status == 0)
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: s.url.appendingPathComponent("link.html").path)
        #expect(link == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        // What cannot be written is one line, the system's reason; no trap.
        for (path, reason) in [("/dev/full", "No space left on device"), ("missing/page.html", "No such file or directory")] {
            let failed = try s.run("dashboard", "--db", "w.db", "--out", path)
            #expect(failed.status == 1 && failed.stderr == "Error: cannot write \(path): \(reason)\n", "\(failed.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.url.path).filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left")
        let stdout = try s.run("dashboard", "--db", "w.db", "--out", "-")
        #expect(stdout.stdout.hasPrefix("<!DOCTYPE html>"))
    }
}
