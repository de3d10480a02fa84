import Foundation

/// One opening window of a weekly schedule: a weekday and a span of wall time in
/// the warehouse's time zone. A window that closes at or before it opens runs
/// past midnight and belongs to the day it opens on (`22:00-06:00`); `00:00-24:00`
/// is the whole day.
public struct BusinessWindow: Hashable, Sendable, Comparable {
    /// 1 = Monday … 7 = Sunday (ISO, as `CivilTime.weekday`).
    public let weekday: Int
    /// Minutes after the day's midnight it opens, 0…1439.
    public let opens: Int
    /// How long it is open, in minutes, 1…1440.
    public let minutes: Int

    public init(weekday: Int, opens: Int, minutes: Int) {
        self.weekday = weekday
        self.opens = opens
        self.minutes = minutes
    }

    /// The window of a day that opens and closes at these minutes after midnight: closing at
    /// or before opening runs past midnight (00:00 closing is midnight, 24:00 too).
    init(weekday: Int, opens: Int, closes: Int) {
        self.init(weekday: weekday, opens: opens, minutes: closes > opens ? closes - opens : closes + 1440 - opens)
    }

    /// Minutes after its day's midnight it closes (past 1440 when it runs into the next day).
    public var closes: Int { opens + minutes }

    public static func < (a: BusinessWindow, b: BusinessWindow) -> Bool {
        (a.weekday, a.opens, a.minutes) < (b.weekday, b.opens, b.minutes)
    }

    /// `HH:MM-HH:MM`, the close written `24:00` at the end of the day and as the
    /// clock shows it when it runs past midnight.
    public var times: String { Self.clock(opens) + "-" + closesClock }

    /// When it closes, as the clock shows it (`24:00` at the end of its own day).
    var closesClock: String { closes == 1440 ? "24:00" : Self.clock(closes % 1440) }

    public var description: String { WeeklySchedule.dayNames[weekday - 1] + " " + times }

    static func clock(_ minutes: Int) -> String {
        (minutes / 60 < 10 ? "0" : "") + "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
    }
}

/// A weekly schedule: the windows of each weekday. Written as arguments of
/// `warehouse hours set`, each `DAYS TIMES`: days as `Mon`, `Mon-Fri`, `Fri-Mon`
/// (a range may wrap round the week), `Mon,Wed,Fri` or `daily`; times as
/// `HH:MM-HH:MM`, several separated by commas (`Mon-Fri 09:00-12:00,13:00-17:00`).
public struct WeeklySchedule: Equatable, Sendable {
    public let windows: [BusinessWindow]

    public static let dayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let fullDayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// A schedule of windows already checked (read back from the warehouse).
    init(checked windows: [BusinessWindow]) { self.windows = windows.sorted() }

    /// The schedule the arguments describe; an error names the argument and the
    /// part of it that is wrong (a day, a time, two windows that overlap).
    public init(parsing arguments: [String]) throws {
        guard !arguments.isEmpty else {
            throw WarehouseError("give the opening windows, such as \"Mon-Fri 09:00-17:00\" \"Sat 10:00-14:00\".")
        }
        // Words, quoted together or not: days, then the spans of time that follow them.
        var groups: [[Substring]] = []
        for word in arguments.flatMap({ $0.split(whereSeparator: { $0 == " " || $0 == "\t" }) }) {
            if word.first?.isNumber == true, !groups.isEmpty, groups[groups.count - 1].count >= 1 {
                groups[groups.count - 1].append(word)
            } else {
                groups.append([word])
            }
        }
        var windows: [BusinessWindow] = []
        for group in groups {
            windows += try Self.windows(in: group.joined(separator: " "))
        }
        try self.init(windows)
    }

    /// The schedule of these windows, refused when two overlap (a window running
    /// past midnight included, round the end of the week too).
    public init(_ windows: [BusinessWindow]) throws {
        let sorted = windows.sorted()
        let week = 7 * 1440
        func span(_ w: BusinessWindow) -> Range<Int> { let start = (w.weekday - 1) * 1440 + w.opens; return start..<(start + w.minutes) }
        for (i, a) in sorted.enumerated() {
            for b in sorted[(i + 1)...] {
                let (x, y) = (span(a), span(b))
                for shift in [-week, 0, week] where x.overlaps((y.lowerBound + shift)..<(y.upperBound + shift)) {
                    throw WarehouseError("the windows \(a.description) and \(b.description) overlap: give each hour once.")
                }
            }
        }
        self.windows = sorted
    }

