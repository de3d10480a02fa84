/// Parsers for the value formats of the export files, working on a field's
/// UTF-8 bytes so that nothing is decoded that does not need to be.
public enum FieldParsing {
    public enum Timestamp: Equatable {
        /// A wall time with no offset: seconds from 1970-01-01 00:00:00 in the workspace zone.
        case wall(Int64)
        /// An instant with an explicit offset or `Z`: seconds since the epoch, UTC.
        case utc(Int64)
    }

    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// The field without surrounding spaces or tabs.
    @inline(__always)
    public static func trimmed(_ field: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = field.count
        while lo < hi && isSpace(field[lo]) { lo += 1 }
        while hi > lo && isSpace(field[hi - 1]) { hi -= 1 }
        if lo == 0 && hi == field.count { return field }
        return UnsafeBufferPointer(rebasing: field[lo..<hi])
    }

    @inline(__always)
    static func digits(_ f: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
        guard at + count <= f.count else { return nil }
        var value = 0
        for i in at..<(at + count) {
            let d = Int(f[i]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// `YYYY-MM-DD HH:MM:SS` (wall time), or ISO 8601 `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM|±HHMM|±HH)`.
    /// Fractions of a second are dropped. Nil when it does not parse or names no real date.
    public static func timestamp(_ raw: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        let f = trimmed(raw)
        guard f.count >= 19,
              let year = digits(f, 0, 4), f[4] == UInt8(ascii: "-"),
              let month = digits(f, 5, 2), f[7] == UInt8(ascii: "-"),
              let day = digits(f, 8, 2),
              f[10] == UInt8(ascii: " ") || f[10] == UInt8(ascii: "T"),
              let hour = digits(f, 11, 2), f[13] == UInt8(ascii: ":"),
              let minute = digits(f, 14, 2), f[16] == UInt8(ascii: ":"),
              let second = digits(f, 17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilTime.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        var i = 19
        if i < f.count && (f[i] == UInt8(ascii: ".") || f[i] == UInt8(ascii: ",")) {
            i += 1
            let fractionStart = i
            while i < f.count, f[i] >= 48, f[i] <= 57 { i += 1 }
            guard i > fractionStart else { return nil }
        }
        let wall = Int64(CivilTime.days(year: year, month: month, day: day)) * 86400
            + Int64(hour * 3600 + minute * 60 + second)
        if i == f.count { return .wall(wall) }
        if f[i] == UInt8(ascii: "Z") || f[i] == UInt8(ascii: "z") {
            return i + 1 == f.count ? .utc(wall) : nil
        }
        guard f[i] == UInt8(ascii: "+") || f[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = f[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let offsetHours = digits(f, i, 2), offsetHours <= 14 else { return nil }
        i += 2
        var offsetMinutes = 0
        if i < f.count {
            if f[i] == UInt8(ascii: ":") { i += 1 }
            guard let m = digits(f, i, 2), m < 60, i + 2 == f.count else { return nil }
            offsetMinutes = m
        }
        return .utc(wall - sign * Int64(offsetHours * 3600 + offsetMinutes * 60))
    }

    /// `HH:MM:SS` (hours may exceed 24, and may have one digit, `0:13:15`, as a
    /// spreadsheet writes them) or plain whole seconds. Minutes and seconds have
    /// two digits. A duration a spreadsheet wrote back as a time of day
    /// (`12:01:37 AM`, `clockTimeDuration`) is read only when the value is in
    /// none of these forms, so an export's own values cost nothing more.
    /// Nil when it does not parse.
    public static func duration(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let f = trimmed(raw)
        return exportDuration(f) ?? clockTimeDuration(f)
    }

    /// `HH:MM:SS` or plain seconds, of a trimmed field (inlined into `duration`: the export's own path as it was).
    @inline(__always)
    static func exportDuration(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !f.isEmpty else { return nil }
        var parts: [Int64] = []
        var current: Int64 = 0
        var digitsInPart = 0
        for b in f {
            if b == UInt8(ascii: ":") {
                guard digitsInPart > 0, parts.isEmpty || digitsInPart == 2 else { return nil }
                parts.append(current); current = 0; digitsInPart = 0
            } else if b >= 48 && b <= 57 {
                guard digitsInPart < 12 else { return nil }
                current = current * 10 + Int64(b - 48); digitsInPart += 1
            } else {
                return nil
            }
        }
        guard digitsInPart > 0 else { return nil }
        parts.append(current)
        switch parts.count {
        case 1: return parts[0]
        case 3:
            guard parts[1] < 60, parts[2] < 60, digitsInPart == 2 else { return nil }
            return parts[0] * 3600 + parts[1] * 60 + parts[2]
        default: return nil
        }
    }

    /// A non-negative whole number; a spreadsheet's trailing `.0` is accepted.
    public static func count(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let f = withoutPointZero(trimmed(raw))
        guard !f.isEmpty, f.count <= 18 else { return nil }
        var value: Int64 = 0
        for b in f {
            guard b >= 48 && b <= 57 else { return nil }
            value = value * 10 + Int64(b - 48)
        }
        return value
    }

    /// The field without a trailing `.0` when the rest is all digits (a
    /// spreadsheet artefact on numeric IDs: `12.0` is `12`, `A1.0` stays).
    @inline(__always)
    public static func withoutPointZero(_ f: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        let n = f.count
        guard n > 2 && f[n - 1] == UInt8(ascii: "0") && f[n - 2] == UInt8(ascii: ".") else { return f }
        for i in 0..<(n - 2) where f[i] < 48 || f[i] > 57 { return f }
        return UnsafeBufferPointer(rebasing: f[0..<(n - 2)])
    }

    /// An ID as it stands in any ID or people column: trimmed, trailing `.0` removed.
    @inline(__always)
    public static func userID(_ raw: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        withoutPointZero(trimmed(raw))
    }
}
