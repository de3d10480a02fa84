import CSQLite

extension Warehouse {
    /// Runs a report with the given arguments: checks them against what the
    /// report takes, resolves names, binds every parameter (values are never
    /// spliced into the SQL) and collects the result.
    public func run(_ report: Report, _ arguments: ReportArguments = ReportArguments()) throws -> ResultTable {
        var rows: [[SQLValue]] = []
        var names: [String] = []
        try run(report, arguments, columns: { names = $0 }, resultRow: { rows.append($0.values) })
        return ResultTable(columns: names, rows: rows)
    }

    /// Runs a report as `run(_:_:)` does, handing over its columns and then each row
    /// in place as it is stepped (valid until the next), so that a long result is
    /// never held whole and a printer copies it without making values.
    public func run(_ report: Report, _ arguments: ReportArguments,
                    columns: ([String]) throws -> Void, resultRow row: (ResultRow) throws -> Void) throws {
        let rows = try start(report, arguments)
        try columns(rows.columns)
        while try rows.next(row, while: { true }) {}
    }

    /// Starts a report as `run(_:_:columns:resultRow:)` does (its arguments checked,
    /// its statement prepared and bound), to be stepped a part at a time by its
    /// `ReportRows`: `warehouse serve` steps a long result only as fast as its
    /// client takes it.
    public func start(_ report: Report, _ arguments: ReportArguments) throws -> ReportRows {
        let values = try ReportParameters.resolve(arguments, for: report, in: self)
        let statement = try prepared(report, values)
        let shown = report.shownColumns(statement.columnNames, arguments)
        return ReportRows(report: report.name, statement: statement, columns: shown.positions, names: shown.names)
    }

    /// The report's one statement, prepared with `prefix` before its SQL (`EXPLAIN QUERY PLAN `)
    /// and every named parameter bound from `values`.
    func prepared(_ report: Report, _ values: [String: SQLValue], prefix: String = "") throws -> Statement {
        var statements: [Statement] = []
        do {
            try db.forEachStatement(prefix + report.sql) { statements.append($0) }
        } catch let error as SQLiteError where !error.isStoreFailure && !error.isInterrupt {
            throw WarehouseError("report \(report.name) (\(report.source)): \(error.message)")
        } catch let error as SQLiteError where error.isStoreFailure {
            throw StoreFailure("report \(report.name)", error)
        }
        guard statements.count == 1, let statement = statements.first else {
            throw WarehouseError("report \(report.name) (\(report.source)) must be one SELECT statement, not \(statements.count).")
        }
        guard sqlite3_stmt_readonly(statement.handle) != 0 else {
            throw WarehouseError("report \(report.name) (\(report.source)) must only read: it would change the warehouse.")
        }
        let count = sqlite3_bind_parameter_count(statement.handle)
        for index in stride(from: Int32(1), through: count, by: 1) {
            guard let cName = sqlite3_bind_parameter_name(statement.handle, index) else {
                throw WarehouseError("report \(report.name) (\(report.source)) uses a `?` parameter: name it (:from_ts, :tz, …).")
            }
            let name = String(String(cString: cName).dropFirst())
            guard let value = values[name] else {
                throw WarehouseError("report \(report.name) (\(report.source)) uses :\(name), which is not a report parameter; they are :\(ReportParameters.names.joined(separator: ", :")).")
            }
            try statement.bind(value, at: index)
        }
        return statement
    }

    /// The steps of SQLite's plan for the report with these arguments (`EXPLAIN QUERY PLAN`):
    /// each step's id, its parent's id (0 at the top) and what it does, in SQLite's order.
    func queryPlan(_ report: Report, _ arguments: ReportArguments = ReportArguments()) throws -> [(id: Int64, parent: Int64, detail: String)] {
        let statement = try prepared(report, try ReportParameters.resolve(arguments, for: report, in: self), prefix: "EXPLAIN QUERY PLAN ")
        var steps: [(id: Int64, parent: Int64, detail: String)] = []
        while try statement.step() {
            steps.append((statement.int64(at: 0), statement.int64(at: 1), statement.string(at: 3) ?? ""))
        }
        return steps
    }
}

/// A report's result being stepped: its columns, then its rows a part at a
/// time. Its read transaction lasts from the first step to the last row, or
/// to `close()` (or the end of the `ReportRows`), whichever comes first.
public final class ReportRows {
    /// The columns shown, in order.
    public let columns: [String]
    private let report: String
    private var statement: Statement?
    /// The statement's columns shown, in order.
    private let kept: [Int]

    init(report: String, statement: Statement, columns kept: [Int], names: [String]) {
        self.report = report
        self.statement = statement
        self.kept = kept
        columns = names
    }

    /// Hands each row over in place (valid until the next) while `more()`
    /// says so; false once the rows have ended (the statement is then done).
    public func next(_ body: (ResultRow) throws -> Void, while more: () -> Bool) throws -> Bool {
        guard let statement else { return false }
        let row = ResultRow(statement: statement, columns: kept)
        do {
            while more() {
                guard try statement.step() else {
                    close()
                    return false
                }
                try body(row)
            }
            return true
        } catch let error as SQLiteError where !error.isStoreFailure && !error.isInterrupt {
            close()
            throw WarehouseError("report \(report): \(error.message)")
        } catch let error as SQLiteError where error.isStoreFailure {
            // A busy, locked or failing database: the store's, not the report's (an interrupt goes up as it is).
            close()
            throw StoreFailure("report \(report)", error)
        }
    }

    /// Ends the statement, and its read transaction, before its last row
    /// (at the last row it has ended already).
    public func close() {
        statement?.reset()
        statement = nil
    }
}
