/// Ordering of export IDs: all-digit IDs compare as numbers (of any length, so
/// no precision is lost past 2^63); other IDs compare as text, after numbers.
public enum NaturalID {
    public static func less(_ a: String, _ b: String) -> Bool {
        let (da, db) = (isDigits(a), isDigits(b))
        if da && db {
            let (ta, tb) = (trimZeros(a), trimZeros(b))
            return ta.utf8.count != tb.utf8.count ? ta.utf8.count < tb.utf8.count : ta < tb
        }
        if da != db { return da }
        return a < b
    }

    static func isDigits(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    static func trimZeros(_ s: String) -> Substring {
        let t = s.drop { $0 == "0" }
        return t.isEmpty ? "0" : t
    }
}
