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

extension Statement {
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
