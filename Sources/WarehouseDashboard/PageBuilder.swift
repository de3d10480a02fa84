import SVGCharts
import WarehouseCore

/// Turns the reports' results into the page's sections: each says its period
/// and filters, draws its chart and lists its numbers, or says in words that
/// the period has none.
struct PageBuilder {
    let arguments: ReportArguments
    let results: [String: ReportResult]
    /// The reporting time zone.
    let zone: String
    let fromDay: Int?
    let toDay: Int?
    /// The opened-vs-closed and contact-type charts' period: day or week.
    let by: String
    /// The working hours the times are counted in (--business-hours), else nil: calendar time.
    let businessHours: BusinessHours?
    /// The values the reports were given (the targets, --within), as bound.
    let values: [String: SQLValue]

    func result(_ key: String) -> ReportResult {
        guard let result = results[key] else { preconditionFailure("the page has no run named \(key)") }
        return result
    }

    var period: String { Display.period(from: fromDay, to: toDay) }

    /// The page's period, time zone and filters.
    var pageScope: String {
        var parts = ["\(period == "all data" ? "All data" : period) (\(zone))"]
        if let team = arguments.team { parts.append("team \(team)") }
        if let channel = arguments.channel { parts.append("channel \(channel)") }
        if arguments.team == nil, arguments.channel == nil { parts.append("all teams and channels") }
        if businessHours != nil { parts.append("times in business hours") }
        return parts.joined(separator: " · ")
    }

    /// The working hours in words: `Mon-Fri 09:00-17:00 (Europe/Berlin); team Sales Mon-Sat 08:00-20:00; 2 closed days`.
    var businessHoursText: String {
        guard let hours = businessHours else { return "calendar time" }
        var parts = ["business hours: " + (hours.workspace.map { $0.arguments.joined(separator: ", ") } ?? "none for the workspace")]
        for team in hours.teams.keys.sorted() { parts.append("team \(team) " + (hours.teams[team]?.arguments.joined(separator: ", ") ?? "")) }
        if !hours.holidays.isEmpty { parts.append("\(hours.holidays.count) closed day\(hours.holidays.count == 1 ? "" : "s")") }
        return parts.joined(separator: "; ")
    }

    /// What a report's section covers: the period, by which time, in which
    /// zone, with the page's filters that the report takes (a filter it does
    /// not take is said, so the section is not read as filtered).
    func scope(_ key: String) -> String {
        let report = result(key).run.report
        var parts = ["\(period == "all data" ? "All data" : period) (\(zone)), \(Self.anchor(report))"]
        for (parameter, value, what) in [(ReportParameter.team, arguments.team, "team"), (.channel, arguments.channel, "channel")] {
            guard let value else { continue }
            parts.append(report.parameters.contains(parameter) ? "\(what) \(value)" : "all \(what)s (this report has no \(what) filter)")
        }
        if arguments.team == nil, arguments.channel == nil { parts.append("all teams and channels") }
        if businessHours != nil, report.parameters.contains(.businessHours), !report.businessHoursColumns.isEmpty {
            parts.append("times in business hours")
        }
        return parts.joined(separator: " · ")
    }

    /// The report's anchor (its header's `anchor:`), in words.
    static func anchor(_ report: Report) -> String {
        let anchor = report.value(of: "anchor") ?? ""
        if anchor.hasPrefix("closed") { return "conversations closed in the period" }
        if anchor.hasPrefix("opened") { return "conversations opened in the period" }
        if anchor.hasPrefix("message time") { return "messages sent in the period" }
        if anchor.hasPrefix("each its own") { return "each counted by its own time (opened, closed, sent)" }
        return anchor
    }

    /// A period as the tables show it: `5 Mar 2025`, or `week of 3 Mar 2025`.
    func periodLabel(_ iso: String) -> String {
        by == "week" ? "week of \(Display.day(iso))" : Display.day(iso)
    }

    /// Every period from the first to the last (the page's --from/--to where
    /// given, else the first and last reported), so that a chart over time
    /// shows a period without conversations as 0 instead of leaving it out.
    func periods(reported: [String]) -> [String] {
        let days = reported.compactMap(Self.dayNumber)
        guard var first = fromDay ?? days.min(), let last = toDay ?? days.max(), first <= last else { return reported }
        var step = 1
        if by == "week" {
            first -= CivilTime.weekday(days: first) - 1  // its Monday
            step = 7
        }
        guard (last - first) / step < 5_000 else { return reported }
        return stride(from: first, through: last, by: step).map { CivilTime.formatDate(days: $0) }
    }

    static func dayNumber(_ iso: String) -> Int? {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        return CivilTime.days(year: y, month: m, day: d)
    }

    /// A section whose parts are all empty says so once, in words.
    func section(_ id: String, _ heading: String, key: String, notes: [String] = [], parts: [PartModel]) -> SectionModel {
        SectionModel(sectionID: id, heading: heading, scope: scope(key), notes: notes, parts: parts)
    }

    static func empty(_ text: String, subheading: String? = nil) -> PartModel {
        PartModel(subheading: subheading, chart: nil, table: nil, emptyText: text)
    }

    /// The ids and headings of the page's sections, in order, for the contents.
    static func contents(_ sections: [SectionModel]) -> [ContentsEntry] {
        [ContentsEntry(anchor: "overview", label: "Overview")] + sections.map { ContentsEntry(anchor: $0.sectionID, label: $0.heading) }
    }
}
