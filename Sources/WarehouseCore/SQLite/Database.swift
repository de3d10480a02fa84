import CSQLite
import Foundation

/// A connection to one SQLite database file.
public final class Database {
    public let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: Statement] = [:]

    public enum Mode {
        case readOnly
        case readWriteCreate
    }

    public init(path: String, mode: Mode = .readWriteCreate) throws {
        var db: OpaquePointer?
        let flags: Int32
        switch mode {
        case .readOnly: flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        case .readWriteCreate:
            flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
            // A new database is its owner's alone (0600), and so are its journals.
            PrivateFiles.createDatabaseFile(path)
        }
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_EXRESCODE, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(message): \(path)")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // Wait for a concurrent writer rather than failing at once.
        sqlite3_busy_timeout(db, 5_000)
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ code: Int32, sql: String?, leadingBytesDropped: Int = 0) -> SQLiteError {
        var error = SQLiteError(code: sqlite3_extended_errcode(handle) != 0 ? sqlite3_extended_errcode(handle) : code,
                                message: lastErrorMessage, sql: sql)
        // The byte offset SQLite gives, as a character offset into `sql`.
        let byte = Int(sqlite3_error_offset(handle)) - leadingBytesDropped
        if byte >= 0, let sql, byte <= sql.utf8.count {
            error.offset = sql.distance(from: sql.startIndex, to: sql.utf8.index(sql.startIndex, offsetBy: byte))
        }
        return error
    }

    /// Prepares one statement (the first of `sql`).
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement cached by its SQL text, reset and with cleared bindings.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            statement.clearBindings()
            return statement
        }
        let statement = try prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// Runs every statement of `sql` in order, following SQLite's tail pointer,
    /// so an error names the statement that failed.
    public func execute(_ sql: String) throws {
        try forEachStatement(sql) { try $0.run() }
    }

    /// Prepares each statement of `sql` in turn and hands it to `body`, which
    /// steps it. An error names the statement that failed.
    public func forEachStatement(_ sql: String, _ body: (Statement) throws -> Void) throws {
        try sql.withCString { start in
            var rest: UnsafePointer<CChar>? = start
            while let current = rest, current.pointee != 0 {
                var stmt: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(handle, current, -1, &stmt, &tail)
                // A statement that fails to prepare is shown to the end of the input:
                // SQLite's tail then points at the error, not at the statement's end.
                let whole = rc != SQLITE_OK ? String(cString: current)
                    : tail.map { String(decoding: UnsafeRawBufferPointer(start: current, count: $0 - current), as: UTF8.self) }
                    ?? String(cString: current)
                let leading = whole.utf8.prefix { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }.count
                let text = whole.trimmingCharacters(in: .whitespacesAndNewlines)
                guard rc == SQLITE_OK else { throw error(rc, sql: text, leadingBytesDropped: leading) }
                rest = tail
                guard let stmt else { continue }
                try body(Statement(database: self, handle: stmt, sql: text))
            }
        }
    }

    /// Runs one statement with arguments.
    public func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        let statement = try cachedStatement(sql)
        try statement.bind(arguments)
        try statement.run()
    }

    /// The rows of a query, as values.
    public func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        try table(sql, arguments).rows
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try rows(sql, arguments).first?.first
    }

    /// The first column of the first row as an integer (0 when NULL or no row).
    public func int64(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64 {
        try scalar(sql, arguments)?.int64 ?? 0
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }
    public var lastInsertRowID: Int64 {
        get { sqlite3_last_insert_rowid(handle) }
        set { sqlite3_set_last_insert_rowid(handle, newValue) }
    }
    /// Whether the connection cannot write (opened read-only, or the file is not writable).
    public var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it
    /// throws and rethrows the original error. Inside a transaction already, it
    /// is a savepoint of it: its changes are undone alone when it throws, and
    /// kept or not with the enclosing transaction.
    public func inTransaction<T>(_ kind: String = "IMMEDIATE", _ body: () throws -> T) throws -> T {
        if isInTransaction {
            try execute("SAVEPOINT nested")
            do {
                let result = try body()
                try execute("RELEASE nested")
                return result
            } catch {
                if isInTransaction { try? execute("ROLLBACK TO nested; RELEASE nested") }
                throw error
            }
        }
        try execute("BEGIN \(kind)")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
    }
}
