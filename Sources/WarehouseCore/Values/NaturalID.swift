/// Ordering of export IDs: all-digit IDs compare as numbers (of any length, so
/// no precision is lost past 2^63); other IDs compare as text, after numbers.
public enum NaturalID {
    public static func less(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) < 0 } }
    }

    /// -1, 0 or 1 as `a` orders before, with or after `b` (UTF-8 bytes).
    public static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
        let (da, db) = (isDigits(a), isDigits(b))
        if da != db { return da ? -1 : 1 }
        if da {
            let (ta, tb) = (a[leadingZeros(a)...], b[leadingZeros(b)...])
            if ta.count != tb.count { return ta.count < tb.count ? -1 : 1 }
            let order = bytewise(UnsafeRawBufferPointer(rebasing: ta), UnsafeRawBufferPointer(rebasing: tb))
            return order != 0 ? order : bytewise(a, b)  // "007" and "7": a total order all the same
        }
        return bytewise(a, b)
    }

    static func isDigits(_ s: UnsafeRawBufferPointer) -> Bool {
        !s.isEmpty && s.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The number of leading zeros, keeping the last digit ("000" counts as "0").
    static func leadingZeros(_ s: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < s.count - 1 && s[i] == 48 { i += 1 }
        return i
    }

    /// Byte order of UTF-8, which is code point order.
    static func bytewise(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int32 {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] {
            return a[i] < b[i] ? -1 : 1
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
