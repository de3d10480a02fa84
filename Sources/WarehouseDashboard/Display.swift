import WarehouseCore

/// How the page shows values: counts with thousands separators, durations as
/// `1h 02m`, shares as percentages, days as `5 Mar 2025`, a blank as a dash.
enum Display {
    static let blank = "—"
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `12,345`.
    static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func count(_ value: Double) -> String { count(Int64(value.rounded())) }

    /// `1h 02m`, `12m 05s`, `45s`.
    static func duration(_ seconds: Double) -> String { ResultFormatter.shortDuration(Int64(seconds.rounded(.toNearestOrAwayFromZero))) }

    /// `12.34%`.
    static func percent(_ value: Double) -> String {
        ResultFormatter.text(.real(value), column: "_pct") + "%"
    }

    /// A report's value in a column, as the page shows it: `_pct` columns as
    /// percentages, `_seconds` columns (and a KPI row's other numbers,
    /// `asDuration`) as durations.
    static func text(_ value: SQLValue, column: String, asDuration: Bool = false) -> String {
        let number: Double?
        switch value {
        case .null: return blank
        case .integer(let v): number = Double(v)
        case .real(let v): number = v.isFinite ? v : nil
        case .text(let s): return s.isEmpty ? blank : s
        case .blob: return value.description
        }
        guard let number else { return blank }
        if column.hasSuffix("_pct") { return percent(number) }
        if column.hasSuffix("_seconds") || asDuration { return duration(number) }
        if case .integer(let v) = value { return count(v) }
        return ResultFormatter.text(value, column: column)
    }

    /// `YYYY-MM-DD` as `5 Mar 2025` (or `5 Mar` without the year); other text as it is.
    static func day(_ iso: String, year: Bool = true) -> String {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return iso }
        return "\(d) \(monthNames[m - 1])" + (year ? " \(y)" : "")
    }

    static func day(_ days: Int, year: Bool = true) -> String { day(CivilTime.formatDate(days: days), year: year) }

    /// A period of days in words: `1 Mar – 31 Mar 2025`, `from 1 Mar 2025`, `all data`.
    static func period(from: Int?, to: Int?) -> String {
        switch (from, to) {
        case let (from?, to?) where from == to: return day(from)
        case let (from?, to?):
            let sameYear = CivilTime.date(days: from).year == CivilTime.date(days: to).year
            return "\(day(from, year: !sameYear)) – \(day(to))"
        case let (from?, nil): return "from \(day(from))"
        case let (nil, to?): return "up to \(day(to))"
        case (nil, nil): return "all data"
        }
    }

    /// A column's heading: what the page calls the report's column.
    static func heading(_ column: String) -> String {
        if let known = headings[column] { return known }
        for (prefix, word) in [("avg_", "Average"), ("median_", "Median"), ("p90_", "p90"), ("max_", "Longest")] where column.hasPrefix(prefix) {
            return word
        }
        var words = column.replacingOccurrences(of: "_seconds", with: "").replacingOccurrences(of: "_pct", with: " %")
            .replacingOccurrences(of: "_", with: " ")
        if let first = words.first { words = first.uppercased() + words.dropFirst() }
        return words
    }

    static let headings: [String: String] = [
        "rank": "#", "name": "Name", "conversations": "Conversations", "period": "Period",
        "channel_name": "Channel", "incoming_messages": "Incoming messages", "share_pct": "Share",
        "source": "Source", "outgoing_messages": "Outgoing messages", "bucket": "Time",
        "user_name": "User", "team": "Team", "conversations_assigned": "Assigned", "conversations_closed": "Closed",
        "unique_contacts_closed": "Contacts", "messages_sent": "Messages sent",
        "avg_first_response_seconds": "Avg first response", "avg_resolution_seconds": "Avg resolution",
        "max_resolution_seconds": "Longest resolution", "conversations_opened": "Opened", "opened_by_agent": "Opened by agent",
        "agent_open_rate_pct": "Agent-opened rate", "flagged": "Flagged", "conversation_id": "Conversation",
        "contact_name": "Contact", "closed_by": "Closed by", "category": "Category", "closed_at": "Closed at",
        "first_response_seconds": "First response", "resolution_seconds": "Resolution", "messages": "Messages",
        "linked_messages": "Linked messages", "summary": "Summary", "opened": "Opened", "closed": "Closed",
        "kpi": "KPI", "value": "This period", "previous_value": "Previous period", "change_pct": "Change",
    ]
}
