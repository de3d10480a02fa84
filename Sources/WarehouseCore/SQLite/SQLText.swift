/// Reading SQL text the way SQLite's tokenizer does, as far as finding named
/// parameters goes: string literals, quoted identifiers and comments are skipped.
public enum SQLText {
    /// `sql` with each named parameter (`:name`, `@name`, `$name`) replaced by
    /// `replacement(name)`. A `?` parameter is an error: reports name theirs.
    public static func replacingParameters(in sql: String, _ replacement: (String) throws -> String) throws -> String {
        let s = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80
        }
        func copy(until end: Int) {
            let stop = min(end, s.count)
            out.append(contentsOf: s[i..<stop])
            i = stop
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                // Quoted: ends at the next unpaired quote (a doubled quote stays inside).
                var j = i + 1
                while j < s.count {
                    if s[j] == c {
                        if j + 1 < s.count && s[j + 1] == c { j += 2; continue }
                        break
                    }
                    j += 1
                }
                copy(until: j + 1)
            case UInt8(ascii: "["):
                copy(until: (s[i...].firstIndex(of: UInt8(ascii: "]")) ?? s.count) + 1)
            case UInt8(ascii: "-") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "-"):
                copy(until: s[i...].firstIndex(of: 10) ?? s.count)
            case UInt8(ascii: "/") where i + 1 < s.count && s[i + 1] == UInt8(ascii: "*"):
                var j = i + 2
                while j + 1 < s.count && !(s[j] == UInt8(ascii: "*") && s[j + 1] == UInt8(ascii: "/")) { j += 1 }
                copy(until: j + 2)
            case UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                var j = i + 1
                while j < s.count && isNameByte(s[j]) { j += 1 }
                if j == i + 1 {
                    copy(until: i + 1)
                } else {
                    let name = String(decoding: s[(i + 1)..<j], as: UTF8.self)
                    out.append(contentsOf: Array(try replacement(name).utf8))
                    i = j
                }
            case UInt8(ascii: "?"):
                throw WarehouseError("a report names its parameters (:from_ts, :tz, …); `?` is not allowed")
            default:
                if isNameByte(c) {
                    // A whole word, so "x:y" inside an identifier cannot start a parameter.
                    var j = i + 1
                    while j < s.count && (isNameByte(s[j]) || s[j] == UInt8(ascii: "$")) { j += 1 }
                    copy(until: j)
                } else {
                    copy(until: i + 1)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
