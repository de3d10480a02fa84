import WarehouseCore

/// A report's rows read a part at a time through a cursor on the server, for
/// `warehouse serve`: as `ReportRows` steps a statement on a file, the rows
/// wait on the server until the client takes them, so a long answer holds a
/// part of its rows in memory, not all of them. Its read-only transaction lasts
/// from `start` to the last row, or to `close()`.
public final class PostgresReportCursor {
    /// The columns shown, in order.
    public let columns: [String]
    private let report: Report
    private var warehouse: PostgresWarehouse?
    private let positions: [Int]
    private var rows: [[SQLValue]]
    private var taken = 0
    /// Whether the last fetch came back short: the cursor has no more rows.
    private var drained: Bool

    /// Rows fetched at a time: about 100 kB of conversation_list's.
    static let fetchSize = 500
    static let fetch = "FETCH FORWARD \(fetchSize) FROM report_rows"

    fileprivate init(report: Report, warehouse: PostgresWarehouse, columns: [String], positions: [Int], rows: [[SQLValue]]) {
        (self.report, self.warehouse, self.columns, self.positions, self.rows) = (report, warehouse, columns, positions, rows)
        drained = rows.count < Self.fetchSize
    }

    deinit { close() }

    /// Hands each row over while `more()` says so; false once the rows have ended
    /// (the transaction is then over).
    public func next(_ body: ([SQLValue]) throws -> Void, while more: () -> Bool) throws -> Bool {
        guard let warehouse else { return false }
        do {
            while more() {
                if taken == rows.count {
                    if drained {
                        close()
                        return false
                    }
                    rows = try warehouse.session.query(Self.fetch)
                    taken = 0
                    drained = rows.count < Self.fetchSize
                    continue
                }
                let row = rows[taken]
                taken += 1
                try body(positions.map { row[$0] })
            }
            return true
        } catch {
            close()
            throw PostgresWarehouse.reportError(report, error)
        }
    }

    /// Ends the transaction (and the cursor with it) before the last row.
    public func close() {
        guard let warehouse else { return }
        self.warehouse = nil
        rows = []
        try? warehouse.session.execute("ROLLBACK")
    }
}

extension PostgresWarehouse {
    /// Starts a report as `run` does (its arguments checked and resolved, its named
    /// parameters bound), its rows to be read a part at a time (`PostgresReportCursor`).
    public func start(_ report: Report, _ arguments: ReportArguments) throws -> PostgresReportCursor {
        let values = try ReportParameters.resolve(arguments, for: report, in: self)
        let statement = try ReportStatement(report, values)
        try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            _ = try session.query("DECLARE report_rows NO SCROLL CURSOR FOR \(statement.sql)", statement.arguments)
            var names: [String] = []
            var rows: [[SQLValue]] = []
            try session.stream(PostgresReportCursor.fetch, columns: { names = $0 }, row: { rows.append($0) })
            let shown = report.shownColumns(names, arguments)
            return PostgresReportCursor(report: report, warehouse: self, columns: shown.names, positions: shown.positions, rows: rows)
        } catch {
            try? session.execute("ROLLBACK")
            throw Self.reportError(report, error)
        }
    }

    /// A statement's error as the report's (`report NAME (SOURCE): …`); a connection's as it is.
    static func reportError(_ report: Report, _ error: Error) -> Error {
        if case let PostgresFailure.statement(failure)? = error as? PostgresFailure {
            return WarehouseError("report \(report.name) (\(report.source)): \(failure)")
        }
        return error
    }
}
