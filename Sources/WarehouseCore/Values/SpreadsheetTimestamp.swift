/// The order of day and month in a date written `A/B/YYYY`: the value alone
/// cannot always tell (`03/04/2025`), so a file's values decide it, or the
/// user does (`warehouse load --date-order dmy|mdy`).
public enum DateOrder: String, CaseIterable, Sendable {
    /// Day first: `26/03/2025` (most of the world's spreadsheets).
    case dmy
    /// Month first: `3/26/2025` (US spreadsheets).
    case mdy

    var other: DateOrder { self == .dmy ? .mdy : .dmy }
    var name: String { self == .dmy ? "day-first" : "month-first" }
}

/// A timestamp as a spreadsheet writes it back after opening an export (SPEC 1,
/// "Exports after a spreadsheet"): `DD/MM/YYYY HH:MM[:SS]`, `M/D/YYYY H:MM`,
/// `DD.MM.YYYY …`, `DD-MM-YYYY …`, `YYYY/MM/DD …` (and `YYYY-M-D H:MM`), each with
/// or without seconds (missing seconds are `:00`) and with an optional `AM`/`PM`;
/// or a serial number (days since 1899-12-30, the fraction the time of day).
/// Read only where the export's own form (`FieldParsing.timestamp`) did not
/// parse, so a native file never comes here.
public struct SpreadsheetTimestamp: Equatable {
    public enum Layout: Equatable {
        /// `A/B/YYYY`: day and month in the file's order (`DateOrder`).
        case slash
        /// `DD.MM.YYYY` or `DD-MM-YYYY` (the separator): day first by definition.
        case dayFirst(UInt8)
        /// `YYYY/MM/DD`, `YYYY.MM.DD` or `YYYY-MM-DD` without seconds (the separator).
        case yearFirst(UInt8)
        /// A spreadsheet serial number.
        case serial
    }

    public var layout: Layout
    /// The date's parts as written, left to right (a serial has none).
    var year = 0, first = 0, second = 0
    /// Seconds since midnight; nil when the value is a date alone.
    var secondOfDay: Int?
    /// A serial number's wall time, rounded to the second.
    var serialWall: Int64 = 0
    /// The time had seconds; it had `AM` or `PM`; day and month were both written with two digits.
    var hasSeconds = false, twelveHour = false, padded = true

    /// Serials from 1970-01-01 to 2199-12-31: a number outside is not a timestamp.
    static let plausibleSerials = 25569.0..<109575.0
    /// 1899-12-30, day 0 of spreadsheet serial numbers, in days since 1970-01-01.
    static let serialEpoch = -25569

