import Foundation
import Testing
@testable import WarehouseCore

/// A current-form conversations file from rows of column → value (other columns blank).
func conversationsFile(_ rows: [[String: String]]) -> String {
    let columns = conversationHeader.split(separator: ",").map(String.init)
    return ([conversationHeader] + rows.map { row in columns.map { row[$0] ?? "" }.joined(separator: ",") })
        .joined(separator: "\n") + "\n"
}

let usersFile = """
    User ID,First Name,Last Name,Email,Role,Team
    1,Ann,Lee,ann@x,agent,Support
    2,Bob,Ray,bob@x,agent,Support;Sales
    3,Cy,,cy@x,agent,Sales
    """

@Suite struct ReportTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func warehouse(_ files: [(String, String)], timeZone: String = "UTC") throws -> Warehouse {
        let w = try dir.warehouse(timeZone: timeZone)
        let summaries = try Loader(warehouse: w).load(paths: files.map { try dir.write($0.0, $0.1) })
        for s in summaries { #expect(s.error == nil, "\(s.fileName): \(s.error ?? "")") ; #expect(s.rejected == 0, "\(s.rejects)") }
        return w
    }

    func run(_ w: Warehouse, _ name: String, _ arguments: ReportArguments = ReportArguments()) throws -> ResultTable {
        try w.run(ReportLibrary().report(named: name), arguments)
    }

    func column(_ t: ResultTable, _ name: String) -> [SQLValue] {
        let i = t.columns.firstIndex(of: name)!
        return t.rows.map { $0[i] }
    }

    /// Closed conversations with the given first response and resolution times (seconds, "" for blank).
    func timed(_ rows: [(id: String, responder: String, frt: String, rt: String)], day: String = "2025-03-10") -> String {
        conversationsFile(rows.enumerated().map { i, r in
            ["Conversation ID": r.id, "DateTime Conversation Started": "\(day) 09:00:00",
             "DateTime Conversation Resolved": "\(day) 1\(i % 10):00:00", "Contact ID": "c\(i)", "Assignee": r.responder,
             "First Response By": r.responder, "Closed By": r.responder, "First Response Time": r.frt, "Resolution Time": r.rt,
             "Number of Incoming Messages": "1", "Number of Outgoing Messages": "1"]
        })
    }

    // MARK: Definitions

