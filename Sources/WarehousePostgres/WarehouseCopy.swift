import Foundation
import WarehouseCore

/// `warehouse copy --to URL` (SPEC §8, "Moving"): a whole warehouse from one store
/// into an empty warehouse of the other, either way: every table's rows (records,
/// summaries, load log, rejects, tokens, business hours, settings), keys included,
/// so every report reads the same afterwards. One transaction on the receiving side:
/// a copy that fails leaves nothing there.
///
/// The tables and their columns are the SQLite schema's (`PRAGMA table_xinfo`), the
/// generated ones left to the receiving store; the PostgreSQL schema has the same
/// (`Schema/postgresql/tables.sql`), which the copy checks before it starts.
public enum WarehouseCopy {
    /// What a copy moved: rows per table, in the order copied.
    public struct Summary {
        public var tables: [(name: String, rows: Int)] = []
        public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
    }

    /// Rows each store makes itself: the time-of-day dimension (made by the schema),
    /// and the settings that describe the store rather than the warehouse.
    static let madeByStore: [String: String] = [
        "dim_time_of_day": "",
        "settings": "key NOT IN ('timezone', 'schema_version', 'report_views', 'report_view_names')",
    ]

    /// The WHERE clause of a table's rows a copy moves (empty: all of them).
    static func rowsCopied(_ table: String) -> String {
        madeByStore[table].map { " WHERE " + $0 } ?? ""
    }

