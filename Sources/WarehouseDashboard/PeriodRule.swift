import WarehouseCore

/// Whether the charts over time go by day or by week: by week when the period
/// is longer than `longestByDay` days. Without both --from and --to, the period
/// is the days that hold conversations (opened or closed), within the bound
/// given.
enum PeriodRule {
    static let longestByDay = 92

    static func by(from: Int?, to: Int?, in warehouse: any ReportStore) throws -> String {
        if let from, let to { return to - from + 1 > longestByDay ? "week" : "day" }
        // The first and last workspace-zone days with a conversation, each read off its index.
        let row = try warehouse.rows("""
            SELECT (SELECT min(started_date_key) FROM fact_conversation), (SELECT max(started_date_key) FROM fact_conversation),
                   (SELECT min(resolved_date_key) FROM fact_conversation), (SELECT max(resolved_date_key) FROM fact_conversation)
            """, []).first ?? []
        let days = row.compactMap { $0.int64.map(day(dateKey:)) }
        guard let first = days.min(), let last = days.max() else { return "day" }
        let start = max(first, from ?? first), end = min(last, to ?? last)
        return end - start + 1 > longestByDay ? "week" : "day"
    }

    /// The day number of a date key YYYYMMDD.
    static func day(dateKey: Int64) -> Int {
        let key = Int(dateKey)
        return CivilTime.days(year: key / 10_000, month: key / 100 % 100, day: key % 100)
    }
}
