import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

/// `business_seconds` on SQLite (BusinessSecondsFunction.swift) and on PostgreSQL
/// (Schema/postgresql/business_seconds.sql) over the same spans and schedules, the results
/// compared as csv and json print them: the cases BusinessSecondsTests works by hand, the
/// refusals, then seeded random spans over several zones and schedules. The schedules value
/// is bound as a parameter, as `--business-hours` binds it.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
final class BusinessSecondsParityTests {
    let pg: TestSchema
    let sqlite: Database

    init() throws {
        pg = try TestSchema()
        sqlite = try sqliteWithFunctions()
    }

    /// A call's instants and team key; nil is NULL.
    struct Span {
        var a: Int64?
        var b: Int64?
        var team: Int64? = nil
    }

    /// Each span's business seconds on both stores under `schedules`, in order, or the error each gave.
    func both(_ schedules: String?, _ spans: [Span], arguments: Int = 4) throws -> (sqlite: String, postgres: String) {
        try sqlite.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (i INTEGER, a INTEGER, b INTEGER, team INTEGER)")
        try pg.session.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (i bigint, a bigint, b bigint, team bigint)")
        try insertIntoT(spans.enumerated().map { [SQLValue.integer(Int64($0.offset)), value($0.element.a), value($0.element.b), value($0.element.team)] },
                        sqlite: sqlite, postgres: pg.session)
        let team = arguments == 4 ? ", team" : ""
        let bound = schedules.map(SQLValue.text) ?? .null
        return (outcome { try self.sqlite.rows("SELECT i, business_seconds(a, b, ?\(team)) FROM t ORDER BY i", [bound]) },
                outcome { try self.pg.session.query("SELECT i, business_seconds(a, b, $1::text\(team)) FROM t ORDER BY i", [bound]) })
    }

    func value(_ v: Int64?) -> SQLValue { v.map(SQLValue.integer) ?? .null }

