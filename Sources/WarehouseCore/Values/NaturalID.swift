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

    /// A sort key whose byte order (memcmp, then length) is `compare`'s order: the
    /// portable spelling of the collation, `ORDER BY natural_id_key(id)`, which
    /// PostgreSQL can also say (Schema/postgresql/functions.sql makes the same bytes).
    /// An all-digit ID: 0x00, the number's digit count (4 bytes, big-endian, leading
    /// zeros aside), its digits, then the ID itself ("007" before "7"). Any other ID:
    /// 0x01 and its bytes. (NULL, the empty key, is the SQL function's.)
    public static func key(_ id: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: keyLength(id)) { buffer, count in
            count = writeKey(id, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// The length of `key(id)`.
    static func keyLength(_ id: UnsafeRawBufferPointer) -> Int {
        isDigits(id) ? 5 + (id.count - leadingZeros(id)) + id.count : 1 + id.count
    }

    /// Writes `key(id)` at the start of `buffer` (at least `keyLength(id)` bytes), without
    /// an array in between (the SQL function writes it into SQLite's memory); its length.
    static func writeKey(_ id: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard isDigits(id) else {
            buffer[0] = 1
            UnsafeMutableRawBufferPointer(rebasing: buffer[1...]).copyMemory(from: id)
            return 1 + id.count
        }
        let digits = UnsafeRawBufferPointer(rebasing: id[leadingZeros(id)...])
        let count = UInt32(digits.count)
        buffer[0] = 0
        buffer[1] = UInt8(count >> 24)
        buffer[2] = UInt8(count >> 16 & 0xFF)
        buffer[3] = UInt8(count >> 8 & 0xFF)
        buffer[4] = UInt8(count & 0xFF)
        UnsafeMutableRawBufferPointer(rebasing: buffer[5...]).copyMemory(from: digits)
        UnsafeMutableRawBufferPointer(rebasing: buffer[(5 + digits.count)...]).copyMemory(from: id)
        return 5 + digits.count + id.count
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