    /// The file's tables and their stored columns, in name order.
    static func tables(of warehouse: Warehouse) throws -> [(name: String, columns: [String])] {
        let names = try warehouse.db.rows("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.first?.string }
        return try names.map { name in
            // hidden: 0 a stored column, 2 and 3 generated ones.
            let columns = try warehouse.db.rows("SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid", [.text(name)])
                .compactMap { $0.first?.string }
            return (name, columns)
        }
    }

    /// Checks that the PostgreSQL warehouse has the file's tables and columns, and holds no records.
    static func checkReceiving(_ target: PostgresWarehouse, tables: [(name: String, columns: [String])]) throws {
        for table in tables {
            let columns = try target.session.query("""
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = $1 AND table_name = $2 AND is_generated = 'NEVER' ORDER BY ordinal_position
                """, [.text(target.location.schema), .text(table.name)]).compactMap { $0.first?.string }
            guard columns == table.columns else {
                throw WarehouseError("table \(table.name) of \(target.name) does not have the file's columns (\(table.columns.joined(separator: ", "))): it was made by another version of warehouse. Nothing was copied.")
            }
        }
        try checkEmpty(tables.map(\.name), name: target.name) { sql in try target.session.scalar(sql)?.int64 ?? 0 }
    }

    static func checkEmpty(_ tables: [String], name: String, count: (String) throws -> Int64) throws {
        for table in tables where madeByStore[table] != "" {
            let filter = rowsCopied(table)
            let rows = try count("SELECT count(*) FROM \(ReportFunctions.quoteIdentifier(table))\(filter)")
            if rows > 0 {
                throw WarehouseError("\(name) is not empty (\(table) has \(rows) rows): copy into a new warehouse (another schema with ?schema=NAME, or a new file). Nothing was copied.")
            }
        }
    }

    // MARK: File to PostgreSQL

    /// Copies the file's warehouse into the PostgreSQL one (empty; made with the file's
    /// time zone when the schema holds none), table by table through `COPY`, in one transaction.
    public static func copy(from source: Warehouse, to target: PostgresWarehouse,
                            progress: ((String, Int) -> Void)? = nil) throws -> Summary {
        guard source.timeZone == target.timeZone else {
            throw WarehouseError("\(target.name) has time zone \(target.timeZone), \(source.path) \(source.timeZone): copy into a new schema (?schema=NAME), which is made with the file's. Nothing was copied.")
        }
        let tables = try tables(of: source)
        var summary = Summary()
        try source.db.inTransaction("DEFERRED") {
            try target.transaction(write: true) {
                try PostgresWarehouse.lockSchema(target.session, target.location.schema)
                try checkReceiving(target, tables: tables)
                // Rows go in without the tables' secondary indexes, each built once afterwards
                // (one sort, instead of an index entry per row as it comes).
                let indexes = try target.session.query("""
                    SELECT indexname, indexdef FROM pg_indexes i
                    WHERE schemaname = $1 AND NOT EXISTS (
                        SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1))
                    ORDER BY indexname
                    """, [.text(target.location.schema)])
                for index in indexes {
                    if let name = index[0].string { try target.session.execute("DROP INDEX \(ReportFunctions.quoteIdentifier(name))") }
                }
                for table in tables where madeByStore[table.name] != "" {
                    let filter = rowsCopied(table.name)
                    let select = try source.db.prepare("SELECT \(table.columns.map(ReportFunctions.quoteIdentifier).joined(separator: ", ")) FROM \(ReportFunctions.quoteIdentifier(table.name))\(filter)")
                    let width = table.columns.count
                    let rows = try target.session.copy(into: table.name, columns: table.columns) { text in
                        guard try select.step() else { return false }
                        text.append(select, columns: width)
                        return true
                    }
                    summary.tables.append((table.name, rows))
                    progress?(table.name, rows)
                }
                for index in indexes {
                    if let create = index[1].string { try target.session.execute(create) }
                }
                // Identity columns number on from the largest key copied.
                for row in try target.session.query("""
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = $1 AND is_identity = 'YES' ORDER BY table_name
                    """, [.text(target.location.schema)]) {
                    guard let table = row[0].string, let column = row[1].string else { continue }
                    let (t, c) = (ReportFunctions.quoteIdentifier(table), ReportFunctions.quoteIdentifier(column))
                    _ = try target.session.query("""
                        SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(\(c)), 1), max(\(c)) IS NOT NULL) FROM \(t)
                        """, [.text(t), .text(column)])
                }
            }
        }
        // Statistics for the planner at once: a load into the copy looks its natural IDs up by
        // indexes that are not unique (Schema/postgresql/tables.sql), which without them it would
        // read whole (PostgresStore.analyseNewTables). After the commit: Citus analyses no table
        // in a transaction that wrote to a reference table's copy on the coordinator.
        for (table, rows) in summary.tables where rows > 0 {
            try? target.session.execute("ANALYZE \(ReportFunctions.quoteIdentifier(table))")
        }
        return summary
    }

    // MARK: PostgreSQL to file

    /// Copies the PostgreSQL warehouse into the file's (empty; a new file is made with
    /// its time zone), table by table, in one transaction.
    public static func copy(from source: PostgresWarehouse, to target: Warehouse,
                            progress: ((String, Int) -> Void)? = nil) throws -> Summary {
        guard source.timeZone == target.timeZone else {
            throw WarehouseError("\(target.path) has time zone \(target.timeZone), \(source.name) \(source.timeZone): copy into a new file, which is made with the warehouse's. Nothing was copied.")
        }
        let tables = try tables(of: target)
        try checkEmpty(tables.map(\.name), name: target.path) { sql in try target.db.int64(sql) }
        var summary = Summary()
        try source.transaction {
            try target.db.inTransaction {
                for table in tables where madeByStore[table.name] != "" {
                    let filter = rowsCopied(table.name)
                    let names = table.columns.map(ReportFunctions.quoteIdentifier).joined(separator: ", ")
                    let insert = try target.db.prepare("INSERT INTO \(ReportFunctions.quoteIdentifier(table.name)) (\(names)) VALUES (\(Array(repeating: "?", count: table.columns.count).joined(separator: ", ")))")
                    var rows = 0
                    try source.session.stream("SELECT \(names) FROM \(ReportFunctions.quoteIdentifier(table.name))\(filter)", columns: { _ in }, row: { values in
                        insert.reset()
                        try insert.bind(values)
                        try insert.run()
                        rows += 1
                    })
                    summary.tables.append((table.name, rows))
                    progress?(table.name, rows)
                }
            }
        }
        return summary
    }
}