    /// The value's shape, without deciding anything that needs the file's
    /// date order; nil when it is in none of the spreadsheet forms.
    public static func read(_ raw: UnsafeBufferPointer<UInt8>) -> SpreadsheetTimestamp? {
        let f = FieldParsing.trimmed(raw)
        if let serial = serial(f) { return serial }
        var i = 0
        func number(maxDigits: Int) -> (value: Int, digits: Int)? {
            var value = 0, n = 0
            while i < f.count, n < maxDigits, f[i] >= 48, f[i] <= 57 {
                value = value * 10 + Int(f[i] - 48); n += 1; i += 1
            }
            return n == 0 ? nil : (value, n)
        }
        guard let a = number(maxDigits: 4), i < f.count else { return nil }
        let separator = f[i]
        guard separator == UInt8(ascii: "/") || separator == UInt8(ascii: ".") || separator == UInt8(ascii: "-") else { return nil }
        i += 1
        guard let b = number(maxDigits: 2), i < f.count, f[i] == separator else { return nil }
        i += 1
        let yearFirst = a.digits == 4
        guard let c = number(maxDigits: yearFirst ? 2 : 4) else { return nil }
        var t: SpreadsheetTimestamp
        if yearFirst {
            t = SpreadsheetTimestamp(layout: .yearFirst(separator))
            (t.year, t.first, t.second) = (a.value, b.value, c.value)
            t.padded = b.digits == 2 && c.digits == 2
        } else {
            guard a.digits <= 2, c.digits == 4 else { return nil }
            t = SpreadsheetTimestamp(layout: separator == UInt8(ascii: "/") ? .slash : .dayFirst(separator))
            (t.first, t.second, t.year) = (a.value, b.value, c.value)
            t.padded = a.digits == 2 && b.digits == 2
        }
        if i == f.count { return t }  // a date alone: read, so its reject can say so
        guard f[i] == UInt8(ascii: " ") else { return nil }
        while i < f.count, f[i] == UInt8(ascii: " ") { i += 1 }
        guard let hour = number(maxDigits: 2), i < f.count, f[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        guard let minute = number(maxDigits: 2), minute.digits == 2, minute.value < 60 else { return nil }
        var second = 0
        if i < f.count, f[i] == UInt8(ascii: ":") {
            i += 1
            guard let s = number(maxDigits: 2), s.digits == 2, s.value < 60 else { return nil }
            second = s.value
            t.hasSeconds = true
            if i < f.count, f[i] == UInt8(ascii: ".") || f[i] == UInt8(ascii: ",") {
                i += 1
                guard number(maxDigits: 9) != nil else { return nil }  // fractions of a second are dropped
            }
        }
        var h = hour.value
        while i < f.count, f[i] == UInt8(ascii: " ") { i += 1 }
        if i < f.count {
            guard i + 2 == f.count, f[i + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
            let meridiem = f[i] | 0x20
            guard meridiem == UInt8(ascii: "a") || meridiem == UInt8(ascii: "p"), (1...12).contains(h) else { return nil }
            // 12 AM is midnight, 12 PM noon.
            h = h % 12 + (meridiem == UInt8(ascii: "p") ? 12 : 0)
            t.twelveHour = true
        }
        guard h < 24 else { return nil }
        t.secondOfDay = h * 3600 + minute.value * 60 + second
        return t
    }

    /// `45932.89866` (or with a decimal comma): nil unless a plausible serial.
    private static func serial(_ f: UnsafeBufferPointer<UInt8>) -> SpreadsheetTimestamp? {
        guard let firstByte = f.first, firstByte >= 48, firstByte <= 57, f.count <= 24 else { return nil }
        var days = 0, i = 0
        while i < f.count, f[i] >= 48, f[i] <= 57 { days = days * 10 + Int(f[i] - 48); i += 1 }
        guard i <= 6 else { return nil }
        var fraction = 0.0
        if i < f.count {
            guard f[i] == UInt8(ascii: ".") || f[i] == UInt8(ascii: ","), i + 1 < f.count else { return nil }
            var scale = 0.1
            i += 1
            while i < f.count {
                guard f[i] >= 48, f[i] <= 57 else { return nil }
                fraction += Double(f[i] - 48) * scale
                scale /= 10
                i += 1
            }
        }
        guard plausibleSerials.contains(Double(days) + fraction) else { return nil }
        var t = SpreadsheetTimestamp(layout: .serial)
        t.serialWall = Int64(days + serialEpoch) * 86400 + Int64((fraction * 86400).rounded())
        t.secondOfDay = 0
        return t
    }

    /// Whether reading the value needs the file's day/month order.
    public var needsOrder: Bool { layout == .slash }

    /// What the value alone says about the order: a first part over 12 can only
    /// be a day, a second part over 12 only a day; nil when both readings (or
    /// neither) are possible.
    public var orderEvidence: DateOrder? {
        guard layout == .slash else { return nil }
        if first > 12 && second <= 12 { return .dmy }
        if second > 12 && first <= 12 { return .mdy }
        return nil
    }

    /// Is a date alone, with no time of day.
    public var isDateAlone: Bool { secondOfDay == nil }

    /// The wall time (seconds from 1970-01-01 00:00:00 in the workspace zone)
    /// with `order` for a slash date; nil when it names no real date and time.
    public func wallTime(order: DateOrder?) -> Int64? {
        guard let secondOfDay else { return nil }
        if layout == .serial { return serialWall }
        let (month, day): (Int, Int)
        switch layout {
        case .slash:
            guard let order else { return nil }
            (month, day) = order == .dmy ? (second, first) : (first, second)
        case .dayFirst: (month, day) = (second, first)
        case .yearFirst: (month, day) = (first, second)
        case .serial: return serialWall
        }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month) else { return nil }
        return Int64(CivilTime.days(year: year, month: month, day: day)) * 86400 + Int64(secondOfDay)
    }
}
