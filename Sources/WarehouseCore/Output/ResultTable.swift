import CSQLite

/// Rows and columns of a query result, ready to print.
public struct ResultTable {
    public var columns: [String]
    public var rows: [[SQLValue]]

    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

extension Database {
    /// Runs one query and collects its result.
    public func table(_ sql: String, _ arguments: [SQLValue] = []) throws -> ResultTable {
        let statement = try prepare(sql)
        try statement.bind(arguments)
        return try statement.collect()
    }
}

/// The current row of a statement being stepped, read in place (valid until
/// the next step): a printer copies its text straight to the output instead of
/// making a value, then a string, of each field.
public struct ResultRow {
    let statement: Statement
    /// The statement's columns, in the order shown.
    let columns: [Int]

    public var values: [SQLValue] { columns.map(statement.value(at:)) }

    /// What shown column `i` holds, its type read once.
    enum Field {
        case null
        case integer(Int64)
        /// UTF-8 bytes, in place.
        case text(UnsafeBufferPointer<UInt8>)
        /// A real or a blob: read it with `value(_:)`.
        case other
    }

    func field(_ i: Int) -> Field {
        let column = columns[i]
        switch statement.columnType(at: column) {
        case SQLITE_NULL: return .null
        case SQLITE_INTEGER: return .integer(statement.int64(at: column))
        case SQLITE_TEXT: return .text(statement.textBytes(at: column))
        default: return .other
        }
    }

    func value(_ i: Int) -> SQLValue { statement.value(at: columns[i]) }
}

extension Statement {
    /// Steps to the end, handing over each row in place as it is stepped;
    /// `columns`: those shown, in order (nil: all).
    public func forEachResultRow(columns: [Int]? = nil, _ body: (ResultRow) throws -> Void) throws {
        let row = ResultRow(statement: self, columns: columns ?? Array(0..<columnCount))
        while try step() { try body(row) }
    }

    /// Steps to the end, handing over each row's values as it is stepped.
    public func forEachRow(_ body: ([SQLValue]) throws -> Void) throws {
        let n = columnCount
        while try step() {
            try body((0..<n).map { value(at: $0) })
        }
    }

    /// Steps to the end, collecting every row.
    public func collect() throws -> ResultTable {
        var rows: [[SQLValue]] = []
        try forEachRow { rows.append($0) }
        return ResultTable(columns: columnNames, rows: rows)
    }
}
