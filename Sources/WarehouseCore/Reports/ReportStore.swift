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
    /// The rows of a small query, its `?` parameters bound in order to `arguments`.
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
    /// A small query's rows with their column names.
    func table(_ sql: String, _ arguments: [SQLValue]) throws -> ResultTable
    /// The schema version the warehouse is at.
    func storedSchemaVersion() throws -> Int
    /// The warehouse's tables, by name.
    func tableNames() throws -> [String]
}

extension ReportStore {
    func rows(_ sql: String) throws -> [[SQLValue]] { try rows(sql, []) }
}

extension Warehouse: ReportStore {
    public var name: String { path }

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
