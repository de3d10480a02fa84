import Foundation

/// The named SQL parameters a report's SQL may read. Every one is always bound
/// (unset ones to their default), and a view of a report is its SQL with each
/// parameter replaced by its default, so the view is the report over all data.
///
/// | parameter | value |
/// |---|---|
/// | `:from`, `:to` | the days given, `YYYY-MM-DD`, or NULL |
/// | `:from_ts`, `:to_ts` | the period as UTC seconds [from_ts, to_ts): the start of --from and the end of --to in the reporting zone; unbounded by default |
/// | `:from_date_key`, `:to_date_key` | the workspace-zone days that hold the period, as date keys YYYYMMDD (for the stored `*_date_key` columns and the daily summaries): the days given when the reporting zone is the workspace's; in another zone a day wider each side, so only a coarse bound; 0 and 99999999 by default |
/// | `:prev_from_ts`, `:prev_to_ts`, `:prev_from_date_key`, `:prev_to_date_key` | the same-length period just before; NULL unless both --from and --to |
/// | `:tz` | the reporting zone, or NULL when it is the workspace's (use the stored *_local columns) |
/// | `:by` | day, week or month, or NULL |
/// | `:group_by` | user or team, or NULL |
/// | `:user`, `:user_key` | the user's ID and dim_user key, or NULL |
/// | `:team`, `:team_key` | the team's name and dim_team key, or NULL |
/// | `:channel`, `:channel_key` | the channel's ID and dim_channel key, or NULL |
/// | `:limit` | N, or NULL |
/// | `:percentile` | P, 90 by default |
/// | `:business_hours` | with --business-hours, every schedule (`Schedules`), for `business_seconds`; else NULL: calendar time |
/// | `:first_response_target`, `:resolution_target` | seconds; 300 (5m) and 86400 (24h) by default |
/// | `:within` | seconds; 604800 (7d) by default |
public enum ReportParameters {
    public static let defaults: [(name: String, value: SQLValue)] = [
        ("from", .null), ("to", .null),
        ("from_ts", .integer(Int64.min)), ("to_ts", .integer(Int64.max)),
        ("from_date_key", .integer(0)), ("to_date_key", .integer(99_999_999)),
        ("prev_from_ts", .null), ("prev_to_ts", .null), ("prev_from_date_key", .null), ("prev_to_date_key", .null),
        ("tz", .null), ("by", .null), ("group_by", .null),
        ("user", .null), ("user_key", .null), ("team", .null), ("team_key", .null),
        ("channel", .null), ("channel_key", .null),
        ("limit", .null), ("percentile", .integer(90)),
        ("business_hours", .null),
        ("first_response_target", .integer(300)), ("resolution_target", .integer(86_400)), ("within", .integer(604_800)),
    ]

    public static var names: [String] { defaults.map(\.name) }

