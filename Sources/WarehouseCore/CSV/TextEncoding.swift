/// How an export file's bytes are text, decided once per file from its first
/// bytes (SPEC 1, "Exports after a spreadsheet"). A native export is UTF-8 and
/// is read as it is; the others go through `TextDecoder` on their way into the
/// CSV reader, which then sees UTF-8 whatever the file was.
public enum TextEncoding: String, Sendable {
    case utf8 = "UTF-8"
    /// With its byte-order mark: Excel's "Unicode Text" (tab-separated) is UTF-16LE.
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    /// What Excel's plain "CSV" writes: one byte a character, accents kept,
    /// emoji and CJK already gone (as `?`) before the file was written.
    case windows1252 = "Windows-1252"

    /// The encoding of a file that starts with `head`; `complete` when `head`
    /// is the whole file (else a sequence cut at its end is not counted).
    ///
    /// A UTF-16 byte-order mark decides UTF-16, a UTF-8 one UTF-8. Otherwise
    /// the bytes are UTF-8 unless they hold invalid UTF-8 sequences, and more
    /// of them than valid multi-byte ones: Windows-1252 text has invalid
    /// sequences wherever it has an accent (`é` is one byte, `E9`) and almost
    /// never a valid one, while a UTF-8 export damaged in a few places still
    /// has its many emoji, CJK and accents, and is read as UTF-8 (its damaged
    /// fields alone are read as Windows-1252, see `CSVReader`).
    public static func sniff<Bytes: RandomAccessCollection>(_ head: Bytes, complete: Bool) -> TextEncoding where Bytes.Element == UInt8, Bytes.Index == Int {
        let bytes = Array(head.prefix(3))
        if bytes.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if bytes.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        if bytes == [0xEF, 0xBB, 0xBF] { return .utf8 }
        let (valid, invalid) = multiByteSequences(head, complete: complete)
        return invalid > 0 && invalid > valid ? .windows1252 : .utf8
    }

    /// How many valid multi-byte UTF-8 sequences `bytes` holds, and how many invalid ones.
    static func multiByteSequences<Bytes: RandomAccessCollection>(_ bytes: Bytes, complete: Bool) -> (valid: Int, invalid: Int) where Bytes.Element == UInt8, Bytes.Index == Int {
        var valid = 0, invalid = 0
        var i = bytes.startIndex
        let end = bytes.endIndex
        while i < end {
            let lead = bytes[i]
            if lead < 0x80 { i += 1; continue }
            // The sequence's length and the range its second byte must be in (RFC 3629).
            let length: Int, second: ClosedRange<UInt8>
            switch lead {
            case 0xC2...0xDF: (length, second) = (2, 0x80...0xBF)
            case 0xE0: (length, second) = (3, 0xA0...0xBF)
            case 0xED: (length, second) = (3, 0x80...0x9F)
            case 0xE1...0xEF: (length, second) = (3, 0x80...0xBF)
            case 0xF0: (length, second) = (4, 0x90...0xBF)
            case 0xF1...0xF3: (length, second) = (4, 0x80...0xBF)
            case 0xF4: (length, second) = (4, 0x80...0x8F)
            default: invalid += 1; i += 1; continue
            }
            var ok = true
            for k in 1..<length {
                guard i + k < end else {
                    if !complete { return (valid, invalid) }  // cut by the end of the head
                    ok = false; break
                }
                let byte = bytes[i + k]
                if !(k == 1 ? second.contains(byte) : (0x80...0xBF).contains(byte)) { ok = false; break }
            }
            if ok { valid += 1; i += length } else { invalid += 1; i += 1 }
        }
        return (valid, invalid)
    }
}
