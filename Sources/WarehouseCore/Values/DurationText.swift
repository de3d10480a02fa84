import Foundation

/// A length of time as a person writes it for a target or a window: `90s`,
/// `5m`, `1h30m`, `24h`, `7d`, `1d12h`, or a whole number of seconds. Units
/// are d, h, m and s, each at most once and in that order.
public enum DurationText {
    /// The longest duration taken: ten years.
    static let maximum: Int64 = 3_650 * 86_400

    /// The seconds of `text`; an error names `option` and says how to write one.
    public static func seconds(_ text: String, option: String) throws -> Int64 {
        let fail = WarehouseError("\(option) takes a duration such as 90s, 5m, 1h30m, 24h or 7d, not '\(text)'.")
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { throw fail }
        if trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let seconds = Int64(trimmed), seconds <= maximum else { throw fail }
            return seconds
        }
        let units: [(Character, Int64)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var total: Int64 = 0
        var digits = ""
        var next = 0  // the first unit still allowed
        for c in trimmed {
            if c.isASCII && c.isNumber {
                digits.append(c)
                guard digits.count <= 9 else { throw fail }
                continue
            }
            guard let i = units.firstIndex(where: { $0.0 == c }), i >= next, let n = Int64(digits) else { throw fail }
            total += n * units[i].1
            digits = ""
            next = i + 1
        }
        guard digits.isEmpty, total <= maximum else { throw fail }
        return total
    }

    /// `5m`, `1h30m`, `24h`, `7d`: whole seconds as a person writes them, in days only from two
    /// whole days up (a day is `24h`).
    public static func text(_ seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        var rest = seconds
        var out = ""
        let units: [(String, Int64)] = seconds % 86_400 == 0 && seconds >= 2 * 86_400 ? [("d", 86_400)] : [("h", 3_600), ("m", 60), ("s", 1)]
        for (unit, size) in units where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }
}