    /// The windows of `DAYS TIMES[,TIMES…] [TIMES…]`.
    static func windows(in argument: String) throws -> [BusinessWindow] {
        let parts = argument.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 2 else {
            throw WarehouseError("'\(argument)': write a window as DAYS HH:MM-HH:MM, such as \"Mon-Fri 09:00-17:00\".")
        }
        let days = try Self.days(String(parts[0]), in: argument)
        var windows: [BusinessWindow] = []
        for span in parts.dropFirst().joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false) {
            let ends = span.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 2 else {
                throw WarehouseError("'\(argument)': '\(span)' is not a span of time: write HH:MM-HH:MM, such as 09:00-17:00.")
            }
            let opens = try minutes(String(ends[0]), in: argument)
            let closes = try minutes(String(ends[1]), in: argument)
            guard opens < 1440 else { throw WarehouseError("'\(argument)': a window cannot open at 24:00; 00:00 opens the day.") }
            guard closes != opens else {
                throw WarehouseError("'\(argument)': \(span) opens and closes at the same time; 00:00-24:00 is the whole day.")
            }
            windows += days.map { BusinessWindow(weekday: $0, opens: opens, closes: closes) }
        }
        return windows
    }

    /// The weekdays (1…7) of `Mon`, `Mon-Fri`, `Sat,Sun`, `daily`.
    static func days(_ text: String, in argument: String) throws -> [Int] {
        if ["daily", "everyday"].contains(text.lowercased()) { return Array(1...7) }
        var days: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let ends = item.split(separator: "-", omittingEmptySubsequences: false)
            guard ends.count == 1 || ends.count == 2 else {
                throw WarehouseError("'\(argument)': '\(item)' is not a day or a range of days such as Mon-Fri.")
            }
            let first = try day(String(ends[0]), in: argument)
            let last = ends.count == 2 ? try day(String(ends[1]), in: argument) : first
            var d = first
            while true {
                if !days.contains(d) { days.append(d) }
                if d == last { break }
                d = d % 7 + 1  // a range may wrap round the week: Fri-Mon
            }
        }
        return days
    }

    static func day(_ text: String, in argument: String) throws -> Int {
        let lower = text.lowercased()
        if let i = dayNames.firstIndex(where: { $0.lowercased() == lower }) ?? fullDayNames.firstIndex(of: lower) { return i + 1 }
        throw WarehouseError("'\(argument)': '\(text)' is not a day: the days are \(dayNames.joined(separator: ", "))."
            + Suggestions.didYouMean(text, dayNames))
    }

    /// Minutes after midnight of `HH:MM` (or `H:MM`), 00:00…24:00.
    static func minutes(_ text: String, in argument: String) throws -> Int {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let h = Int(parts[0]), let m = Int(parts[1]) else {
            throw WarehouseError("'\(argument)': '\(text)' is not a time: write HH:MM, from 00:00 to 24:00.")
        }
        guard h <= 24, m <= 59, h < 24 || m == 0 else {
            throw WarehouseError("'\(argument)': '\(text)' is not a time of day: hours run from 00 to 23 (24:00 is the end of the day), minutes from 00 to 59.")
        }
        return h * 60 + m
    }

    /// The schedule as `warehouse hours set` takes it, weekdays with the same
    /// windows joined into ranges: `Mon-Fri 09:00-17:00`, `Sat 10:00-14:00`.
    public var arguments: [String] {
        var byDay: [[String]] = Array(repeating: [], count: 7)
        for window in windows { byDay[window.weekday - 1].append(window.times) }
        var out: [String] = []
        var d = 0
        while d < 7 {
            guard !byDay[d].isEmpty else { d += 1; continue }
            var end = d
            while end + 1 < 7 && byDay[end + 1] == byDay[d] { end += 1 }
            let days = end == d ? Self.dayNames[d] : Self.dayNames[d] + "-" + Self.dayNames[end]
            out.append(days + " " + byDay[d].joined(separator: ","))
            d = end + 1
        }
        return out
    }
}
