import Foundation

/// A warehouse that reports read: the SQLite file (`Warehouse`), or a schema of a
/// PostgreSQL database (`PostgresWarehouse`, in WarehousePostgres). What a report
/// needs besides its own statement goes through here: the workspace's time zone,
/// and the few look-ups of its parameters (a user, team or channel by name, the
/// business hours), so they are written once for both stores.
public protocol ReportStore: AnyObject {
    /// The workspace time zone (IANA name), chosen when the warehouse was created.
    var timeZone: String { get }
    /// Where it is, as messages name it: a file's path, or a URL without its password.
    var name: String { get }
    /// What a page made from it calls it: a file by its name alone (where it lies on the
    /// maker's disk is no reader's business), a database by its URL without the password.
    var shortName: String { get }
    /// The rows of a small query, its `?` parameters bound in order to `arguments`.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
    /// A small query's rows with their column names.
    func table(_ sql: String, _ arguments: [SQLValue]) throws -> ResultTable
    /// The schema version the warehouse is at.
    func storedSchemaVersion() throws -> Int
    /// The warehouse's tables, by name.
    func tableNames() throws -> [String]
    /// A report run as `warehouse report` runs it: its columns, its first `keep` rows,
    /// and how many rows it gave in all (a page lists a long result's head and counts
    /// the rest, which are stepped over without making their values).
    func run(_ report: Report, _ arguments: ReportArguments, keeping keep: Int) throws -> (table: ResultTable, total: Int)
    /// Another reading connection to the same warehouse, for a worker that runs reports
    /// beside this one (the dashboard's).
    func reader() throws -> any ReportStore
}

/// A warehouse opened for writing, on either store: the few settings commands change
/// (`warehouse hours`, `warehouse auth`) are written once for both through it.
public protocol WritableStore: ReportStore {
    /// Runs one statement that returns no rows, its `?` parameters bound in order to `arguments`.
    func execute(_ sql: String, _ arguments: [SQLValue]) throws
    /// Runs `body` in one writing transaction: what it changed stays when it returns,
    /// none of it when it throws (the error is rethrown).
    func writing<T>(_ body: () throws -> T) throws -> T
}

extension ReportStore {
    func rows(_ sql: String) throws -> [[SQLValue]] { try rows(sql, []) }
}

extension Warehouse: WritableStore {
    public var name: String { path }

    public var shortName: String { URL(fileURLWithPath: path).lastPathComponent }

    public func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try db.rows(sql, arguments)
    }

    public func table(_ sql: String, _ arguments: [SQLValue]) throws -> ResultTable {
        try db.table(sql, arguments)
    }

    public func storedSchemaVersion() throws -> Int { try Schema.version(of: db) }

    public func tableNames() throws -> [String] {
        try db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").compactMap { $0.first?.string }
    }

    public func run(_ report: Report, _ arguments: ReportArguments, keeping keep: Int) throws -> (table: ResultTable, total: Int) {
        var names: [String] = []
        var rows: [[SQLValue]] = []
        var total = 0
        try run(report, arguments, columns: { names = $0 }, resultRow: { row in
            if total < keep { rows.append(row.values) }
            total += 1
        })
        return (ResultTable(columns: names, rows: rows), total)
    }

    /// Another read-only connection to the file (its own read transactions).
    public func reader() throws -> any ReportStore { try Warehouse.openExisting(path: path) }

    public func execute(_ sql: String, _ arguments: [SQLValue]) throws { try db.execute(sql, arguments) }

    public func writing<T>(_ body: () throws -> T) throws -> T { try db.inTransaction { try body() } }
}

extension Report {
    /// Of a statement's columns (`names`), the positions shown with `arguments` (a column
    /// of `optionalColumns` only with its parameter) and the names they are shown under
    /// (in business hours, the durations say so in theirs).
    public func shownColumns(_ names: [String], _ arguments: ReportArguments) -> (positions: [Int], names: [String]) {
        let given = Set(arguments.given)
        let kept = names.indices.filter { i in optionalColumns[names[i]].map { given.contains($0) } ?? true }
        let rename = arguments.businessHours ? businessHoursColumns : []
        return (kept, kept.map { rename.contains(names[$0]) ? Report.businessHoursName(names[$0]) : names[$0] })
    }
}
