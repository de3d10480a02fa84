/// Rows in the text format of PostgreSQL's `COPY … FROM STDIN`: columns separated
/// by tabs, a row ended by a newline, NULL as `\N`, and a backslash, tab, newline
/// or carriage return in a value escaped with a backslash. Written by the loader's
/// PostgreSQL store (`PostgresStore`) and by `warehouse copy` (SQLite rows in place).
public struct CopyText {
    public private(set) var bytes: [UInt8] = []
    /// Whether the current row has a value yet (the next one is preceded by a tab).
    private var rowStarted = false

    public init(capacity: Int = 1 << 20) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }
    public var isEmpty: Bool { bytes.isEmpty }

    /// Hands the rows over and starts again empty.
    public mutating func take() -> [UInt8] {
        defer { bytes.removeAll(keepingCapacity: true); rowStarted = false }
        return bytes
    }

    // MARK: A row, value by value

    @inline(__always)
    private mutating func separate() {
        if rowStarted { bytes.append(UInt8(ascii: "\t")) } else { rowStarted = true }
    }

    public mutating func null() {
        separate()
        bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N"))
    }

    public mutating func int(_ value: Int64?) {
        separate()
        guard let value else { bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N")); return }
        appendInteger(value)
    }

    /// Text (NULL when nil).
    public mutating func text(_ value: UnsafeBufferPointer<UInt8>?) {
        separate()
        guard let value else { bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N")); return }
        appendEscaped(value)
    }

    public mutating func text(_ value: String?) {
        guard var value else { return null() }
        value.withUTF8 { text($0) }
    }

    public mutating func value(_ value: SQLValue) {
        switch value {
        case .null: null()
        case .integer(let v): int(v)
        case .real(let v): separate(); appendReal(v)
        case .text(let s): text(s)
        case .blob(let b): separate(); b.withUnsafeBytes { appendBlob($0) }
        }
    }

    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowStarted = false
    }

    /// The current row of a SQLite statement, its first `columns` columns, read in place:
    /// no value is made of a field on the way (`warehouse copy`'s rows).
    public mutating func append(_ statement: Statement, columns: Int) {
        for i in 0..<columns {
            if i > 0 { bytes.append(UInt8(ascii: "\t")) }
            switch statement.field(at: i) {
            case .null: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N"))
            case .integer(let v): appendInteger(v)
            case .real(let v): appendReal(v)
            case .text(let b): appendEscaped(b)
            case .blob(let b): appendBlob(b)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    // MARK: Values

    private mutating func appendInteger(_ v: Int64) {
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
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[end...]))
        }
    }

    private mutating func appendReal(_ v: Double) {
        bytes.append(contentsOf: (v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))).utf8)
    }

    private mutating func appendBlob(_ blob: UnsafeRawBufferPointer) {
        // bytea in hex, its backslash escaped for COPY.
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(contentsOf: "\\\\x".utf8)
        for byte in blob {
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 15)])
        }
    }

    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        // Most text has nothing to escape: then it goes in one copy.
        guard text.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
            bytes.append(contentsOf: text)
            return
        }
        for byte in text {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\t"): bytes.append(contentsOf: "\\t".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            case UInt8(ascii: "\r"): bytes.append(contentsOf: "\\r".utf8)
            default: bytes.append(byte)
            }
        }
    }
}
