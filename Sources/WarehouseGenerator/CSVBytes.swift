import Foundation
import WarehouseCore

/// A growable byte buffer with the CSV field writers the export generator
/// needs: numbers, `YYYY-MM-DD HH:MM:SS` wall times and `HH:MM:SS` durations are
/// written digit by digit, text fields come pre-escaped (see `CSVText`).
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    var count: Int { bytes.count }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) {
        bytes.append(b)
    }

    @inline(__always)
    mutating func comma() {
        bytes.append(UInt8(ascii: ","))
    }

    /// The record separator: CRLF, as RFC 4180 has it (newlines inside quoted
    /// fields stay LF).
    @inline(__always)
    mutating func endRecord() {
        bytes.append(13)
        bytes.append(10)
    }

    @inline(__always)
    mutating func append(_ raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    mutating func ascii(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A text field, quoted when it holds a comma, quote or line break.
    mutating func field(_ text: String) {
        bytes.append(contentsOf: CSVText.field(text))
    }

    /// A non-negative decimal number.
    @inline(__always)
    mutating func number(_ value: UInt64) {
        var digits = 1
        var power: UInt64 = 10
        while digits < 20 && value >= power {
            digits += 1
            power = power &* 10
        }
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(48, count: digits))
        var v = value
        var i = start + digits - 1
        while v >= 10 {
            bytes[i] = UInt8(48 + v % 10)
            v /= 10
            i -= 1
        }
        bytes[i] = UInt8(48 + v)
    }

    @inline(__always)
    mutating func number(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            number(UInt64(-value))
        } else {
            number(UInt64(value))
        }
    }

    @inline(__always)
    mutating func twoDigits(_ v: Int) {
        bytes.append(UInt8(48 + v / 10))
        bytes.append(UInt8(48 + v % 10))
    }

    /// `YYYY-MM-DD HH:MM:SS` of seconds counted as wall time from 1970-01-01 00:00:00.
    mutating func wallTime(_ s: Int64) {
        let days = CivilTime.dayNumber(seconds: s)
        let secondOfDay = Int(s - Int64(days) * 86400)
        let (y, m, d) = CivilTime.date(days: days)
        twoDigits(y / 100)
        twoDigits(y % 100)
        bytes.append(UInt8(ascii: "-"))
        twoDigits(m)
        bytes.append(UInt8(ascii: "-"))
        twoDigits(d)
        bytes.append(UInt8(ascii: " "))
        twoDigits(secondOfDay / 3600)
        bytes.append(UInt8(ascii: ":"))
        twoDigits(secondOfDay / 60 % 60)
        bytes.append(UInt8(ascii: ":"))
        twoDigits(secondOfDay % 60)
    }

    /// `HH:MM:SS`, hours past 24 (and past 99) as they come.
    mutating func duration(_ seconds: Int64) {
        let s = max(0, seconds)
        let hours = s / 3600
        if hours < 100 { twoDigits(Int(hours)) } else { number(UInt64(hours)) }
        bytes.append(UInt8(ascii: ":"))
        twoDigits(Int(s / 60 % 60))
        bytes.append(UInt8(ascii: ":"))
        twoDigits(Int(s % 60))
    }
}

/// CSV escaping of text known in advance (names, message templates), done once.
enum CSVText {
    /// The field as written in a file: as is, or in quotes with inner quotes
    /// doubled when it holds a comma, quote, CR or LF.
    static func field(_ text: String) -> [UInt8] {
        let raw = Array(text.utf8)
        let special = raw.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        return special ? quoted(raw) : raw
    }

