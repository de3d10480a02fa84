import Foundation
import Testing
@testable import WarehouseCore

/// service_levels, reopened_conversations and --business-hours over five conversations whose
/// every number is worked by hand below (UTC; 2026-03-09 is a Monday; hours Mon-Fri 09:00-17:00).
///
/// | # | contact | team | started | first response | closed | FRT calendar / business | RT calendar / business |
/// |---|---|---|---|---|---|---|---|
/// | 1 | c1 | Support | Mon 09:00 | Mon 09:04 | Mon 10:00 | 240 / 240 | 3,600 / 3,600 |
/// | 2 | c2 | Support | Mon 16:58 | Tue 09:02 | Wed 10:00 | 57,840 / 240 | 147,720 / 32,520 |
/// | 3 | c1 | Sales | Tue 11:00 | Tue 11:05 | Wed 11:00 | 300 / 300 | 86,400 / 28,800 |
/// | 4 | c3 | Sales | Sat 10:00 | none | Sat 12:00 | – | 7,200 / 0 |
/// | 5 | c4 | none | Fri 03-20 09:00 | 09:10 | 09:30 | 600 / 600 | 1,800 / 1,800 |
///
/// Conversation 1 is reopened (c1 came back a day later); 2 and 3 were resolved on first contact;
/// 4 and 5 closed less than 7 days before the newest start (Fri 03-20 09:00): outcome unknown.
@Suite struct ServiceLevelReportTests {
    let dir: TempDir
    let warehouse: Warehouse

