import NIOCore
import PostgresNIO
import WarehouseCore

/// PostgreSQL's values as the warehouse's `SQLValue`s, chosen so that a report's csv
/// and json are the same text on both stores (`ResultFormatter` prints an integral
/// real as an integer and a real otherwise by its shortest form):
///
/// - `smallint`, `integer`, `bigint`, `oid` → integer; `boolean` → integer 1 or 0
///   (SQLite's comparisons are integers: `flagged` reads 1, not `t`).
/// - `real`, `double precision` → real.
/// - `numeric` → integer when it is integral and fits in 64 bits (PostgreSQL's
///   `sum(bigint)` is a numeric where SQLite's is an integer; `div_round(…, 2)` of
///   5.00 is SQLite's real 5, printed `5` either way); else real, from its decimal
///   text (33.33 is the double SQLite computes as 3333 / 100.0); `NaN` and the
///   infinities are reals too.
/// - `text`, `varchar`, `char`, `name`, `json`, `jsonb`, `xml` and unknown literals → text.
/// - `date` → `YYYY-MM-DD`; `timestamp` → `YYYY-MM-DD HH:MM:SS[.ffffff]` (the
///   warehouse's local-time form); `timestamptz` → the same in UTC with `+00`;
///   `time` → `HH:MM:SS[.ffffff]`; `uuid` → its usual text.
/// - `bytea` → blob. Any other type (arrays, intervals, ranges…) → its binary form
///   as a blob: cast it to text in the query (`x::text`) to read it.
///
/// Results come in PostgreSQL's binary format (postgres-nio asks for it), read
/// here without a detour through text.
enum PostgresValues {
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        guard cell.format == .binary else { return .text(String(decoding: bytes.readableBytesView, as: UTF8.self)) }
        switch cell.dataType {
        case .int2: return bytes.readInteger(as: Int16.self).map { .integer(Int64($0)) } ?? blob(cell)
        case .int4: return bytes.readInteger(as: Int32.self).map { .integer(Int64($0)) } ?? blob(cell)
        case .int8: return bytes.readInteger(as: Int64.self).map(SQLValue.integer) ?? blob(cell)
        case .oid: return bytes.readInteger(as: UInt32.self).map { .integer(Int64($0)) } ?? blob(cell)
        case .bool: return bytes.readInteger(as: UInt8.self).map { .integer($0 == 0 ? 0 : 1) } ?? blob(cell)
        case .float4: return bytes.readInteger(as: UInt32.self).map { .real(Double(Float(bitPattern: $0))) } ?? blob(cell)
        case .float8: return bytes.readInteger(as: UInt64.self).map { .real(Double(bitPattern: $0)) } ?? blob(cell)
        case .numeric: return numeric(&bytes) ?? blob(cell)
        case .text, .varchar, .bpchar, .name, .json, .unknown, .xml, .char:
            return .text(String(decoding: bytes.readableBytesView, as: UTF8.self))
        case .jsonb:
            // A version byte (1), then the text.
            guard bytes.readInteger(as: UInt8.self) == 1 else { return blob(cell) }
            return .text(String(decoding: bytes.readableBytesView, as: UTF8.self))
        case .bytea: return .blob(Array(bytes.readableBytesView))
        case .date:
            guard let days = bytes.readInteger(as: Int32.self) else { return blob(cell) }
            if days == .max { return .text("infinity") }
            if days == .min { return .text("-infinity") }
            return .text(CivilTime.formatDate(days: Int(days) + postgresEpochDays))
        case .timestamp, .timestamptz:
            guard let micros = bytes.readInteger(as: Int64.self) else { return blob(cell) }
            if micros == .max { return .text("infinity") }
            if micros == .min { return .text("-infinity") }
            let text = timestamp(micros)
            return .text(cell.dataType == .timestamptz ? text + "+00" : text)
        case .time:
            guard let micros = bytes.readInteger(as: Int64.self) else { return blob(cell) }
            return .text(clock(micros))
        case .uuid:
            let hex = bytes.readableBytesView.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
            guard hex.count == 32 else { return blob(cell) }
            let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
                String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
            }
            return .text(parts.joined(separator: "-"))
        default:
            return blob(cell)
        }
    }

    private static func blob(_ cell: PostgresCell) -> SQLValue {
        .blob(cell.bytes.map { Array($0.readableBytesView) } ?? [])
    }

    /// Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch.
    static let postgresEpochDays = 10_957

    static func timestamp(_ micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let wall = seconds + Int64(postgresEpochDays) * 86_400
        return CivilTime.format(wallSeconds: wall) + fractionText(fraction)
    }

    static func clock(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        let text = [seconds / 3600, seconds / 60 % 60, seconds % 60].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        return text + fractionText(micros % 1_000_000)
    }

    private static func fractionText(_ micros: Int64) -> String {
        guard micros != 0 else { return "" }
        var digits = String(micros).leftPadded(to: 6)
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }

    /// A `numeric` in binary: digit count, weight (of the first base-10000 digit),
    /// sign (0, 0x4000 negative, 0xC000 NaN, 0xD000 and 0xF000 the infinities),
    /// display scale, then the base-10000 digits.
    static func numeric(_ bytes: inout ByteBuffer) -> SQLValue? {
        guard let count = bytes.readInteger(as: Int16.self), let weight = bytes.readInteger(as: Int16.self),
              let sign = bytes.readInteger(as: UInt16.self), let scale = bytes.readInteger(as: Int16.self),
              count >= 0, scale >= 0 else { return nil }
        switch sign {
        case 0xC000: return .real(.nan)
        case 0xD000: return .real(.infinity)
        case 0xF000: return .real(-.infinity)
        case 0, 0x4000: break
        default: return nil
        }
        var digits: [Int16] = []
        for _ in 0..<count {
            guard let digit = bytes.readInteger(as: Int16.self), (0..<10_000).contains(digit) else { return nil }
            digits.append(digit)
        }
        // The integer part: digits at weights weight … 0; the fraction: weights -1, -2 …
        var integer = ""
        var fraction = ""
        for (i, digit) in digits.enumerated() {
            let at = Int(weight) - i
            let group = String(digit).leftPadded(to: 4)
            if at >= 0 { integer += group } else {
                // Groups between the point and the first stored fractional group are zeros.
                while fraction.count < (-at - 1) * 4 { fraction += "0000" }
                fraction += group
            }
        }
        if Int(weight) >= digits.count { integer += String(repeating: "0000", count: Int(weight) - digits.count + 1) }
        while integer.hasPrefix("0") { integer.removeFirst() }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let negative = sign == 0x4000
        if fraction.isEmpty {
            if integer.isEmpty { return .integer(0) }
            if let value = Int64(negative ? "-" + integer : integer) { return .integer(value) }
        }
        let text = (negative ? "-" : "") + (integer.isEmpty ? "0" : integer) + (fraction.isEmpty ? "" : "." + fraction)
        return Double(text).map(SQLValue.real)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
