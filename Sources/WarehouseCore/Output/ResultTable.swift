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

    /// The integer in shown column `i`; nil when it holds another type.
    func integer(_ i: Int) -> Int64? {
        statement.columnType(at: columns[i]) == SQLITE_INTEGER ? statement.int64(at: columns[i]) : nil
    }

    /// The UTF-8 bytes of the text in shown column `i`, in place; nil when it holds another type.
    func text(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
        statement.columnType(at: columns[i]) == SQLITE_TEXT ? statement.textBytes(at: columns[i]) : nil
    }

    func isNull(_ i: Int) -> Bool { statement.columnType(at: columns[i]) == SQLITE_NULL }

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