    init() throws {
        dir = try TempDir()
        warehouse = try dir.warehouse(timeZone: "UTC")
        func row(_ id: String, _ contact: String, _ team: String, _ started: String, _ response: String, _ closed: String) -> [String: String] {
            ["Conversation ID": id, "Contact ID": contact, "Closed By Team": team, "Closed By": "1", "Assignee": "1",
             "DateTime Conversation Started": started, "DateTime First Response": response, "DateTime Conversation Resolved": closed,
             "Number of Incoming Messages": "1", "Number of Outgoing Messages": "1"]
        }
        let conversations = conversationsFile([
            row("1", "c1", "Support", "2026-03-09 09:00:00", "2026-03-09 09:04:00", "2026-03-09 10:00:00"),
            row("2", "c2", "Support", "2026-03-09 16:58:00", "2026-03-10 09:02:00", "2026-03-11 10:00:00"),
            row("3", "c1", "Sales", "2026-03-10 11:00:00", "2026-03-10 11:05:00", "2026-03-11 11:00:00"),
            row("4", "c3", "Sales", "2026-03-14 10:00:00", "", "2026-03-14 12:00:00"),
            row("5", "c4", "", "2026-03-20 09:00:00", "2026-03-20 09:10:00", "2026-03-20 09:30:00"),
        ])
        let summaries = try Loader(warehouse: warehouse).load(paths: [try dir.write("users.csv", usersFile), try dir.write("c.csv", conversations)])
        for s in summaries { #expect(s.error == nil && s.rejected == 0, "\(s.fileName): \(s.error ?? "") \(s.rejects)") }
    }

    func run(_ name: String, _ words: [String] = []) throws -> ResultTable {
        try warehouse.run(ReportLibrary().report(named: name), try ReportArguments.parse(words))
    }

    func setHours() throws {
        try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 09:00-17:00"]), team: nil, in: warehouse)
    }

    @Test func serviceLevelsInCalendarTime() throws {
        let table = try run("service_levels")
        #expect(table.columns == ["conversations", "first_response_met", "first_response_breached", "first_response_met_pct",
                                  "resolution_met", "resolution_breached", "resolution_met_pct"])
        #expect(table.rows == [[.integer(5), .integer(2), .integer(2), .real(50), .integer(4), .integer(1), .real(80)]])
    }

    @Test func serviceLevelsInBusinessHoursSayTheirTime() throws {
        #expect(throws: WarehouseError.self) { try run("service_levels", ["--business-hours"]) }
        try setHours()
        let table = try run("service_levels", ["--business-hours"])
        #expect(table.columns.last == "resolution_met_pct_in_business_hours")
        #expect(table.rows == [[.integer(5), .integer(3), .integer(1), .real(75), .integer(5), .integer(0), .real(100)]])
        // 8 hours of business time: conversation 2 (32,520 s) breaches it, 3 (28,800 s) meets it exactly.
        let tighter = try run("service_levels", ["--business-hours", "--resolution-target", "8h", "--first-response-target", "4m"])
        #expect(tighter.rows == [[.integer(5), .integer(2), .integer(2), .real(50), .integer(4), .integer(1), .real(80)]])
    }

    @Test func serviceLevelsPerTeamAndDay() throws {
        let table = try run("service_levels", ["--group-by", "team", "--by", "day"])
        #expect(table.columns.prefix(3) == ["period", "name", "conversations"])
        let rows = table.rows.map { [$0[0], $0[1], $0[2], $0[3], $0[4]] }
        let expected: [[SQLValue]] = [
            [.text("2026-03-09"), .text("Support"), .integer(1), .integer(1), .integer(0)],
            [.text("2026-03-11"), .text("Sales"), .integer(1), .integer(1), .integer(0)],
            [.text("2026-03-11"), .text("Support"), .integer(1), .integer(0), .integer(1)],
            [.text("2026-03-14"), .text("Sales"), .integer(1), .integer(0), .integer(0)],
            [.text("2026-03-20"), .null, .integer(1), .integer(0), .integer(1)],
        ]
        #expect(rows == expected)
    }

    @Test func reopenedConversations() throws {
        let all = try run("reopened_conversations")
        #expect(all.columns == ["conversations_closed", "reopened", "reopen_rate_pct", "resolved_first_contact", "first_contact_resolution_pct"])
        #expect(all.rows == [[.integer(3), .integer(1), .real(33.33), .integer(2), .real(66.67)]])
        let byTeam = try run("reopened_conversations", ["--group-by", "team"])
        let expected: [[SQLValue]] = [[.text("Sales"), .integer(1), .integer(0), .real(0), .integer(1), .real(100)],
                                      [.text("Support"), .integer(2), .integer(1), .real(50), .integer(1), .real(50)]]
        #expect(byTeam.rows == expected)
        // Within a day of its close, conversation 1's contact had not come back (25 h later).
        let withinADay = try run("reopened_conversations", ["--within", "1d"])
        #expect(withinADay.rows.first?[1] == .integer(0))
        // Within 30 days, nothing closed before the newest start is known: zeros, and no rate.
        let unknown: [[SQLValue]] = [[.integer(0), .integer(0), .null, .integer(0), .null]]
        #expect(try run("reopened_conversations", ["--within", "30d"]).rows == unknown)
        #expect(try run("reopened_conversations", ["--within", "30d", "--by", "day"]).rows.isEmpty)
    }

    @Test func leaderboardsAndListsInBusinessHours() throws {
        try setHours()
        let board = try run("leaderboard_first_response_time", ["--business-hours", "--group-by", "team"])
        #expect(board.columns == ["rank", "name", "conversations", "avg_first_response_business_seconds",
                                  "median_first_response_business_seconds", "p90_first_response_business_seconds"])
        // Support: 240 and 240; Sales: 300 (conversation 4 has none).
        let expected: [[SQLValue]] = [[.text("Support"), .integer(240)], [.text("Sales"), .integer(300)]]
        #expect(board.rows.map { [$0[1], $0[3]] } == expected)
        let list = try run("conversation_list", ["--business-hours"])
        let (frt, rt) = (list.columns.firstIndex(of: "first_response_business_seconds")!, list.columns.firstIndex(of: "resolution_business_seconds")!)
        let byID = Dictionary(uniqueKeysWithValues: list.rows.map { ($0[0].string ?? "", [$0[frt], $0[rt]]) })
        #expect(byID["2"] == [.integer(240), .integer(32_520)])
        #expect(byID["4"] == [.null, .integer(0)])
        let overview = try run("overview", ["--business-hours"])
        let average: [SQLValue] = [.text("avg_resolution_business_seconds"), .integer((3_600 + 32_520 + 28_800 + 0 + 1_800) / 5), .null, .null]
        #expect(overview.rows.contains(average))
    }
}
