import Foundation

/// Business seconds under one schedule (SPEC §9): between instants a and b, for
/// every local date that is not a holiday and every window of its weekday, the
/// overlap of [a, b) with the window's real UTC interval, summed. A day with a
/// clock change counts its real 23 or 25 hours; a window edge in a spring-forward
/// gap moves to the first instant after the gap; an ambiguous one (clocks moved
/// back) takes the earlier instant.
///
/// Reports call it once or more per conversation, so it is computed as B(b) − B(a),
/// where B(t) counts the business seconds of every window up to t: the windows of
/// each local day are turned into UTC intervals once (`days`), with a running total
/// before each day (`before`), and B(t) is the total before the day ahead of t's
/// plus the parts of the two days' windows (t's own and the day before it, whose
/// window may run past midnight) that start before t. A call costs two zone
/// lookups and a few comparisons however long the span.
public final class BusinessCalendar {
    public let zone: WorkspaceZone
    /// Windows by weekday (index 0 = Monday): (opens, closes) in minutes after midnight.
    private let windows: [[(opens: Int, closes: Int)]]
    /// Closed local days (day numbers, see `CivilTime`).
    private let holidays: Set<Int>

    /// Day `first + i`'s windows as UTC intervals, and the business seconds of every window of
    /// the days before it (from `first`).
    private var first = 0
    private var days: [[(start: Int64, end: Int64)]] = []
    private var before: [Int64] = []

    public init(zone: WorkspaceZone, schedule: WeeklySchedule, holidays: Set<Int>) {
        self.zone = zone
        var windows: [[(opens: Int, closes: Int)]] = Array(repeating: [], count: 7)
        for window in schedule.windows { windows[window.weekday - 1].append((window.opens, window.closes)) }
        self.windows = windows
        self.holidays = holidays
    }

    /// The most days the cache holds (about a century): a span of millennia, cached whole, would
    /// take the memory of millions of days.
    public static let maxDays = 36_600
    /// The instants a call takes, years 0001 to 9999 (wall times stay in range).
    static let instants: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    public enum Refusal: Error { case outOfRange }

    /// Business seconds in [a, b); nil when b < a. Instants outside the years 1 to 9999 are refused.
    public func seconds(from a: Int64, to b: Int64) throws -> Int64? {
        guard b >= a else { return nil }
        guard Self.instants.contains(a), Self.instants.contains(b) else { throw Refusal.outOfRange }
        if a == b { return 0 }
        // A longer span (a damaged date in one row) is summed a century at a time, the cache
        // starting again for each: slow for that row, never a report refused for it.
        let chunk = Int64(Self.maxDays - 10) * 86_400
        if b - a > chunk {
            var total: Int64 = 0
            var start = a
            while start < b {
                let end = min(b, start + chunk)
                total += try seconds(from: start, to: end) ?? 0
                start = end
            }
            return total
        }
        // A cache that would grow past the bound starts again from these days.
        let low = CivilTime.dayNumber(seconds: a) - 2, high = CivilTime.dayNumber(seconds: b) + 2
        if !days.isEmpty, max(high, first + days.count) - min(low, first) > Self.maxDays { days = []; before = [] }
        // Both days cached first: B(a) and B(b) count from the same first day.
        let dayA = CivilTime.dayNumber(seconds: zone.wallTime(utc: a)), dayB = CivilTime.dayNumber(seconds: zone.wallTime(utc: b))
        ensure(dayA - 1...dayB)
        return upTo(b, day: dayB) - upTo(a, day: dayA)
    }

    /// B(t): the business seconds of every window up to the instant t (of the local `day`),
    /// counted from the first cached day; the day and the one before it are cached.
    private func upTo(_ t: Int64, day: Int) -> Int64 {
        let i = day - 1 - first
        var total = before[i]
        for d in i...(i + 1) {
            for interval in days[d] where interval.start < t {
                total += min(interval.end, t) - interval.start
            }
        }
        return total
    }

    /// Caches the days of `range` (and every day between them and those already cached).
    private func ensure(_ range: ClosedRange<Int>) {
        if days.isEmpty {
            first = range.lowerBound
            days = [intervals(of: first)]
            before = [0]
        }
        if range.lowerBound < first {
            // Earlier days: made in front, every total after them moved up by theirs.
            let added = (range.lowerBound..<first).map(intervals(of:))
            var totals: [Int64] = []
            var running: Int64 = 0
            for day in added {
                totals.append(running)
                running += day.reduce(0) { $0 + ($1.end - $1.start) }
            }
            days = added + days
            before = totals + before.map { $0 + running }
            first = range.lowerBound
        }
        while first + days.count - 1 < range.upperBound {
            let last = days.count - 1
            before.append(before[last] + days[last].reduce(0) { $0 + ($1.end - $1.start) })
            days.append(intervals(of: first + days.count))
        }
    }

    /// The UTC intervals of a local day's windows (none on a holiday).
    private func intervals(of day: Int) -> [(start: Int64, end: Int64)] {
        if holidays.contains(day) { return [] }
        let midnight = Int64(day) * 86_400
        return windows[CivilTime.weekday(days: day) - 1].map { window in
            (instant(wallTime: midnight + Int64(window.opens) * 60), instant(wallTime: midnight + Int64(window.closes) * 60))
        }
    }

    /// The UTC instant of a wall time: the earlier of two, or the end of the gap when the
    /// clocks skip it (the first instant whose offset is the one after the change).
    func instant(wallTime w: Int64) -> Int64 {
        if case .instant(let t) = zone.utc(wallTime: w) { return t }
        let after = zone.offset(atUTC: w + 86_400)
        let before = zone.offset(atUTC: w - 86_400)
        // w − after is before the change (its wall time is earlier than w), w − before after it.
        var low = w - after, high = w - before
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if zone.offset(atUTC: mid) == before { low = mid } else { high = mid }
        }
        return high
    }
}