    /// The SQL literal of a default, for views.
    static func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let v): return v == Int64.min ? "(-9223372036854775807 - 1)" : String(v)
        case .real(let v): return String(v)
        case .text(let s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob: return "NULL"
        }
    }

    /// Checks the arguments against what `report` takes and resolves them into
    /// the values to bind. Names of users, teams and channels are looked up in
    /// the warehouse; an unknown one is an error that lists the closest.
    public static func resolve(_ arguments: ReportArguments, for report: Report, in warehouse: any ReportStore) throws -> [String: SQLValue] {
        let unknown = arguments.given.filter { !report.parameters.contains($0) }
        if let first = unknown.first {
            let takes = report.parameters.isEmpty ? "it takes no parameters"
                : "it takes " + report.parameters.map { "--\($0.rawValue)" }.joined(separator: ", ")
            throw WarehouseError("report \(report.name) does not take --\(first.rawValue): \(takes) (and --format).")
        }
        return try resolve(arguments, in: warehouse)
    }

    /// Checks the arguments and resolves them into the values to bind, as for a
    /// report that takes them all: what runs several reports with the same
    /// arguments checks them once, with the errors `warehouse report` gives.
    public static func resolve(_ arguments: ReportArguments, in warehouse: any ReportStore) throws -> [String: SQLValue] {
        // Each value as its entry of `ReportParameter` checks it (arguments set unchecked included).
        for parameter in arguments.given { try parameter.check(arguments[parameter] ?? "") }
        var values = Dictionary(uniqueKeysWithValues: defaults.map { ($0.name, $0.value) })

        // The reporting zone and the period.
        let zone: WorkspaceZone
        do { zone = try WorkspaceZone(arguments.tz ?? warehouse.timeZone) } catch { throw WarehouseError("--tz: \(error)") }
        if zone.identifier != warehouse.timeZone { values["tz"] = .text(zone.identifier) }
        let (fromDay, toDay) = try days(arguments)
        if let fromDay {
            values["from"] = .text(CivilTime.formatDate(days: fromDay))
            values["from_ts"] = .integer(startOf(day: fromDay, in: zone))
            values["from_date_key"] = .integer(Int64(CivilTime.dateKey(days: fromDay)))
        }
        if let toDay {
            values["to"] = .text(CivilTime.formatDate(days: toDay))
            values["to_ts"] = .integer(startOf(day: toDay + 1, in: zone))
            values["to_date_key"] = .integer(Int64(CivilTime.dateKey(days: toDay)))
        }
        if let fromDay, let toDay {
            let previous = previousDays(from: fromDay, to: toDay)
            values["prev_from_ts"] = .integer(startOf(day: previous.lowerBound, in: zone))
            values["prev_to_ts"] = .integer(startOf(day: previous.upperBound + 1, in: zone))
            values["prev_from_date_key"] = .integer(Int64(CivilTime.dateKey(days: previous.lowerBound)))
            values["prev_to_date_key"] = .integer(Int64(CivilTime.dateKey(days: previous.upperBound)))
        }
        if zone.identifier != warehouse.timeZone {
            // The date keys bound the stored workspace-zone days: the workspace days of the
            // period's first and last instants, a day wider each side (a zone that moves its
            // clocks back across midnight repeats a day).
            let workspace = try WorkspaceZone(warehouse.timeZone)
            func workspaceDay(_ t: Int64) -> Int { CivilTime.dayNumber(seconds: workspace.wallTime(utc: t)) }
            for prefix in ["", "prev_"] {
                if let start = values[prefix + "from_ts"]?.int64, start != Int64.min {
                    values[prefix + "from_date_key"] = .integer(Int64(CivilTime.dateKey(days: workspaceDay(start) - 1)))
                }
                if let end = values[prefix + "to_ts"]?.int64, end != Int64.max {
                    values[prefix + "to_date_key"] = .integer(Int64(CivilTime.dateKey(days: workspaceDay(end - 1) + 1)))
                }
            }
        }

        if let by = arguments.by { values["by"] = .text(by) }
        if let groupBy = arguments.groupBy { values["group_by"] = .text(groupBy) }
        if let limit = arguments.limit { values["limit"] = .integer(Int64(limit)) }
        if let percentile = arguments.percentile {
            values["percentile"] = percentile == percentile.rounded() ? .integer(Int64(percentile)) : .real(percentile)
        }
        if arguments.businessHours {
            values["business_hours"] = .text(try BusinessHours.reportParameter(of: warehouse))
        }
        for (parameter, name) in [(ReportParameter.firstResponseTarget, "first_response_target"),
                                  (.resolutionTarget, "resolution_target"), (.within, "within")] {
            if let text = arguments[parameter] { values[name] = .integer(try DurationText.seconds(text, option: parameter.option)) }
        }
        if let user = arguments.user {
            let (id, key) = try resolveUser(user, warehouse)
            values["user"] = .text(id)
            values["user_key"] = .integer(key)
        }
        if let team = arguments.team {
            let (name, key) = try resolveNamed(team, what: "team", option: "--team", in: warehouse,
                                              sql: "SELECT team_name, team_key, team_name FROM dim_team")
            values["team"] = .text(name)
            values["team_key"] = .integer(key)
        }
        if let channel = arguments.channel {
            let (id, key) = try resolveNamed(channel, what: "channel", option: "--channel", in: warehouse,
                                             sql: "SELECT channel_id, channel_key, channel_name FROM dim_channel")
            values["channel"] = .text(id)
            values["channel_key"] = .integer(key)
        }
        return values
    }

    /// The days of --from and --to (day numbers, see `CivilTime`), checked.
    public static func days(_ arguments: ReportArguments) throws -> (from: Int?, to: Int?) {
        let fromDay = try arguments.from.map { try day($0, option: "--from") }
        let toDay = try arguments.to.map { try day($0, option: "--to") }
        if let fromDay, let toDay, toDay < fromDay {
            throw WarehouseError("--to \(arguments.to!) is before --from \(arguments.from!).")
        }
        return (fromDay, toDay)
    }

    /// The period `overview` compares with: the same number of days just before `from`.
    public static func previousDays(from: Int, to: Int) -> ClosedRange<Int> {
        let length = to - from + 1
        return (from - length)...(from - 1)
    }

    /// The day number of a `YYYY-MM-DD` date.
    static func day(_ text: String, option: String) throws -> Int {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
           let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
           (1...12).contains(m), (1...CivilTime.daysInMonth(year: y, month: m)).contains(d) {
            return CivilTime.days(year: y, month: m, day: d)
        }
        throw WarehouseError("\(option) takes a date YYYY-MM-DD, not '\(text)'.")
    }

    /// The UTC instant the local day starts in `zone`: its midnight, or where
    /// midnight falls in a gap (clocks moved forward), the end of the gap.
    static func startOf(day: Int, in zone: WorkspaceZone) -> Int64 {
        let midnight = Int64(day) * 86_400
        if case .instant(let t) = zone.utc(wallTime: midnight) { return t }
        return midnight - zone.offset(atUTC: midnight - 86_400)
    }

    /// A user by ID (a trailing ".0" removed) or by full name, case-insensitively.
    static func resolveUser(_ given: String, _ store: any ReportStore) throws -> (id: String, key: Int64) {
        let users = try store.rows("SELECT user_id, user_key, user_name FROM dim_user")
        let id = given.hasSuffix(".0") ? String(given.dropLast(2)) : given
        if let row = users.first(where: { $0[0].string == id }) { return (id, row[1].int64 ?? 0) }
        let named = users.filter { $0[2].string.map { same($0, given) } ?? false }
        if named.count == 1 { return (named[0][0].string ?? "", named[0][1].int64 ?? 0) }
        if named.count > 1 {
            throw WarehouseError("--user '\(given)' names \(named.count) users: give the ID instead (\(named.map { $0[0].description }.joined(separator: ", "))).")
        }
        let candidates = users.compactMap { $0[2].string }
        throw WarehouseError("--user: no user has the ID or name '\(given)'." + Suggestions.didYouMean(given, candidates))
    }

    /// A team (by name) or a channel (by ID or name): its natural key and key.
    static func resolveNamed(_ given: String, what: String, option: String, in store: any ReportStore, sql: String) throws -> (String, Int64) {
        let rows = try store.rows(sql)  // id, key, name
        if let row = rows.first(where: { $0[0].string == given }) { return (given, row[1].int64 ?? 0) }
        let named = rows.filter { ($0[2].string.map { same($0, given) } ?? false) || ($0[0].string.map { same($0, given) } ?? false) }
        if named.count == 1 { return (named[0][0].string ?? "", named[0][1].int64 ?? 0) }
        if named.count > 1 {
            throw WarehouseError("\(option) '\(given)' names \(named.count) \(what)s: give the ID instead (\(named.map { $0[0].description }.joined(separator: ", "))).")
        }
        let candidates = rows.compactMap { $0[2].string ?? $0[0].string }
        if candidates.isEmpty { throw WarehouseError("\(option): the warehouse has no \(what)s yet.") }
        throw WarehouseError("\(option): no \(what) '\(given)'." + Suggestions.didYouMean(given, candidates))
    }

    static func same(_ a: String, _ b: String) -> Bool {
        a.compare(b, options: [.caseInsensitive]) == .orderedSame
    }
}
