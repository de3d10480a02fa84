/// A file's UTF-16 or Windows-1252 bytes turned into UTF-8 as they are read,
/// a streaming layer under the CSV reader (which only ever sees UTF-8).
///
/// The decoder keeps a chunk of the file's own bytes and decodes as many of
/// them as fit where the reader asks; a UTF-16 code unit or surrogate pair cut
/// by the end of a chunk waits for the next one, so memory stays one chunk
/// whatever the file's size. A lone surrogate, or an odd byte at the end of a
/// UTF-16 file, becomes U+FFFD.
final class TextDecoder {
    let encoding: TextEncoding
    private var raw: UnsafeMutablePointer<UInt8>
    private let rawCapacity: Int
    private var rawStart = 0, rawEnd = 0
    private var rawEOF: Bool
    /// The file's bytes decoded so far (for progress, which is in file bytes).
    private(set) var bytesDecoded = 0

    /// `pending`: bytes already read from the file (the reader's first look),
    /// to decode before anything else is read; `atEOF`: the file has no more.
    init(encoding: TextEncoding, chunkSize: Int, pending: UnsafeBufferPointer<UInt8>, atEOF: Bool) {
        precondition(encoding != .utf8)
        self.encoding = encoding
        rawCapacity = max(chunkSize, pending.count, 8)
        raw = .allocate(capacity: rawCapacity)
        if let base = pending.baseAddress { raw.update(from: base, count: pending.count) }
        rawEnd = pending.count
        rawEOF = atEOF
    }

    deinit { raw.deallocate() }

    /// Writes UTF-8 at `out`, which has room for `room` bytes (at least 4),
    /// reading the file's next bytes with `read` when the chunk is used up.
    /// Returns how many bytes it wrote: 0 only at the end of the file.
    func decode(into out: UnsafeMutablePointer<UInt8>, room: Int, read: (UnsafeMutablePointer<UInt8>, Int) throws -> Int) throws -> Int {
        precondition(room >= 4)
        while true {
            let w = encoding == .windows1252 ? decodeWindows1252(into: out, room: room) : decodeUTF16(into: out, room: room)
            if w > 0 { return w }
            if rawEOF {
                // What is left cannot make a character: an odd byte, a high surrogate alone.
                guard rawEnd > rawStart else { return 0 }
                bytesDecoded += rawEnd - rawStart
                rawStart = rawEnd
                return UTF8Writer.write(0xFFFD, into: out)
            }
            // Keep the bytes of a cut character, and read more.
            let left = rawEnd - rawStart
            if left > 0 && rawStart > 0 { raw.update(from: raw + rawStart, count: left) }
            rawStart = 0
            rawEnd = left
            let n = try read(raw + rawEnd, rawCapacity - rawEnd)
            if n == 0 { rawEOF = true }
            rawEnd += n
        }
    }

    private func decodeWindows1252(into out: UnsafeMutablePointer<UInt8>, room: Int) -> Int {
        var w = 0, i = rawStart
        while i < rawEnd && room - w >= 3 {
            w += Windows1252.decode(raw[i], into: out + w)
            i += 1
        }
        bytesDecoded += i - rawStart
        rawStart = i
        return w
    }

    private func decodeUTF16(into out: UnsafeMutablePointer<UInt8>, room: Int) -> Int {
        let bigEndian = encoding == .utf16BE
        @inline(__always) func unit(_ at: Int) -> UInt32 {
            bigEndian ? UInt32(raw[at]) << 8 | UInt32(raw[at + 1]) : UInt32(raw[at + 1]) << 8 | UInt32(raw[at])
        }
        var w = 0, i = rawStart
        while rawEnd - i >= 2 && room - w >= 4 {
            let u = unit(i)
            switch u {
            case 0xD800...0xDBFF:
                // A high surrogate: its low half may be in the next chunk.
                guard rawEnd - i >= 4 else {
                    if rawEOF { w += UTF8Writer.write(0xFFFD, into: out + w); i += 2; continue }
                    bytesDecoded += i - rawStart
                    rawStart = i
                    return w
                }
                let low = unit(i + 2)
                if (0xDC00...0xDFFF).contains(low) {
                    w += UTF8Writer.write(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00), into: out + w)
                    i += 4
                } else {
                    w += UTF8Writer.write(0xFFFD, into: out + w)
                    i += 2
                }
            case 0xDC00...0xDFFF:
                w += UTF8Writer.write(0xFFFD, into: out + w)
                i += 2
            default:
                w += UTF8Writer.write(u, into: out + w)
                i += 2
            }
        }
        bytesDecoded += i - rawStart
        rawStart = i
        return w
    }
}
