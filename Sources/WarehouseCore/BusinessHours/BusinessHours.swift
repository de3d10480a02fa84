import Foundation

/// The working hours kept in the warehouse (`business_hours`, `business_holidays`;
/// Schema/009_business_hours.sql): the workspace's weekly schedule, teams' own,
/// and closed days. `warehouse hours` shows and sets them; reports given
/// `--business-hours` count durations in them (`Schedules`).
public struct BusinessHours: Equatable, Sendable {
    public struct Holiday: Equatable, Sendable {
        /// YYYY-MM-DD, a local day in the warehouse's time zone.
        public let date: String
        /// The team it closes, or nil: every team (the workspace's).
        public let team: String?
        public let name: String?
    }

    /// The workspace's schedule, if set.
    public var workspace: WeeklySchedule?
    /// Teams' own schedules, by team name.
    public var teams: [String: WeeklySchedule] = [:]
    public var holidays: [Holiday] = []

    public var isEmpty: Bool { workspace == nil && teams.isEmpty }

    /// What the warehouse holds.
    public static func read(from warehouse: any ReportStore) throws -> BusinessHours {
        var hours = BusinessHours()
        var windows: [String: [BusinessWindow]] = [:]
        for row in try warehouse.rows("SELECT team, weekday, opens, closes FROM business_hours ORDER BY team, weekday, opens") {
            let team = row[0].string ?? ""
            let opens = try WeeklySchedule.minutes(row[2].string ?? "", in: "business_hours")
            let closes = try WeeklySchedule.minutes(row[3].string ?? "", in: "business_hours")
            windows[team, default: []].append(BusinessWindow(weekday: Int(row[1].int64 ?? 1), opens: opens, closes: closes))
        }
        for (team, list) in windows {
            let schedule = WeeklySchedule(checked: list)
            if team.isEmpty { hours.workspace = schedule } else { hours.teams[team] = schedule }
        }
        hours.holidays = try warehouse.rows("SELECT team, holiday_date, name FROM business_holidays ORDER BY holiday_date, team").map { row in
            let team = row[0].string ?? ""
            return Holiday(date: row[1].string ?? "", team: team.isEmpty ? nil : team, name: row[2].string)
        }
        return hours
    }

    // MARK: Changing them

    /// Replaces the workspace's schedule, or `team`'s; returns the team's name as stored.
    @discardableResult
    public static func set(_ schedule: WeeklySchedule, team: String?, in warehouse: any WritableStore) throws -> String? {
        try warehouse.writing {
            let name = try team.map { try teamName($0, warehouse) }
            try warehouse.execute("DELETE FROM business_hours WHERE team = ?", [.text(name ?? "")])
            for window in schedule.windows {
                try warehouse.execute("INSERT INTO business_hours (team, weekday, opens, closes) VALUES (?, ?, ?, ?)",
                                      [.text(name ?? ""), .integer(Int64(window.weekday)), .text(BusinessWindow.clock(window.opens)), .text(window.closesClock)])
            }
            return name
        }
    }

    /// Removes the workspace's schedule, or `team`'s (which then works the workspace's).
    /// Returns whether there was one.
    public static func clear(team: String?, in warehouse: any WritableStore) throws -> Bool {
        try warehouse.writing {
            let name = try team.map { try teamName($0, warehouse) }
            let had = try !warehouse.rows("SELECT 1 FROM business_hours WHERE team = ? LIMIT 1", [.text(name ?? "")]).isEmpty
            try warehouse.execute("DELETE FROM business_hours WHERE team = ?", [.text(name ?? "")])
            return had
        }
    }

    /// Closes a local day (`YYYY-MM-DD`) for every team, or for `team` only; a day already
    /// closed gets the new name.
    public static func addHoliday(_ date: String, team: String?, name: String?, in warehouse: any WritableStore) throws {
        let day = try ReportParameters.day(date, option: "the date")
        try warehouse.writing { () throws -> Void in
            let teamName = try team.map { try Self.teamName($0, warehouse) }
            let label: SQLValue = name.map { .text($0) } ?? .null
            try warehouse.execute("""
                INSERT INTO business_holidays (team, holiday_date, name) VALUES (?, ?, ?)
                ON CONFLICT (team, holiday_date) DO UPDATE SET name = excluded.name
                """, [.text(teamName ?? ""), .text(CivilTime.formatDate(days: day)), label])
        }
    }

    /// Opens a closed day again; an error when it was not closed (for that team).
    public static func removeHoliday(_ date: String, team: String?, in warehouse: any WritableStore) throws {
        let day = try ReportParameters.day(date, option: "the date")
        try warehouse.writing { () throws -> Void in
            let teamName = try team.map { try Self.teamName($0, warehouse) }
            let key: [SQLValue] = [.text(teamName ?? ""), .text(CivilTime.formatDate(days: day))]
            guard try !warehouse.rows("SELECT 1 FROM business_holidays WHERE team = ? AND holiday_date = ?", key).isEmpty else {
                throw WarehouseError("\(CivilTime.formatDate(days: day)) is not a holiday" + (teamName.map { " of team \($0)" } ?? " of the workspace")
                                     + ": `warehouse hours` lists them.")
            }
            try warehouse.execute("DELETE FROM business_holidays WHERE team = ? AND holiday_date = ?", key)
        }
    }

    /// A team of the warehouse by name (any case); an error lists the closest.
    static func teamName(_ given: String, _ store: any ReportStore) throws -> String {
        try ReportParameters.resolveNamed(given, what: "team", option: "--team", in: store,
                                          sql: "SELECT team_name, team_key, team_name FROM dim_team").0
    }

    // MARK: For the reports

    /// The schedules as the reports' `:business_hours` parameter carries them to
    /// `business_seconds` (see `Schedules`): the warehouse's zone, and per team key (nil:
    /// the workspace) the windows and closed days it works by. A team with a schedule or
    /// closed days of its own has an entry (its windows, else the workspace's; the
    /// workspace's closed days and its own); any other team works the workspace's.
    public func reportParameter(zone: String, teamKeys: [String: Int64]) -> String {
        var entries: [Schedules.Entry] = []
        let workspaceDays = holidays.filter { $0.team == nil }.compactMap { try? ReportParameters.day($0.date, option: "") }
        if let workspace {
            entries.append(Schedules.Entry(team: nil, windows: workspace.windows, holidays: workspaceDays))
        }
        let teamsWithOwn = Set(teams.keys).union(holidays.compactMap(\.team))
        for team in teamsWithOwn.sorted() {
            guard let key = teamKeys[team], let windows = (teams[team] ?? workspace)?.windows else { continue }
            let own = holidays.filter { $0.team == team }.compactMap { try? ReportParameters.day($0.date, option: "") }
            entries.append(Schedules.Entry(team: key, windows: windows, holidays: Array(Set(workspaceDays + own)).sorted()))
        }
        return Schedules(zone: zone, entries: entries).text
    }

    /// The `:business_hours` value of the warehouse's hours; an error that says how to set
    /// them when there are none.
    public static func reportParameter(of warehouse: any ReportStore) throws -> String {
        let hours = try read(from: warehouse)
        guard !hours.isEmpty else {
            throw WarehouseError("--business-hours: no business hours are set. Set them with warehouse hours set \"Mon-Fri 09:00-17:00\" (and --team NAME for a team's own).")
        }
        var keys: [String: Int64] = [:]
        for row in try warehouse.rows("SELECT team_name, team_key FROM dim_team") {
            if let name = row[0].string, let key = row[1].int64 { keys[name] = key }
        }
        return hours.reportParameter(zone: warehouse.timeZone, teamKeys: keys)
    }
}
