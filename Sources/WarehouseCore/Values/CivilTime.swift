/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation:
/// day numbers since 1970-01-01 and back (H. Hinnant's algorithms).
public enum CivilTime {
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func date(days z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// 1 = Monday … 7 = Sunday.
    public static func weekday(days: Int) -> Int {
        // 1970-01-01 was a Thursday (4).
        let w = (days + 3) % 7
        return (w < 0 ? w + 7 : w) + 1
    }

    /// Floor division of seconds into days.
    @inline(__always)
    public static func dayNumber(seconds: Int64) -> Int {
        Int(seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400)
    }

    /// 'YYYY-MM-DD HH:MM:SS' for seconds counted as wall time from 1970-01-01 00:00:00.
    public static func format(wallSeconds s: Int64) -> String {
        let days = dayNumber(seconds: s)
        let secondOfDay = Int(s - Int64(days) * 86400)
        let (y, m, d) = date(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + " "
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    /// Calls `body` with the UTF-8 bytes of `format(wallSeconds:)`, without
    /// making a String (the loader writes one or more per record).
    public static func withFormatted<T>(wallSeconds s: Int64, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let days = dayNumber(seconds: s)
        let secondOfDay = Int(s - Int64(days) * 86400)
        let (y, m, d) = date(days: days)
        guard (0...9999).contains(y) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 19) { out in
            func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                for i in stride(from: at + width - 1, through: at, by: -1) {
                    out[i] = UInt8(48 + v % 10)
                    v /= 10
                }
            }
            put(y, 0, 4); out[4] = 45; put(m, 5, 2); out[7] = 45; put(d, 8, 2); out[10] = 32
            put(secondOfDay / 3600, 11, 2); out[13] = 58; put(secondOfDay / 60 % 60, 14, 2); out[16] = 58
            put(secondOfDay % 60, 17, 2)
            return try body(UnsafeBufferPointer(out))
        }
    }

    /// 'YYYY-MM-DD' of a day number.
    public static func formatDate(days: Int) -> String {
        let (y, m, d) = date(days: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
    }

    /// The date key YYYYMMDD of a day number.
    public static func dateKey(days: Int) -> Int {
        let (y, m, d) = date(days: days)
        return y * 10000 + m * 100 + d
    }

    /// The day number of a date key YYYYMMDD.
    public static func dayNumber(dateKey: Int) -> Int {
        days(year: dateKey / 10000, month: dateKey / 100 % 100, day: dateKey % 100)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
