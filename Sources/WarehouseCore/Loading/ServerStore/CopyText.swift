import Foundation

/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: columns separated
/// by tabs, a row ended by a newline, NULL as `\N`, and a backslash, tab, newline
/// or carriage return in a value escaped with a backslash. Written by the loader's
/// PostgreSQL store (`PostgresStore`) and by `warehouse copy` (SQLite rows in place).
///
/// Its bytes are a buffer of its own, written through a pointer, room made once a
/// value: appended to an array byte by byte and value by value, the rows of the
/// benchmark's first load took 13 % of the loader's CPU time (each append asks
/// whether the array is shared and has room). Not copyable, so that no two values
/// share the buffer.
public struct CopyText: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    public private(set) var count = 0
    /// Whether the current row has a value yet (the next one is preceded by a tab).
    private var rowStarted = false

    public init(capacity: Int = 1 << 20) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    public var isEmpty: Bool { count == 0 }

    /// Hands the rows over and starts again empty.
    public mutating func take() -> [UInt8] {
        let rows = Array(UnsafeBufferPointer(start: base, count: count))
        count = 0
        rowStarted = false
        return rows
    }

    // MARK: A row, value by value

    /// Makes room for `bytes` more.
    @inline(__always)
    private mutating func reserve(_ bytes: Int) {
        if count + bytes > capacity { grow(count + bytes) }
    }

    @inline(never)
    private mutating func grow(_ needed: Int) {
        let newCapacity = max(capacity * 2, needed)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    /// Writes a byte there is room for.
    @inline(__always)
    private mutating func put(_ byte: UInt8) {
        base[count] = byte
        count += 1
    }

    /// The tab before a value (room for it, and for `bytes` more).
    @inline(__always)
    private mutating func separate(reserving bytes: Int) {
        reserve(bytes + 1)
        if rowStarted { put(UInt8(ascii: "\t")) } else { rowStarted = true }
    }

    @inline(__always)
    private mutating func putNull() {
        put(UInt8(ascii: "\\")); put(UInt8(ascii: "N"))
    }

    public mutating func null() {
        separate(reserving: 2)
        putNull()
    }

    public mutating func int(_ value: Int64?) {
        separate(reserving: 20)
        guard let value else { return putNull() }
        putInteger(value)
    }

    /// Text (NULL when nil).
    public mutating func text(_ value: UnsafeBufferPointer<UInt8>?) {
        guard let value else { return null() }
        separate(reserving: value.count * 2)
        putEscaped(value)
    }

    public mutating func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { text($0) }
    }

    public mutating func value(_ value: SQLValue) {
        switch value {
        case .null: null()
        case .integer(let v): int(v)
        case .real(let v): appendReal(v)
        case .text(let s): text(s)
        case .blob(let b): b.withUnsafeBytes { appendBlob($0) }
        }
    }

    public mutating func endRow() {
        reserve(1)
        put(UInt8(ascii: "\n"))
        rowStarted = false
    }

    /// The current row of a SQLite statement, its first `columns` columns, read in place:
    /// no value is made of a field on the way (`warehouse copy`'s rows).
    public mutating func append(_ statement: Statement, columns: Int) {
        for i in 0..<columns {
            switch statement.field(at: i) {
            case .null: null()
            case .integer(let v): int(v)
            case .real(let v): appendReal(v)
            case .text(let b): text(b)
            case .blob(let b): appendBlob(b)
            }
        }
        endRow()
    }

    // MARK: Values

    /// An integer's digits, with room made for 20 bytes.
    @inline(__always)
    private mutating func putInteger(_ v: Int64) {
        // Digits backwards into a small buffer: no String per number.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var n = v.magnitude
            var end = raw.count
            repeat {
                end -= 1
                raw[end] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            if v < 0 { end -= 1; raw[end] = UInt8(ascii: "-") }
            let length = raw.count - end
            (base + count).update(from: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + end, count: length)
            count += length
        }
    }

    private mutating func appendReal(_ v: Double) {
        let text = v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))
        separate(reserving: text.utf8.count)
        for byte in text.utf8 { put(byte) }
    }

    private mutating func appendBlob(_ blob: UnsafeRawBufferPointer) {
        // bytea in hex, its backslash escaped for COPY.
        let hex = Array("0123456789abcdef".utf8)
        separate(reserving: 3 + blob.count * 2)
        for byte in "\\\\x".utf8 { put(byte) }
        for byte in blob {
            put(hex[Int(byte >> 4)])
            put(hex[Int(byte & 15)])
        }
    }

    /// Whether text holds a byte below 0x20 (among them tab, newline and carriage return)
    /// or a backslash, eight bytes at a time: a byte at a time, the test took 4 % of the
    /// loader's instructions for the benchmark's messages.
    @inline(__always)
    static func mayNeedEscapes(_ text: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= count {
            let word = UnsafeRawPointer(text + i).loadUnaligned(as: UInt64.self)
            let below20 = (word &- ones &* 0x20) & ~word & highs
            let other = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
            let backslash = (other &- ones) & ~other & highs
            if below20 | backslash != 0 { return true }
            i += 8
        }
        while i < count {
            if text[i] < 0x20 || text[i] == UInt8(ascii: "\\") { return true }
            i += 1
        }
        return false
    }

    /// Text escaped for COPY, with room made for twice its bytes.
    @inline(__always)
    private mutating func putEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        guard let source = text.baseAddress, !text.isEmpty else { return }
        // Most text has nothing to escape: then it goes in one copy.
        guard Self.mayNeedEscapes(source, text.count) else {
            (base + count).update(from: source, count: text.count)
            count += text.count
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): put(UInt8(ascii: "\\")); put(UInt8(ascii: "r"))
            default: put(byte)
            }
        }
    }
}