    /// In quotes whatever it holds.
    static func quoted(_ raw: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for b in raw {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    /// The characters of `text` as inside quotes (quotes doubled), without the
    /// surrounding quotes: for fields assembled from pieces.
    static func inner(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        return out
    }

    /// A JSON string body: quotes and backslashes escaped; line breaks escaped
    /// as `\n` unless `keepNewlines`, which leaves them raw (as some exports do,
    /// so the CSV field then spans lines).
    static func jsonEscaped(_ text: String, keepNewlines: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += keepNewlines ? "\n" : "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// One export file being generated, written in large blocks through an
/// `OutputFile` (in place: a link in the folder is followed, nothing renamed).
final class ExportFile {
    private let file: OutputFile
    var path: String { file.path }
    private(set) var bytesWritten: Int64 = 0
    private(set) var rows = 0
    /// The bytes not yet written; callers append records and call `recordDone()`.
    var buffer = ByteWriter(capacity: ExportFile.blockSize + 65_536)
    static let blockSize = 1 << 21

    init(path: String) throws {
        file = try OutputFile(path: path)
    }

    /// Counts a data row and writes the buffer out when it is large enough.
    @inline(__always)
    func recordDone() throws {
        rows += 1
        if buffer.count >= Self.blockSize { try flush() }
    }

    /// Writes a header row (not counted as a data row).
    func header(_ columns: [String]) throws {
        for (i, name) in columns.enumerated() {
            if i > 0 { buffer.comma() }
            buffer.field(name)
        }
        buffer.endRecord()
        try flush()
    }

    func append(_ raw: UnsafeBufferPointer<UInt8>) throws {
        buffer.bytes.append(contentsOf: raw)
        try recordDone()
    }

    func flush() throws {
        guard buffer.count > 0 else { return }
        try file.write(buffer.bytes)
        bytesWritten += Int64(buffer.count)
        buffer.reset()
    }

    func close() throws {
        try flush()
        try file.close()
    }
}

/// Records collected in any order and written out sorted by a key that
/// follows time, with bounded memory.
///
/// Records go to one bucket per time slice (a day for a year of data); a
/// bucket's bytes are kept in memory up to a chunk size and then spilled to an
/// unlinked scratch file. At the end each bucket is read back, sorted on its own
/// and written out, so at most one bucket's records are ever sorted in memory.
final class TimeOrderedSpool {
    private let origin: Int64
    private let sliceSeconds: Int64
    private var buckets: [ByteWriter]
    private var spilled: [[(offset: Int64, length: Int)]]
    private let chunkSize: Int
    private let scratch: Int32
    private var scratchSize: Int64 = 0

    /// Buckets slice [from, to) (UTC seconds); records outside go to the first or last.
    init(scratchPath: String, from: Int64, to: Int64, memoryBudget: Int = 64 << 20) throws {
        let span = max(1, to - from)
        let count = Int(min(2048, max(1, (span + 86_399) / 86_400)))
        origin = from
        sliceSeconds = (span + Int64(count) - 1) / Int64(count)
        buckets = Array(repeating: ByteWriter(), count: count)
        spilled = Array(repeating: [], count: count)
        chunkSize = min(1 << 20, max(16 << 10, memoryBudget / count))
        // A new file of a name of its own (mkstemp: `scratchPath` and six random
        // characters, O_EXCL), so that nothing already in the folder is truncated
        // or removed; unlinked at once, it goes when the spool does.
        var name = Array((scratchPath + ".XXXXXX").utf8CString)
        scratch = name.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard scratch >= 0 else {
            throw GeneratorError.io("cannot create \(scratchPath): \(String(cString: strerror(errno)))")
        }
        unlink(name)
    }

    deinit {
        close(scratch)
    }

    /// Adds one record (its bytes, ending with the record separator) at `time`,
    /// ordered by (key, tiebreak) among the records of its time slice.
    func append(time: Int64, key: UInt64, tiebreak: UInt64, record: [UInt8]) throws {
        let b = Int(min(Int64(buckets.count - 1), max(0, (time - origin) / sliceSeconds)))
        buckets[b].bytes.reserveCapacity(chunkSize + 4096)
        withUnsafeBytes(of: key.littleEndian) { buckets[b].bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: tiebreak.littleEndian) { buckets[b].bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(record.count).littleEndian) { buckets[b].bytes.append(contentsOf: $0) }
        buckets[b].bytes.append(contentsOf: record)
        if buckets[b].count >= chunkSize {
            try spill(b)
        }
    }

    private func spill(_ b: Int) throws {
        let length = buckets[b].count
        try buckets[b].bytes.withUnsafeBytes { raw in
            var done = 0
            while done < length {
                let n = pwrite(scratch, raw.baseAddress! + done, length - done, off_t(scratchSize + Int64(done)))
                guard n > 0 else { throw GeneratorError.io("cannot write scratch file: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        spilled[b].append((scratchSize, length))
        scratchSize += Int64(length)
        buckets[b].reset()
    }

    private struct Entry {
        var key: UInt64
        var tiebreak: UInt64
        var start: Int
        var length: Int
    }

    /// Writes every record to `output` in order; returns how many.
    @discardableResult
    func drain(into output: ExportFile) throws -> Int {
        var data: [UInt8] = []
        var entries: [Entry] = []
        var total = 0
        for b in buckets.indices {
            data.removeAll(keepingCapacity: true)
            for chunk in spilled[b] {
                let start = data.count
                data.append(contentsOf: repeatElement(0, count: chunk.length))
                try data.withUnsafeMutableBytes { raw in
                    var done = 0
                    while done < chunk.length {
                        let n = pread(scratch, raw.baseAddress! + start + done, chunk.length - done, off_t(chunk.offset + Int64(done)))
                        guard n > 0 else { throw GeneratorError.io("cannot read scratch file: \(String(cString: strerror(errno)))") }
                        done += n
                    }
                }
            }
            data.append(contentsOf: buckets[b].bytes)
            buckets[b] = ByteWriter()
            spilled[b] = []

            entries.removeAll(keepingCapacity: true)
            data.withUnsafeBytes { raw in
                var at = 0
                while at < raw.count {
                    let key = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
                    let tiebreak = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8, as: UInt64.self))
                    let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at + 16, as: UInt32.self)))
                    entries.append(Entry(key: key, tiebreak: tiebreak, start: at + 20, length: length))
                    at += 20 + length
                }
            }
            entries.sort { ($0.key, $0.tiebreak) < ($1.key, $1.tiebreak) }
            try data.withUnsafeBufferPointer { all in
                for e in entries {
                    try output.append(UnsafeBufferPointer(rebasing: all[e.start..<(e.start + e.length)]))
                }
            }
            total += entries.count
        }
        return total
    }
}

/// Why generating export files failed.
public enum GeneratorError: Error, CustomStringConvertible {
    case invalid(String)
    case io(String)

    public var description: String {
        switch self {
        case .invalid(let message), .io(let message): return message
        }
    }
}