    @discardableResult
    func expectSame(_ schedules: String?, _ spans: [Span], _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> (sqlite: String, postgres: String) {
        let results = try both(schedules, spans)
        #expect(results.sqlite == results.postgres, "\(what)", sourceLocation: sourceLocation)
        return results
    }

    /// The UTC instant of a wall time `YYYY-MM-DD HH:MM` in `zone` (the earlier of two).
    static func at(_ wall: String, _ zone: String = "Europe/Berlin") throws -> Int64 {
        let parts = wall.split(whereSeparator: { "- :".contains($0) }).compactMap { Int($0) }
        let seconds = Int64(CivilTime.days(year: parts[0], month: parts[1], day: parts[2])) * 86_400 + Int64(parts[3] * 3600 + parts[4] * 60)
        guard case .instant(let t) = try WorkspaceZone(zone).utc(wallTime: seconds) else { throw WarehouseError("\(wall) is not a time in \(zone)") }
        return t
    }

    /// The `:business_hours` value of a workspace schedule (and teams' own), as the reports bind it.
    static func schedules(_ windows: [String], holidays: [String] = [], zone: String = "Europe/Berlin",
                          teams: [Int64: ([String], [String])] = [:]) throws -> String {
        var hours = BusinessHours()
        hours.workspace = windows.isEmpty ? nil : try WeeklySchedule(parsing: windows)
        hours.holidays = holidays.map { BusinessHours.Holiday(date: $0, team: nil, name: nil) }
        var keys: [String: Int64] = [:]
        for (key, own) in teams {
            keys["team \(key)"] = key
            hours.teams["team \(key)"] = try WeeklySchedule(parsing: own.0)
            hours.holidays += own.1.map { BusinessHours.Holiday(date: $0, team: "team \(key)", name: nil) }
        }
        return hours.reportParameter(zone: zone, teamKeys: keys)
    }

    /// Spans between wall times in `zone`.
    static func spans(_ pairs: [(String, String)], _ zone: String = "Europe/Berlin", team: Int64? = nil) throws -> [Span] {
        try pairs.map { Span(a: try at($0.0, zone), b: try at($0.1, zone), team: team) }
    }

    static let office = ["Mon-Fri 09:00-17:00"]

    @Test func theHandWorkedCases() throws {
        try expectSame(Self.schedules(Self.office), Self.spans([
            ("2026-03-07 10:00", "2026-03-07 12:00"), ("2026-03-09 18:00", "2026-03-09 23:00"), ("2026-03-09 17:00", "2026-03-10 09:00"),
            ("2026-03-09 08:00", "2026-03-09 09:30"), ("2026-03-09 08:00", "2026-03-09 18:00"), ("2026-03-06 16:30", "2026-03-09 09:30"),
            ("2026-03-09 12:00", "2026-03-09 11:00"), ("2026-03-09 12:00", "2026-03-09 12:00"),
        ]), "office hours")
        let holiday = [("2026-03-10 16:00", "2026-03-12 10:00")]
        try expectSame(Self.schedules(Self.office, holidays: ["2026-03-11"]), Self.spans(holiday), "a holiday in the middle")
        try expectSame(Self.schedules(Self.office), Self.spans(holiday), "no holiday")
        try expectSame(Self.schedules(["Mon-Fri 09:00-12:00,13:00-17:00"]), Self.spans([
            ("2026-03-09 11:00", "2026-03-09 14:00"), ("2026-03-09 12:10", "2026-03-09 12:50"), ("2026-03-09 00:00", "2026-03-10 00:00"),
        ]), "split windows")
        try expectSame(Self.schedules(["daily 22:00-06:00"]), Self.spans([("2026-03-06 23:00", "2026-03-07 02:00")]), "overnight")
        let saturday = [("2026-03-07 05:00", "2026-03-07 07:00")]
        for holidays in [[], ["2026-03-07"], ["2026-03-06"]] {
            try expectSame(Self.schedules(["Fri 22:00-06:00"], holidays: holidays), Self.spans(saturday), "Friday night, closed \(holidays)")
        }
        // Clock-change days, gap and ambiguous window edges, in Berlin and New York.
        let always = ["daily 00:00-24:00"]
        try expectSame(Self.schedules(always), Self.spans([
            ("2026-03-29 00:00", "2026-03-30 00:00"), ("2026-10-25 00:00", "2026-10-26 00:00"), ("2026-03-28 12:00", "2026-03-30 12:00"),
            ("2026-10-25 02:30", "2026-10-25 02:45"), ("2026-03-29 01:59", "2026-03-29 03:01"),
        ]), "whole days in Berlin")
        try expectSame(Self.schedules(always, zone: "America/New_York"), Self.spans([
            ("2026-03-08 00:00", "2026-03-09 00:00"), ("2026-11-01 00:00", "2026-11-02 00:00"), ("2026-10-31 12:00", "2026-11-02 12:00"),
        ], "America/New_York"), "whole days in New York")
        let sunday = [("2026-03-29 00:00", "2026-03-29 12:00"), ("2026-10-25 00:00", "2026-10-25 12:00"),
                      ("2026-10-25 02:40", "2026-10-25 03:10"), ("2026-03-29 01:00", "2026-03-29 03:30")]
        for windows in [["Sun 02:30-05:00"], ["Sun 02:30-04:00"], ["Sun 01:00-02:30"], ["Sat 23:00-02:30"], ["Sun 02:00-03:00"]] {
            try expectSame(Self.schedules(windows), Self.spans(sunday), "\(windows) in Berlin")
            try expectSame(Self.schedules(windows, zone: "America/New_York"), Self.spans([
                ("2026-03-08 00:00", "2026-03-08 12:00"), ("2026-11-01 00:00", "2026-11-01 12:00"), ("2026-11-01 01:20", "2026-11-01 01:40"),
            ], "America/New_York"), "\(windows) in New York")
        }
        let monday = Int64(CivilTime.days(year: 2026, month: 3, day: 9)) * 86_400
        try expectSame(Self.schedules(Self.office, zone: "Asia/Kolkata"), [Span(a: monday + 3 * 3_600, b: monday + 4 * 3_600)]
                       + Self.spans([("2026-03-09 08:00", "2026-03-09 17:30")], "Asia/Kolkata"), "Asia/Kolkata")
        // Long spans, the ends of the years 1 to 9999, NULLs.
        let week = Int64(7 * 86_400)
        // (Not the whole years 1 to 9999 in one span: SQLite's debug build takes 16 s over it.)
        try expectSame(Self.schedules(always, zone: "UTC"), [Span(a: 0, b: 10_000_000_000), Span(a: -62_135_596_800, b: -62_135_596_800 + 864_000),
                                                            Span(a: 253_402_300_799 - 864_000, b: 253_402_300_799),
                                                            Span(a: nil, b: 5), Span(a: 5, b: nil), Span(a: 5, b: 4)], "UTC, long spans")
        try expectSame(Self.schedules(Self.office, zone: "UTC"), [Span(a: 4 * 86_400, b: 4 * 86_400 + 20_000 * week)], "20,000 weeks")
        try expectSame(Self.schedules(Self.office), [Span(a: 1_000_000_000, b: 1_900_000_000), Span(a: -2_000_000_000, b: -1_000_000_000)], "Berlin, decades")
        for (a, b) in [(Int64(0), Int64(400_000_000_000)), (-62_135_596_801, 0), (5, 4), (-62_135_596_801, -62_135_596_802)] {
            let results = try both(Self.schedules(always, zone: "UTC"), [Span(a: a, b: b)])
            #expect(results.sqlite == results.postgres, "\(a)..\(b)")
        }
        let results = try both(Self.schedules(always, zone: "UTC"), [Span(a: 0, b: 400_000_000_000)])
        #expect(results.sqlite == "error: business_seconds: the instants must be in the years 1 to 9999")
        try expectSame(nil, [Span(a: 1, b: 2)], "NULL schedules")
        #expect(try both(Self.schedules(Self.office), Self.spans(holiday), arguments: 3) == both(Self.schedules(Self.office), Self.spans(holiday)))
    }

    @Test func teamsUseTheirOwnScheduleElseTheWorkspaces() throws {
        let value = try Self.schedules(Self.office, holidays: ["2026-03-11"], teams: [3: (["Sat-Sun 10:00-14:00", "Fri 22:00-06:00"], ["2026-03-14"]),
                                                                                     7: (["daily 00:00-24:00"], [])])
        let pairs = [("2026-03-06 12:00", "2026-03-16 12:00"), ("2026-03-11 08:00", "2026-03-12 10:00"), ("2026-03-07 05:00", "2026-03-08 12:00")]
        for team in [nil, 3, 7, 8, Int64.min, -1] as [Int64?] {
            try expectSame(value, Self.spans(pairs, team: team), "team \(String(describing: team))")
        }
        // No workspace schedule: a team without an entry counts nothing.
        let teamsOnly = Schedules(zone: "Europe/Berlin", entries: [Schedules.Entry(team: 3, windows: try WeeklySchedule(parsing: Self.office).windows, holidays: [])]).text
        for team in [nil, 3, 4] as [Int64?] {
            try expectSame(teamsOnly, Self.spans(pairs, team: team), "teams only, team \(String(describing: team))")
        }
        try expectSame(Schedules(zone: "Europe/Berlin", entries: []).text, Self.spans(pairs), "no entries")
    }

    @Test func aBadValueIsTheSameRefusal() throws {
        let office = "[[1,540,480],[2,540,480]]"
        let values = [
            "not json", "", "{}", "[]", "null", #"{"zone":"UTC"}"#, #"{"zone":"UTC","entries":{}}"#, #"{"zone":1,"entries":[]}"#,
            #"{"zone":"UTC","entries":[{"team":"3","windows":[],"holidays":[]}]}"#, #"{"zone":"UTC","entries":[{"windows":[],"holidays":[1.5]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[]}]}"#, #"{"zone":"UTC","entries":[{"windows":[[1,540]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[[8,0,60]],"holidays":[]}]}"#, #"{"zone":"UTC","entries":[{"windows":[[1,1440,60]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[[1,0,1441]],"holidays":[]}]}"#, #"{"zone":"UTC","entries":[{"windows":[[1,0,0]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[[1,540,480],[1,960,120]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[[7,1320,480],[1,300,120]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":[[3,0,1440],[3,0,1440]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":\#(office),"holidays":[]},{"team":2,"windows":[[1,60,10],[1,0,1440]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":\#(office),"holidays":[]},{"team":2,"windows":[[0,60,10]],"holidays":[]}]}"#,
            #"{"zone":"UTC","entries":[{"windows":\#(office),"holidays":[]}]} x"#, #"{"zone":"UTC","entries":[{"windows":[[01,540,480]],"holidays":[]}]}"#,
            // Read as JSONDecoder reads them: the first of a repeated key, integral numbers written otherwise.
            #"{"zone":"Asia/Kolkata","entries":[{"windows":\#(office),"holidays":[20521]}],"zone":"UTC"}"#,
            #"{"zone":"UTC","entries":[{"windows":[[1.0,5.4e2,480]],"holidays":[20521.0],"team":null}]}"#,
            #" {"entries":[{"holidays":[],"windows":\#(office),"extra":true}],"zone":"America/New_York"} "#,
        ]
        let spans = try Self.spans([("2026-03-09 08:00", "2026-03-10 18:00")]) + [Span(a: nil, b: 1), Span(a: 5, b: 4)]
        for value in values {
            try expectSame(value, spans, value)
            try expectSame(value, [Span(a: nil, b: 1)], "NULL instant: \(value)")
        }
        let overlap = try both(#"{"zone":"UTC","entries":[{"windows":[[7,1320,480],[1,300,120]],"holidays":[]}]}"#, spans)
        #expect(overlap.sqlite == "error: business_seconds: the windows Mon 05:00-07:00 and Sun 22:00-06:00 overlap: give each hour once.")
        // An unknown zone is an error on both (each store's own words), also when a later entry is refused too.
        for value in [#"{"zone":"Mars/Olympus","entries":[{"windows":\#(office),"holidays":[]}]}"#,
                      #"{"zone":"Mars/Olympus","entries":[{"windows":\#(office),"holidays":[]},{"team":1,"windows":[[9,0,1]],"holidays":[]}]}"#] {
            let unknown = try both(value, spans)
            #expect(unknown.sqlite.hasPrefix("error: business_seconds: unknown time zone 'Mars/Olympus'"), "\(unknown.sqlite)")
            #expect(unknown.postgres.hasPrefix("error: time zone \"Mars/Olympus\" not recognized"), "\(unknown.postgres)")
        }
    }

    static let zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns",
                        "Pacific/Chatham", "UTC", "Asia/Kathmandu", "America/Santiago"]
    static let weeks: [[String]] = [office, ["Mon-Fri 09:00-12:00,13:00-17:00", "Sat 22:00-02:00"], ["daily 00:00-24:00"],
                                    ["Mon-Thu 08:00-12:30,13:15-18:00", "Fri 20:00-04:00", "Sun 00:00-24:00"], ["Sat-Sun 10:00-14:00"],
                                    ["daily 22:00-06:00"], ["Sun 23:30-01:30", "Wed 01:00-03:30", "Thu 02:00-02:45"]]

    /// The UTC days of 2025-2027 on which the zone's offset changes.
    static func changeDays(_ zone: WorkspaceZone) -> [Int64] {
        let first = Int64(CivilTime.days(year: 2025, month: 1, day: 1)), last = Int64(CivilTime.days(year: 2028, month: 1, day: 1))
        return (first..<last).filter { zone.offset(atUTC: $0 * 86_400) != zone.offset(atUTC: $0 * 86_400 + 86_399) }
    }

    @Test func seededRandomSpans() throws {
        var random = SeededRandom(seed: 20_261_205)
        for (n, zone) in Self.zones.enumerated() {
            let holidays = (0..<14).map { i in
                CivilTime.formatDate(days: i < 10 ? Int.random(in: 20_089...21_184, using: &random) : Int.random(in: 7_300...24_000, using: &random))
            }
            let value = try Self.schedules(Self.weeks[n % Self.weeks.count], holidays: holidays, zone: zone,
                                           teams: [5: (Self.weeks[(n + 3) % Self.weeks.count], [holidays[0], "2026-03-29", "2026-10-25"])])
            var spans: [Span] = []
            func team() -> Int64? { [nil, 5, 6][Int.random(in: 0..<3, using: &random)] }
            for i in 0..<360 {
                // From 1990 to 2036, a third of them within 2025-2027 (where the holidays are); a minute to forty days, log-uniform.
                let a = i % 3 == 0 ? Int64.random(in: 1_735_689_600...1_830_297_600, using: &random) : Int64.random(in: 631_152_000...2_082_758_400, using: &random)
                let span = Int64(exp(Double.random(in: log(60.0)...log(40 * 86_400.0), using: &random)))
                spans.append(Span(a: a, b: a + span, team: team()))
            }
            // Spans starting every 50 minutes through each day the clocks change, up to a day long.
            for day in Self.changeDays(try WorkspaceZone(zone)) {
                for step in stride(from: Int64(-7_200), to: 93_600, by: 3_000) {
                    let a = day * 86_400 + step
                    spans.append(Span(a: a, b: a + Int64.random(in: 0...86_400, using: &random), team: team()))
                }
            }
            try expectSame(value, spans, "\(zone): \(value)")
            // Most spans count some business time (the comparison is not of NULLs or zeros).
            let counted = try sqlite.scalar("SELECT count(*) FROM t WHERE business_seconds(a, b, ?, team) > 0", [.text(value)])?.int64 ?? 0
            #expect(counted > Int64(spans.count) / 3, "\(zone): \(counted) of \(spans.count)")
        }
    }
}