    @Test func everyBuiltInReportIsAViewOfTheSameNameWithItsDefaultResult() throws {
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([("1", "1", "10", "100"), ("2", "2", "40", "4000")]))])
        #expect(ReportLibrary.builtIn.count == 16)
        for report in ReportLibrary.builtIn {
            let viaView = try w.db.table("SELECT * FROM \"\(report.name)\"")
            let viaReport = try w.run(report)
            #expect(viaView.columns == viaReport.columns, "\(report.name)")
            #expect(viaView.rows == viaReport.rows, "\(report.name)")
            #expect(report.columns.map(\.name).filter { report.optionalColumns[$0] == nil } == viaReport.columns,
                    "\(report.name): the header's columns")
        }
    }

    @Test func anEmptyPeriodGivesEmptyOrZeroRows() throws {
        let w = try warehouse([("c.csv", timed([("1", "1", "10", "100")]))])
        let empty = ReportArguments(from: "2030-01-01", to: "2030-01-31")
        let heatmap = try run(w, "conversations_opened_heatmap", empty)
        #expect(heatmap.rows.count == 168)
        #expect(column(heatmap, "conversations_opened").allSatisfy { $0 == .integer(0) })
        let breakdown = try run(w, "first_response_time_breakdown", empty)
        #expect(column(breakdown, "bucket").map(\.description) == ["< 30s", "30s - 2m", "2m - 5m", "5m - 10m", "10m - 30m", "30m - 1h", "> 1h"])
        #expect(column(breakdown, "conversations").allSatisfy { $0 == .integer(0) })
        #expect(column(breakdown, "share_pct").allSatisfy { $0 == .null })
        #expect(try run(w, "resolution_time_breakdown", empty).rows.count == 6)
        for name in ["leaderboard_first_response_time", "user_performance", "conversation_list", "resolved_conversation_anomalies",
                     "conversations_opened_vs_closed", "conversations_opened_by_contact_type", "agent_opened_conversations",
                     "incoming_messages_by_channel", "outgoing_messages_by_source"] {
            #expect(try run(w, name, empty).rows.isEmpty, "\(name)")
        }
        let overview = try run(w, "overview", empty)
        #expect(column(overview, "value") == [.integer(0), .integer(0), .integer(0), .integer(0), .null, .null, .null, .null])
        #expect(column(overview, "change_pct").allSatisfy { $0 == .null })
    }

    @Test func leaderboardTiesGoByNameAndGroupsWithoutAnAverageComeLast() throws {
        // Ann and Bob tie on 20 s; Cy has no first response at all; user 4 is faster.
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([
            ("1", "2", "10", "1"), ("2", "2", "30", "1"), ("3", "1", "20", "1"),
            ("4", "3", "", "1"), ("5", "4", "5", "1"), ("6", "1", "", "1"),
        ]))])
        let board = try run(w, "leaderboard_first_response_time")
        #expect(column(board, "name").map(\.description) == ["4", "Ann Lee", "Bob Ray", "Cy"])
        #expect(column(board, "rank") == [1, 2, 3, 4].map { .integer($0) })
        #expect(column(board, "conversations") == [1, 2, 2, 1].map { .integer($0) })  // Ann's unanswered one counts
        #expect(column(board, "avg_first_response_seconds") == [.integer(5), .integer(20), .integer(20), .null])
        #expect(column(board, "median_first_response_seconds") == [.integer(5), .integer(20), .integer(20), .null])
        let top2 = try run(w, "leaderboard_first_response_time", ReportArguments(limit: 2))
        #expect(column(top2, "name").map(\.description) == ["4", "Ann Lee"])
    }

    /// leaderboard_resolution_time's order: the exact average (before it is
    /// rounded for the column), then the name, not the user's key. Zoe is met before Amy (and listed
    /// first in the users file), so her key is the smaller: a tie broken by key
    /// would put her first; Cy's 100.4 shows as 100 but is slower than both.
    @Test func resolutionLeaderboardTiesGoByExactAverageThenName() throws {
        let users = """
            User ID,First Name,Last Name,Email,Role,Team
            1,Zoe,,zoe@x,agent,Support
            2,Amy,,amy@x,agent,Support
            3,Cy,,cy@x,agent,Sales
            """
        let w = try warehouse([("users.csv", users), ("c.csv", timed([
            ("1", "1", "", "100"), ("2", "3", "", "100"), ("3", "2", "", "100"), ("4", "3", "", "100"),
            ("5", "3", "", "100"), ("6", "3", "", "100"), ("7", "3", "", "102"),
        ]))])
        #expect(try w.db.int("SELECT user_key FROM dim_user WHERE user_name = 'Zoe'")! < w.db.int("SELECT user_key FROM dim_user WHERE user_name = 'Amy'")!)
        let board = try run(w, "leaderboard_resolution_time")
        #expect(column(board, "name").map(\.description) == ["Amy", "Zoe", "Cy"])
        #expect(column(board, "rank") == [1, 2, 3].map { .integer($0) })
        #expect(column(board, "avg_resolution_seconds") == [.integer(100), .integer(100), .integer(100)])
        #expect(column(board, "conversations") == [1, 1, 5].map { .integer($0) })
        let top1 = try run(w, "leaderboard_resolution_time", ReportArguments(limit: 1))
        #expect(column(top1, "name").map(\.description) == ["Amy"])
    }

    @Test func averagesAndMediansRoundHalfAwayFromZeroOverTheNonBlankValues() throws {
        // Bob: 1, 2 → mean 1.5 → 2, median 1.5 → 2. Ann: 1, 2, 4, 4 → mean 2.75 → 3, median 3; p90 rank 4 → 4.
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([
            ("1", "2", "1", ""), ("2", "2", "2", ""), ("3", "1", "1", ""), ("4", "1", "4", ""), ("5", "1", "2", ""),
            ("6", "1", "4", ""), ("7", "1", "", ""),
        ]))])
        let board = try run(w, "leaderboard_first_response_time")
        #expect(column(board, "name").map(\.description) == ["Bob Ray", "Ann Lee"])
        #expect(column(board, "avg_first_response_seconds") == [.integer(2), .integer(3)])
        #expect(column(board, "median_first_response_seconds") == [.integer(2), .integer(3)])
        #expect(column(board, "p90_first_response_seconds") == [.integer(2), .integer(4)])
    }

    @Test func blankDurationsAreLeftOutNeverCountedAsZero() throws {
        // No first response anywhere (and no first response timestamp to derive one from).
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([("1", "1", "", "60"), ("2", "2", "", "60")]))])
        let board = try run(w, "leaderboard_first_response_time")
        #expect(column(board, "conversations") == [.integer(1), .integer(1)])
        for statistic in ["avg_first_response_seconds", "median_first_response_seconds", "p90_first_response_seconds"] {
            #expect(column(board, statistic).allSatisfy { $0 == .null })
        }
        let breakdown = try run(w, "first_response_time_breakdown")
        #expect(column(breakdown, "conversations").allSatisfy { $0 == .integer(0) })
        #expect(column(breakdown, "share_pct").allSatisfy { $0 == .null })
        let performance = try run(w, "user_performance")
        #expect(column(performance, "avg_first_response_seconds").allSatisfy { $0 == .null })
        #expect(column(performance, "avg_resolution_seconds") == [.integer(60), .integer(60)])
    }

    @Test func breakdownBoundsAreInclusiveBelow() throws {
        let w = try warehouse([("c.csv", timed([("1", "1", "29", "3599"), ("2", "1", "30", "3600"), ("3", "1", "3600", "259200"), ("4", "1", "", "")]))])
        let frt = try run(w, "first_response_time_breakdown")
        #expect(column(frt, "conversations") == [1, 1, 0, 0, 0, 0, 1].map { .integer($0) })
        #expect(column(frt, "share_pct") == [33.33, 33.33, 0, 0, 0, 0, 33.33].map { .real($0) })
        let rt = try run(w, "resolution_time_breakdown")
        // The fourth has no Resolution Time: it is derived from its timestamps, 09:00 to 13:00.
        #expect(column(rt, "conversations") == [1, 1, 1, 0, 0, 1].map { .integer($0) })
    }

    @Test func theHeatmapCountsLocalWallTimeAcrossDSTChanges() throws {
        // New York: 2025-11-02 01:30 happens twice (EDT, then EST); the export's local
        // times are read as the earlier instant. 2025-03-09 02:30 never happens.
        let w = try warehouse([("c.csv", conversationsFile([
            ["Conversation ID": "1", "DateTime Conversation Started": "2025-11-02 01:30:00", "DateTime Conversation Resolved": "2025-11-02 05:00:00"],
            ["Conversation ID": "2", "DateTime Conversation Started": "2025-11-02T01:30:00-05:00", "DateTime Conversation Resolved": "2025-11-02 05:00:00"],
            ["Conversation ID": "3", "DateTime Conversation Started": "2025-03-09 03:15:00", "DateTime Conversation Resolved": "2025-03-09 05:00:00"],
        ]))], timeZone: "America/New_York")
        func cell(_ t: ResultTable, _ weekday: Int, _ hour: Int) -> SQLValue {
            t.rows.first { $0[0] == .integer(Int64(weekday)) && $0[2] == .integer(Int64(hour)) }![3]
        }
        let local = try run(w, "conversations_opened_heatmap")
        #expect(cell(local, 7, 1) == .integer(2))   // both 01:30s on Sunday
        #expect(cell(local, 7, 3) == .integer(1))
        #expect(column(local, "conversations_opened").map { $0.int64 ?? 0 }.reduce(0, +) == 3)
        let utc = try run(w, "conversations_opened_heatmap", ReportArguments(tz: "UTC"))
        #expect(cell(utc, 7, 5) == .integer(1))     // 01:30 EDT = 05:30 UTC
        #expect(cell(utc, 7, 6) == .integer(1))       // 01:30 EST = 06:30 UTC
        #expect(cell(utc, 7, 7) == .integer(1))     // 03:15 EDT = 07:15 UTC
        // --from/--to are days of the reporting zone: 2025-11-02 in New York is 25 hours long.
        let day = try run(w, "conversations_opened_vs_closed", ReportArguments(from: "2025-11-02", to: "2025-11-02"))
        #expect(day.rows == [[.text("2025-11-02"), .integer(2), .integer(2)]])
    }

    @Test func newAndReturningIsDecidedOverAllConversations() throws {
        let w = try warehouse([("c.csv", conversationsFile([
            ["Conversation ID": "20", "DateTime Conversation Started": "2025-03-01 09:00:00", "DateTime Conversation Resolved": "2025-03-01 10:00:00", "Contact ID": "a"],
            ["Conversation ID": "3", "DateTime Conversation Started": "2025-03-01 09:00:00", "DateTime Conversation Resolved": "2025-03-01 10:00:00", "Contact ID": "b"],
            ["Conversation ID": "10", "DateTime Conversation Started": "2025-03-01 09:00:00", "DateTime Conversation Resolved": "2025-03-01 10:00:00", "Contact ID": "b"],
            ["Conversation ID": "4", "DateTime Conversation Started": "2025-03-05 09:00:00", "DateTime Conversation Resolved": "2025-03-05 10:00:00", "Contact ID": "a"],
        ]))])
        let all = try run(w, "conversations_opened_by_contact_type")
        #expect(all.rows == [
            [.text("2025-03-01"), .text("new"), .integer(2)], [.text("2025-03-01"), .text("returning"), .integer(1)],
            [.text("2025-03-05"), .text("new"), .integer(0)], [.text("2025-03-05"), .text("returning"), .integer(1)],
        ])
        // Filtered to the later day, contact a's conversation is still returning.
        let later = try run(w, "conversations_opened_by_contact_type", ReportArguments(from: "2025-03-02", by: "month"))
        #expect(later.rows == [[.text("2025-03"), .text("new"), .integer(0)], [.text("2025-03"), .text("returning"), .integer(1)]])
    }

    @Test func overviewComparesWithTheSameLengthPeriodBefore() throws {
        let w = try warehouse([("c.csv", conversationsFile([
            ["Conversation ID": "1", "DateTime Conversation Started": "2025-03-01 09:00:00", "DateTime Conversation Resolved": "2025-03-01 10:00:00", "First Response Time": "00:01:00"],
            ["Conversation ID": "2", "DateTime Conversation Started": "2025-03-03 09:00:00", "DateTime Conversation Resolved": "2025-03-03 10:00:00", "First Response Time": "00:01:30"],
            ["Conversation ID": "3", "DateTime Conversation Started": "2025-03-04 09:00:00", "DateTime Conversation Resolved": "2025-03-04 10:00:00"],
        ]))])
        let o = try run(w, "overview", ReportArguments(from: "2025-03-03", to: "2025-03-04"))
        #expect(column(o, "kpi").first == .text("conversations_opened"))
        #expect(o.rows[0] == [.text("conversations_opened"), .integer(2), .integer(1), .real(100)])
        #expect(o.rows[4] == [.text("avg_first_response_seconds"), .integer(90), .integer(60), .real(50)])
        let noPeriod = try run(w, "overview")
        #expect(column(noPeriod, "previous_value").allSatisfy { $0 == .null })
    }

    @Test func anomaliesExceedBothPercentilesStrictly() throws {
        var rows: [[String: String]] = []
        for i in 1...10 {
            rows.append(["Conversation ID": "\(i)", "DateTime Conversation Started": "2025-03-01 09:00:00",
                         "DateTime Conversation Resolved": "2025-03-0\(i < 10 ? "2" : "3") 10:00:00",
                         "Resolution Time": "\(i * 100)", "Number of Incoming Messages": "\(i)", "Number of Outgoing Messages": i == 10 ? "" : "1"])
        }
        let w = try warehouse([("c.csv", conversationsFile(rows))])
        // p90 of resolution = 900 (rank 9), of messages = 10 (9 + 1): conversation 10 has 1000 s but 10 messages.
        #expect(try run(w, "resolved_conversation_anomalies").rows.isEmpty)
        let p75 = try run(w, "resolved_conversation_anomalies", ReportArguments(percentile: 75))
        #expect(column(p75, "conversation_id").map(\.description) == ["10", "9"])  // newest closed first
        let list = try run(w, "conversation_list", ReportArguments(from: "2025-03-03"))
        #expect(list.rows.count == 1)
        #expect(column(list, "messages") == [.integer(10)])  // a blank count adds nothing
    }

    // MARK: Parameters

    @Test func aParameterTheReportDoesNotTakeIsAnErrorListingThoseItDoes() throws {
        let w = try warehouse([("c.csv", timed([("1", "1", "10", "100")]))])
        let error = #expect(throws: WarehouseError.self) { try run(w, "overview", ReportArguments(team: "Support")) }
        #expect(error?.description == "report overview does not take --team: it takes --from, --to, --tz, --business-hours (and --format).")
    }

    @Test func badValuesAreClearErrors() throws {
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([("1", "1", "10", "100")]))])
        let cases: [(ReportArguments, String)] = [
            (ReportArguments(from: "2025-02-30"), "--from takes a date YYYY-MM-DD, not '2025-02-30'."),
            (ReportArguments(from: "2025-03-02", to: "2025-03-01"), "--to 2025-03-01 is before --from 2025-03-02."),
            (ReportArguments(tz: "Mars/Base"), "--tz: unknown time zone 'Mars/Base'"),
            (ReportArguments(limit: -1), "--limit takes"),
            (ReportArguments(team: "Suport"), "--team: no team 'Suport'. Did you mean Support?"),
        ]
        for (arguments, message) in cases {
            let report = arguments.team != nil ? "conversation_list" : "leaderboard_first_response_time"
            let error = #expect(throws: WarehouseError.self) { try run(w, report, arguments) }
            #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "")")
        }
        let user = #expect(throws: WarehouseError.self) { try run(w, "user_performance", ReportArguments(user: "Anne Lee")) }
        #expect(user?.description == "--user: no user has the ID or name 'Anne Lee'. Did you mean Ann Lee?")
        let percentile = #expect(throws: WarehouseError.self) { try run(w, "resolved_conversation_anomalies", ReportArguments(percentile: 0)) }
        #expect(percentile?.description.hasPrefix("--percentile takes a number above 0") == true)
    }

    @Test func usersTeamsAndChannelsAreFoundByIDOrNameInAnyCase() throws {
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([("1", "1", "10", "100"), ("2", "2", "10", "100")]))])
        for given in ["2", "2.0", "bob ray", "BOB RAY"] {
            let t = try run(w, "user_performance", ReportArguments(user: given))
            #expect(column(t, "user_id") == [.text("2")], "\(given)")
        }
        let sales = try run(w, "user_performance", ReportArguments(team: "sales"))
        #expect(column(sales, "user_id") == [.text("2")])
        #expect(column(sales, "team") == [.text("Support;Sales")])
    }

    @Test func unknownReportsGetTheClosestNames() throws {
        let error = #expect(throws: WarehouseError.self) { try ReportLibrary().report(named: "leaderbord_resolution") }
        #expect(error?.description.contains("Did you mean leaderboard_resolution_time") == true, "\(error?.description ?? "")")
    }

    @Test func parametersAreBoundNeverSpliced() throws {
        let w = try warehouse([("users.csv", usersFile), ("c.csv", timed([("1", "1", "10", "100")]))])
        let hostile = "x'); DROP TABLE fact_conversation; --"
        #expect(throws: WarehouseError.self) { try run(w, "conversation_list", ReportArguments(team: hostile)) }
        #expect(throws: WarehouseError.self) { try run(w, "conversation_list", ReportArguments(tz: hostile)) }
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 1)
    }

    @Test func theDateKeysBoundTheWorkspaceDaysOfThePeriodInAnyZone() throws {
        // Opened 2025-03-09 23:30 UTC (the workspace's zone): 2025-03-10 08:30 in Tokyo.
        let w = try warehouse([("c.csv", conversationsFile([
            ["Conversation ID": "1", "DateTime Conversation Started": "2025-03-09 23:30:00",
             "DateTime Conversation Resolved": "2025-03-10 01:00:00", "Contact ID": "c1"]]))])
        let report = try ReportLibrary().report(named: "conversations_opened_vs_closed")
        let tokyo = try ReportParameters.resolve(ReportArguments(from: "2025-03-10", to: "2025-03-10", tz: "Asia/Tokyo"), for: report, in: w)
        #expect(tokyo["from_date_key"] == .integer(20250308))  // 2025-03-09 15:00 UTC, a day earlier
        #expect(tokyo["to_date_key"] == .integer(20250311))    // 2025-03-10 14:59:59 UTC, a day later
        let own = try ReportParameters.resolve(ReportArguments(from: "2025-03-10", to: "2025-03-10"), for: report, in: w)
        #expect(own["from_date_key"] == .integer(20250310) && own["to_date_key"] == .integer(20250310))

        // The stored workspace day (03-09) is outside Tokyo's day but inside its bound.
        let t = try run(w, "conversations_opened_vs_closed", ReportArguments(from: "2025-03-10", to: "2025-03-10", tz: "Asia/Tokyo"))
        #expect(t.rows == [[.text("2025-03-10"), .integer(1), .integer(1)]])
        let utc = try run(w, "conversations_opened_vs_closed", ReportArguments(from: "2025-03-10", to: "2025-03-10"))
        #expect(utc.rows == [[.text("2025-03-10"), .integer(0), .integer(1)]])
    }

    // MARK: The library

    @Test func headersAreParsedAndChecked() throws {
        let text = """
            -- name: mine
            -- title: Mine
            -- description: A report of my own
            --   over two lines.
            -- params: from, to, by
            -- optional_columns: period (with --by)
            -- columns:
            --   period: the period
            --   n: how many
            SELECT :by AS period, count(*) AS n FROM fact_conversation WHERE started_ts >= :from_ts AND started_ts < :to_ts;
            """
        let report = try Report(text: text, expectedName: "mine", source: "/x/mine.sql")
        #expect(report.description == "A report of my own over two lines.")
        #expect(report.parameters == [.from, .to, .by])
        #expect(report.columns.map(\.name) == ["period", "n"])
        #expect(report.optionalColumns == ["period": .by])
        #expect(report.sql.hasPrefix("SELECT") && !report.sql.hasSuffix(";"))
        #expect(throws: Report.HeaderError.self) { try Report(text: text, expectedName: "other", source: "/x/other.sql") }
        #expect(throws: Report.HeaderError.self) { try Report(text: "-- name: x\nSELECT 1", expectedName: "x", source: "x.sql") }
        #expect(throws: Report.HeaderError.self) {
            try Report(text: "-- name: x\n-- description: d\n-- params: since\nSELECT 1", expectedName: "x", source: "x.sql")
        }
    }

    @Test func aReportFileWithWindowsLineEndingsParses() throws {
        let text = "-- name: mine\r\n-- description: Mine\r\n-- params: from, to\r\nSELECT 1 AS n\r\n"
        let report = try Report(text: text, expectedName: "mine", source: "/x/mine.sql")
        #expect(report.description == "Mine")
        #expect(report.parameters == [.from, .to])
        #expect(report.sql == "SELECT 1 AS n")
    }

    @Test func usersReportsRunBesideTheBuiltInOnes() throws {
        let w = try warehouse([("c.csv", timed([("1", "1", "10", "100"), ("2", "1", "10", "100")]))])
        let queries = dir.url.appendingPathComponent("queries")
        try FileManager.default.createDirectory(at: queries, withIntermediateDirectories: true)
        try """
            -- name: closed_per_day
            -- description: Conversations closed per day.
            -- params: from, to, tz
            SELECT substr(coalesce(local_time(resolved_ts, :tz), resolved_local), 1, 10) AS day, count(*) AS closed
            FROM fact_conversation WHERE resolved_ts >= :from_ts AND resolved_ts < :to_ts GROUP BY day ORDER BY day
            """.write(to: queries.appendingPathComponent("closed_per_day.sql"), atomically: true, encoding: .utf8)
        try "-- name: overview\n-- description: mine\nSELECT 1".write(to: queries.appendingPathComponent("overview.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1".write(to: queries.appendingPathComponent("broken.sql"), atomically: true, encoding: .utf8)
        let library = ReportLibrary(directories: ReportLibrary.directories(warehousePath: w.path, extra: []))
        #expect(library.reports.count == 17)
        #expect(library.warnings.count == 2)
        let report = try library.report(named: "closed_per_day")
        let t = try w.run(report, ReportArguments(tz: "Asia/Tokyo"))
        #expect(t.rows == [[.text("2025-03-10"), .integer(2)]])
        #expect(throws: WarehouseError.self) { try w.run(report, ReportArguments(by: "week")) }
        #expect(library.installTemporaryViews(w.db).isEmpty)
        #expect(try w.db.int("SELECT closed FROM closed_per_day") == 2)
    }

    @Test func aReportThatWouldWriteIsRefused() throws {
        let w = try warehouse([("c.csv", timed([("1", "1", "10", "100")]))])
        let report = try Report(text: "-- name: bad\n-- description: d\nDELETE FROM fact_conversation", expectedName: "bad", source: "bad.sql")
        #expect(throws: WarehouseError.self) { try w.run(report) }
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 1)
    }

    @Test func parametersAreFoundOutsideStringsAndComments() throws {
        let sql = "SELECT ':tz', \":by\", x -- :limit\n FROM t WHERE a = :from_ts /* :to_ts */ AND b = @limit"
        let replaced = try SQLText.replacingParameters(in: sql) { "<\($0)>" }
        #expect(replaced == "SELECT ':tz', \":by\", x -- :limit\n FROM t WHERE a = <from_ts> /* :to_ts */ AND b = <limit>")
    }
}
