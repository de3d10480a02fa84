/// What the loader's PostgreSQL store (`PostgresStore`) needs of a connection
/// to the server: statements with `$1`, `$2`… bound, their rows whole or one by
/// one, and `COPY … FROM STDIN`. `WarehousePostgres` gives it, over its session;
/// the store itself, like the SQLite one, lives beside the kinds it serves.
public protocol ServerConnection: AnyObject {
    /// The rows of one statement.
    func query(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
    /// Each row of one statement as it arrives (a long result is never held whole).
    func forEachRow(_ sql: String, _ arguments: [SQLValue], _ row: @escaping ([SQLValue]) throws -> Void) throws
    /// Statements without arguments (a script: each runs in turn, the first failure stops it).
    func execute(_ script: String) throws
    /// `COPY table (columns) FROM STDIN` of the rows in `text`. It may return before
    /// the server has taken them: the connection's next call waits for that (and
    /// throws what the copy threw).
    func copy(into table: String, columns: [String], text: [UInt8]) throws
    /// Sends a statement and returns at once what waits for its rows (the next
    /// call on the connection waits for them too).
    func startQuery(_ sql: String, _ arguments: [SQLValue]) throws -> () throws -> [[SQLValue]]
}

extension ServerConnection {
    func query(_ sql: String, _ arguments: SQLValue...) throws -> [[SQLValue]] { try query(sql, arguments) }

    /// The integer in the first column of the first row (0 when none or NULL).
    func int64(_ sql: String, _ arguments: SQLValue...) throws -> Int64 {
        try query(sql, arguments).first?.first?.int64 ?? 0
    }

    /// Whether `rows` (a table, or a table and its `WHERE …`) holds none, asked without counting them.
    func holdsNone(_ rows: String, _ arguments: SQLValue...) throws -> Bool {
        try query("SELECT count(*) FROM (SELECT 1 FROM \(rows) LIMIT 1) t", arguments).first?.first?.int64 == 0
    }

    /// Runs `body` in a savepoint of the transaction the connection is in: undone alone
    /// when it throws (the error is rethrown), kept in the transaction when it returns.
    public func inSavepoint<T>(_ name: String, _ body: () throws -> T) throws -> T {
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)")
            throw error
        }
    }
}

/// A PostgreSQL array literal (`{"a","b"}`), bound as text and cast in the
/// statement (`= ANY($1::text[])`): one statement for a batch's values.
enum ServerArray {
    static func text<S: Sequence>(_ values: S) -> SQLValue where S.Element == String {
        // Built as bytes: appending to a String scalar by scalar cost a batch's look-up 1–2 ms.
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for var value in values {
            if literal.count > 1 { literal.append(UInt8(ascii: ",")) }
            literal.append(UInt8(ascii: "\""))
            value.withUTF8 { bytes in
                for byte in bytes {
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { literal.append(UInt8(ascii: "\\")) }
                    literal.append(byte)
                }
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return .text(String(decoding: literal, as: UTF8.self))
    }

    static func integers<S: Sequence>(_ values: S) -> SQLValue where S.Element == Int64 {
        .text("{" + values.map(String.init).joined(separator: ",") + "}")
    }

    /// Integers and NULLs.
    static func integers<S: Sequence>(_ values: S) -> SQLValue where S.Element == Int64? {
        .text("{" + values.map { $0.map(String.init) ?? "NULL" }.joined(separator: ",") + "}")
    }
}
