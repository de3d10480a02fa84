import CSQLite

/// SQLite's "copy the bytes now" destructor.
let SQLITE_TRANSIENT = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// A value read from or bound to SQLite.
public enum SQLValue: Equatable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return Self.format(v)
        case .text(let s): return s
        case .blob(let b): return "x'" + b.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var int64: Int64? {
        switch self {
        case .integer(let v): return v
        case .real(let v): return Int64(exactly: v.rounded()) 
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
    public var string: String? { isNull ? nil : description }

    /// Shortest text that reads back as the same double; integral values without ".0".
    static func format(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

/// A prepared statement; finalized when released.
public final class Statement {
    unowned let database: Database
    let handle: OpaquePointer
    public let sql: String

    init(database: Database, sql: String) throws {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw database.error(rc, sql: sql)
        }
        self.database = database
        self.handle = stmt
        self.sql = sql
    }

    /// Adopts a statement prepared elsewhere.
    init(database: Database, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }
    public func columnName(_ i: Int) -> String { String(cString: sqlite3_column_name(handle, Int32(i))) }
    public var columnNames: [String] { (0..<columnCount).map(columnName) }

    public func reset() { sqlite3_reset(handle) }
    public func clearBindings() { sqlite3_clear_bindings(handle) }

    // Binding (1-based indexes, as in SQLite).

    public func bind(_ values: [SQLValue]) throws {
        for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
    }

    public func bind(_ value: SQLValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, index)
        case .integer(let v): rc = sqlite3_bind_int64(handle, index, v)
        case .real(let v): rc = sqlite3_bind_double(handle, index, v)
        case .text(let s):
            var s = s
            rc = s.withUTF8 { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        case .blob(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
        }
        guard rc == SQLITE_OK else { throw database.error(rc, sql: sql) }
    }

    @inline(__always)
    public func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    @inline(__always)
    public func bindInt(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    /// Binds UTF-8 bytes as text (copied by SQLite).
    @inline(__always)
    public func bindText(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT)
            return
        }
        UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            _ = sqlite3_bind_text(handle, index, $0, Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }

    /// Binds UTF-8 bytes as text without a copy: the bytes must stay as they
    /// are until the statement is reset or bound again.
    @inline(__always)
    public func bindStaticText(_ index: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return bindText(index, bytes) }
        UnsafeRawPointer(base).withMemoryRebound(to: CChar.self, capacity: bytes.count) {
            _ = sqlite3_bind_text(handle, index, $0, Int32(bytes.count), nil)
        }
    }

    public func bindText(_ index: Int32, _ string: String) {
        var s = string
        s.withUTF8 { bindText(index, $0) }
    }

    /// Steps once: true when a row is ready, false when done.
    @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = database.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Runs to completion and resets.
    public func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    // Reading the current row.

    public func isNull(at i: Int) -> Bool { sqlite3_column_type(handle, Int32(i)) == SQLITE_NULL }
    /// SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL.
    func columnType(at i: Int) -> Int32 { sqlite3_column_type(handle, Int32(i)) }
    /// The column's text as UTF-8 bytes, in place: valid until the next step.
    func textBytes(at i: Int) -> UnsafeBufferPointer<UInt8> {
        let p = sqlite3_column_text(handle, Int32(i))  // before the length: it may convert the value
        return UnsafeBufferPointer(start: p, count: p == nil ? 0 : Int(sqlite3_column_bytes(handle, Int32(i))))
    }
    public func int64(at i: Int) -> Int64 { sqlite3_column_int64(handle, Int32(i)) }
    public func string(at i: Int) -> String? {
        let bytes = textBytes(at: i)
        return bytes.baseAddress == nil ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// A column of the current row in place (text and blobs valid until the next step):
    /// what a writer that copies rows out reads without making a value of each.
    public enum Field {
        case null
        case integer(Int64)
        case real(Double)
        case text(UnsafeBufferPointer<UInt8>)
        /// A blob's bytes.
        case blob(UnsafeRawBufferPointer)
    }

    public func field(at i: Int) -> Field {
        let index = Int32(i)
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, index))
        case SQLITE_TEXT: return .text(textBytes(at: i))
        case SQLITE_BLOB:
            let p = sqlite3_column_blob(handle, index)  // before the length, as for text
            return .blob(UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : Int(sqlite3_column_bytes(handle, index))))
        default: return .null
        }
    }

    public func value(at i: Int) -> SQLValue {
        switch field(at: i) {
        case .null: return .null
        case .integer(let v): return .integer(v)
        case .real(let v): return .real(v)
        case .text(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
        case .blob(let bytes): return .blob(Array(bytes))
        }
    }
}
