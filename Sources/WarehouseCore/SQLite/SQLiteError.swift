import CSQLite

/// An error reported by SQLite, with its extended result code, its message and
/// the SQL that failed.
public struct SQLiteError: Error, CustomStringConvertible, Equatable {
    public let code: Int32
    public let message: String
    public let sql: String?
    /// Where in `sql` the error is, in characters, when SQLite says.
    public var offset: Int?

    public init(code: Int32, message: String, sql: String? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
        self.offset = offset
    }

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_FULL`, …).
    public var primaryCode: Int32 { code & 0xFF }

    public var description: String {
        var text = message
        switch primaryCode {
        case SQLITE_FULL: text = "the disk is full (\(message))"
        case SQLITE_BUSY, SQLITE_LOCKED: text = "the warehouse is locked by another process (\(message)); try again when it has finished"
        case SQLITE_READONLY: text = "the warehouse cannot be written (\(message))"
        case SQLITE_CANTOPEN: text = "cannot open the warehouse file (\(message))"
        case SQLITE_IOERR: text = "the warehouse file could not be written or read: the disk may be full, over a file size limit, or failing (\(message))"
        case SQLITE_NOTADB: text = "the file is not a SQLite database (\(message))"
        default: break
        }
        return text
    }
}
