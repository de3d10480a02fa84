/// Windows-1252 (Excel's plain "CSV" on Western systems) to UTF-8, byte by byte.
///
/// Bytes below 0x80 are ASCII and `A0`–`FF` are Latin-1 (U+00A0–U+00FF); the
/// 0x80–0x9F range holds `€ ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ`.
/// The five bytes Windows-1252 leaves undefined (81, 8D, 8F, 90, 9D) become
/// their C1 control code points (U+0081 …), as the WHATWG Encoding Standard's
/// decoder does: nothing is lost, and such a byte in an export is a control
/// character either way.
enum Windows1252 {
    /// The code points of bytes 0x80–0x9F.
    static let high: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Writes `byte` as UTF-8 at `out` (at most 3 bytes); returns how many.
    @inline(__always)
    static func decode(_ byte: UInt8, into out: UnsafeMutablePointer<UInt8>) -> Int {
        if byte < 0x80 { out[0] = byte; return 1 }
        let scalar = byte < 0xA0 ? high[Int(byte) - 0x80] : UInt32(byte)
        return UTF8Writer.write(scalar, into: out)
    }

    /// Decodes `bytes` into `out`, which has room for three bytes each; returns the length written.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        var w = 0
        for byte in bytes { w += decode(byte, into: out + w) }
        return w
    }
}

/// A Unicode scalar value written as UTF-8.
enum UTF8Writer {
    /// Writes `scalar` (a valid scalar value) at `out`; returns its length, 1 to 4.
    @inline(__always)
    static func write(_ scalar: UInt32, into out: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            out[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[0] = UInt8(0xC0 | (scalar >> 6))
            out[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            out[0] = UInt8(0xE0 | (scalar >> 12))
            out[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            out[0] = UInt8(0xF0 | (scalar >> 18))
            out[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            out[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            out[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }
}
