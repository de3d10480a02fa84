import Foundation
import WarehouseCore

/// A warehouse in a schema of a PostgreSQL database (SPEC §8): the same tables,
/// views and report views as the SQLite file, made in the schema the URL names
/// (`warehouse` by default) with the warehouse's time zone and schema version in
/// its `settings`. One connection, its `search_path` the schema, so reports and
/// ad hoc SQL name tables as they do on SQLite.
public final class PostgresWarehouse: WritableStore {
    public let session: BlockingPostgresSession
    public let timeZone: String
    public let schemaVersion: Int
    public var location: PostgresLocation { session.location }
    /// The schema's name, quoted as an SQL identifier.
    var schema: String { ReportFunctions.quoteIdentifier(location.schema) }

    /// Whether `openForWriting` made the warehouse (the schema held none).
    public private(set) var wasCreated = false

    private init(session: BlockingPostgresSession, timeZone: String, schemaVersion: Int) {
        self.session = session
        self.timeZone = timeZone
        self.schemaVersion = schemaVersion
    }

    /// Where the warehouse is, as messages name it (never with the password).
    public var name: String { location.description }

    public var shortName: String { name }

    // MARK: Opening

    /// Opens an existing warehouse; an error says how to make one when the schema holds none.
    public static func openExisting(_ location: PostgresLocation) throws -> PostgresWarehouse {
        let session = try connect(location)
        guard let version = try storedVersion(session) else {
            throw WarehouseError("no warehouse in schema \(location.schema) of database \(location.database) at \(location.server): create one with `warehouse load --db URL FILE…`, or copy one there with `warehouse copy --to URL`.")
        }
        try checkVersion(version, location)
        if version < Schema.currentVersion {
            // Made by an older version of this program: upgraded in place where this login may.
            do {
                try openForWriting(location).close()
            } catch {
                session.close()
                throw WarehouseError("the warehouse in schema \(location.schema) has schema version \(version) and this program needs \(Schema.currentVersion); upgrading it failed (\(error)). Open it once with a login that may change the schema, for example with `warehouse info --db URL`.")
            }
            session.close()
            return try openExisting(location)
        }
        if !(try viewsAreCurrent(session)) {
            // Report views made by another version of this program: brought up to date
            // where this login may (a reader's may not; reports run without the views).
            if let writer = try? openForWriting(location) { writer.close() }
        }
        return PostgresWarehouse(session: session, timeZone: try storedTimeZone(session), schemaVersion: version)
    }

    /// Opens the warehouse for writing, creating it (schema, tables, views, functions;
    /// with `timeZone`, default UTC) when the schema holds none. A `timeZone` that
    /// differs from an existing warehouse's is an error. Creating and upgrading hold a
    /// transaction-level advisory lock on the schema's name: two processes creating one
    /// warehouse at once make it once.
    public static func openForWriting(_ location: PostgresLocation, timeZone requested: String? = nil) throws -> PostgresWarehouse {
        if let requested { _ = try WorkspaceZone(requested) }
        let session = try connect(location)
        do {
            try session.execute("BEGIN")
            try lockSchema(session, location.schema)
            let version: Int
            let zone: String
            var created = false
            if let stored = try storedVersion(session) {
                try checkVersion(stored, location)
                zone = try storedTimeZone(session)
                if let requested, requested != zone {
                    throw WarehouseError("the warehouse in schema \(location.schema) of database \(location.database) was created with time zone \(zone); it cannot change to \(requested). Load into another schema (?schema=NAME in the URL) instead.")
                }
                try upgrade(session, from: stored)
                version = Schema.currentVersion
            } else {
                zone = requested ?? "UTC"
                try create(session, schema: location.schema, timeZone: zone)
                version = Schema.currentVersion
                created = true
            }
            try installReportViews(session)
            try session.execute("COMMIT")
            let warehouse = PostgresWarehouse(session: session, timeZone: zone, schemaVersion: version)
            warehouse.wasCreated = created
            return warehouse
        } catch {
            try? session.execute("ROLLBACK")
            session.close()
            throw error
        }
    }

    /// A loader into this warehouse (`PostgresStore`: the same kinds, rejects and
    /// load log as a file's, over this session).
    /// `nested`: each source in a savepoint of the caller's transaction (`Loader.init(server:zone:nested:)`).
    public func loader(nested: Bool = false) throws -> Loader {
        try Loader(server: session, zone: timeZone, nested: nested, distributed: try isDistributed())
    }

    /// A session in the warehouse's schema, set for the reports:
    /// - without JIT compilation: a report over the benchmark's 300,000 conversations costs
    ///   PostgreSQL's planner enough to compile it, which took 380 ms of
    ///   reopened_conversations' 1.73 s (0.78 s without); no report runs long enough to win
    ///   it back;
    /// - with 32 MB for each sort and hash (PostgreSQL's default 4 MB spills the reports'
    ///   sorts to disk): reopened_conversations 957 → 799 ms, the anomalies 667 → 497 ms,
    ///   overview 346 → 294 ms over the benchmark set (64 MB gained little more, for twice
    ///   the memory a statement may take on the server).
    static func connect(_ location: PostgresLocation) throws -> BlockingPostgresSession {
        let session = try BlockingPostgresSession(connectingTo: location)
        do {
            try session.execute("SET search_path TO \(ReportFunctions.quoteIdentifier(location.schema)); SET jit = off; SET work_mem = '32MB'")
        } catch {
            session.close()
            throw error
        }
        return session
    }

    /// Waits for, then holds until the transaction ends, the lock that keeps two writers
    /// of one warehouse's schema (creating it, copying into it) from meeting.
    static func lockSchema(_ session: BlockingPostgresSession, _ schema: String) throws {
        _ = try session.query("SELECT pg_advisory_xact_lock(hashtext('warehouse schema ' || $1))", [.text(schema)])
    }

    /// The schema's tables (`Schema/postgresql/tables.sql`), the readable views
    /// (`Schema/002`, the same file as SQLite's), the report functions and settings.
    private static func create(_ session: BlockingPostgresSession, schema: String, timeZone: String) throws {
        // Chat messages hold any character (emoji, every script), which only UTF-8 stores;
        // the loader's packed look-ups (`PackedRows`) count a key's bytes in it too.
        if let encoding = try session.scalar("SHOW server_encoding")?.string, encoding != "UTF8" {
            throw WarehouseError("the database's encoding is \(encoding); a warehouse needs UTF8, as messages hold any character. Create the database with `createdb -E UTF8 -T template0 NAME`.")
        }
        try session.execute("CREATE SCHEMA IF NOT EXISTS \(ReportFunctions.quoteIdentifier(schema))")
        try session.execute(ReportFunctions.file("tables.sql"))
        if try isCitus(session) { try session.execute(ReportFunctions.file("citus.sql")) }
        guard let views = Schema.migrations.first(where: { $0.name == "002_readable_views" }) else {
            throw WarehouseError("this build of warehouse lacks Schema/002_readable_views.sql.")
        }
        try session.execute(views.sql)
        try runMigrations(session, after: firstVersion)
        try session.execute(try ReportFunctions.script(schema: schema))
        _ = try session.query("INSERT INTO settings(key, value) VALUES ('timezone', $1), ($2, $3)",
                              [.text(timeZone), .text(versionKey), .text(String(Schema.currentVersion))])
    }

    /// Whether the database is a Citus coordinator (the `citus` extension is in it):
    /// a warehouse made there is distributed (`Schema/postgresql/citus.sql`).
    static func isCitus(_ session: BlockingPostgresSession) throws -> Bool {
        try session.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")?.int64 == 1
    }

    /// The warehouse's tables Citus places, with how (`h` hashed, `n` a reference table), the
    /// distribution column and the shards; none where Citus is not installed.
    private func placedTables() throws -> [[SQLValue]] {
        guard try Self.isCitus(session) else { return [] }
        return try session.query("""
            SELECT c.relname::text, p.partmethod::text, coalesce(column_to_column_name(p.logicalrelid, p.partkey), ''),
                   (SELECT count(*) FROM pg_dist_shard s WHERE s.logicalrelid = p.logicalrelid)
            FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
            WHERE c.relnamespace = current_schema()::regnamespace
            ORDER BY 1
            """)
    }

    /// Whether Citus distributes the warehouse (its tables are hashed over the workers): its
    /// loader then places each fact by its contact.
    public func isDistributed() throws -> Bool { try placedTables().contains { $0[1].string == "h" } }

    /// How Citus distributes the warehouse, in a sentence; nil when it is not distributed.
    public func distribution() throws -> String? {
        let tables = try placedTables()
        let distributed = tables.filter { $0[1].string == "h" }
        guard let first = distributed.first else { return nil }
        let workers = try session.scalar("SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND shouldhaveshards")?.int64 ?? 0
        let names = distributed.compactMap { $0[0].string }.joined(separator: ", ")
        let references = tables.count { $0[1].string == "n" }
        return "distributed with Citus over \(workers) worker\(workers == 1 ? "" : "s"): \(names) by \(first[2].string ?? "?") "
            + "(\(first[3].int64 ?? 0) shards each, co-located); \(references) reference tables"
    }

    /// The settings key of the schema version (SQLite keeps it in `PRAGMA user_version`).
    static let versionKey = "schema_version"

    /// The schema version, or nil when the schema holds no warehouse.
    static func storedVersion(_ session: BlockingPostgresSession) throws -> Int? {
        guard try session.scalar("SELECT to_regclass('settings') IS NOT NULL")?.int64 == 1 else { return nil }
        guard let text = try session.scalar("SELECT value FROM settings WHERE key = $1", [.text(versionKey)])?.string else { return nil }
        return Int(text)
    }

    static func storedTimeZone(_ session: BlockingPostgresSession) throws -> String {
        try session.scalar("SELECT value FROM settings WHERE key = 'timezone'")?.string ?? "UTC"
    }

    static func checkVersion(_ version: Int, _ location: PostgresLocation) throws {
        if version > Schema.currentVersion {
            throw WarehouseError("the warehouse in schema \(location.schema) of database \(location.database) has schema version \(version), newer than this warehouse program's \(Schema.currentVersion): use a newer `warehouse`.")
        }
        if version < firstVersion {
            throw WarehouseError("the warehouse in schema \(location.schema) has schema version \(version), which this program cannot upgrade.")
        }
    }

    /// The schema version `tables.sql` makes a PostgreSQL warehouse at, all at once (the first
    /// one made on PostgreSQL). Every later file of `Schema/` is written for both stores, and runs
    /// on PostgreSQL after `tables.sql` when a warehouse is made, and on upgrade in place.
    static let firstVersion = 9

    /// Runs the files of `Schema/` after `version` that PostgreSQL runs too (those after `firstVersion`).
    private static func runMigrations(_ session: BlockingPostgresSession, after version: Int) throws {
        for migration in Schema.migrations where migration.version > max(version, firstVersion) { try session.execute(migration.sql) }
    }

    /// Applies the migrations after `version` (under the schema's lock, in the caller's transaction).
    static func upgrade(_ session: BlockingPostgresSession, from version: Int) throws {
        guard version < Schema.currentVersion else { return }
        // Made at version 9 with unique natural IDs: the keys tables.sql makes since 10.
        if version < 10 { try session.execute(try ReportFunctions.file("upgrade_10.sql")) }
        try runMigrations(session, after: version)
        _ = try session.query("UPDATE settings SET value = $1 WHERE key = $2", [.text(String(Schema.currentVersion)), .text(versionKey)])
    }

    // MARK: Report views

    static func viewsAreCurrent(_ session: BlockingPostgresSession) throws -> Bool {
        try session.scalar("SELECT value FROM settings WHERE key = 'report_views'")?.string == ReportLibrary.fingerprint
    }

    /// Makes the view of `report` (`temporary`: this session's), without the columns shown
    /// only with their parameter, as `ReportLibrary.createView` does on a file: the view is
    /// made whole first, for PostgreSQL to say its columns.
    static func makeView(_ report: Report, temporary: Bool, on session: BlockingPostgresSession) throws {
        try session.execute(try ReportLibrary.createView(report, shownColumns: nil, temporary: temporary))
        guard !report.optionalColumns.isEmpty else { return }
        let view = (temporary ? "pg_temp." : "") + ReportFunctions.quoteIdentifier(report.name)
        let columns = try session.query("SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 ORDER BY attnum",
                                        [.text(view)]).compactMap { $0.first?.string }
        try session.execute("DROP VIEW \(view)")
        try session.execute(try ReportLibrary.createView(report, shownColumns: columns.filter { report.optionalColumns[$0] == nil },
                                                         temporary: temporary))
    }

    /// (Re)makes a view for each built-in report, as on SQLite (`ReportLibrary.installViews`).
    static func installReportViews(_ session: BlockingPostgresSession) throws {
        if try viewsAreCurrent(session) { return }
        let stale = try session.scalar("SELECT value FROM settings WHERE key = 'report_view_names'")?.string ?? ""
        for name in stale.split(separator: ",") { try session.execute("DROP VIEW IF EXISTS \(ReportFunctions.quoteIdentifier(String(name)))") }
        for report in ReportLibrary.builtIn {
            try session.execute("DROP VIEW IF EXISTS \(ReportFunctions.quoteIdentifier(report.name))")
            do {
                try makeView(report, temporary: false, on: session)
            } catch let PostgresFailure.statement(error) {
                throw WarehouseError("the view of report \(report.name) could not be made: \(error)")
            }
        }
        _ = try session.query("""
            INSERT INTO settings(key, value) VALUES ('report_views', $1), ('report_view_names', $2)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """, [.text(ReportLibrary.fingerprint), .text(ReportLibrary.builtIn.map(\.name).joined(separator: ","))])
    }

    // MARK: Reading

    public func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]] {
        try session.query(Self.numbered(sql), arguments)
    }

    /// `sql` with its `?` parameters numbered `$1`, `$2`… (quoted text skipped).
    static func numbered(_ sql: String) -> String {
        var out = ""
        var n = 0
        var quote: Character?
        for c in sql {
            if let q = quote {
                if c == q { quote = nil }
                out.append(c)
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
        }
        return out
    }

    /// Runs `body` in a transaction, committed at its end: read-only on one snapshot (what
    /// several statements read is one state of the warehouse, as SQLite's read transaction),
    /// or with `write` a writable one.
    public func transaction<T>(write: Bool = false, _ body: () throws -> T) throws -> T {
        try session.execute(write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let result = try body()
            try session.execute("COMMIT")
            return result
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    /// Runs a report as `Warehouse.run` does: its arguments checked and resolved, its
    /// named parameters bound (`ReportStatement`), the columns shown for the arguments,
    /// every row handed over as it arrives; in a read-only transaction.
    public func run(_ report: Report, _ arguments: ReportArguments,
                    columns: @escaping ([String]) throws -> Void, row: @escaping ([SQLValue]) throws -> Void) throws {
        let values = try ReportParameters.resolve(arguments, for: report, in: self)
        let statement = try ReportStatement(report, values)
        var positions: [Int] = []
        do {
            try transaction {
                try session.stream(statement.sql, statement.arguments, columns: { names in
                    let shown = report.shownColumns(names, arguments)
                    positions = shown.positions
                    try columns(shown.names)
                }, row: { values in
                    try row(positions.map { values[$0] })
                })
            }
        } catch {
            throw Self.reportError(report, error)
        }
    }

    /// A report's result, whole.
    public func run(_ report: Report, _ arguments: ReportArguments = ReportArguments()) throws -> ResultTable {
        try run(report, arguments, keeping: Int.max).table
    }

    public func run(_ report: Report, _ arguments: ReportArguments, keeping keep: Int) throws -> (table: ResultTable, total: Int) {
        var names: [String] = []
        var rows: [[SQLValue]] = []
        var total = 0
        try run(report, arguments, columns: { names = $0 }, row: { row in
            if total < keep { rows.append(row) }
            total += 1
        })
        return (ResultTable(columns: names, rows: rows), total)
    }

    /// Another connection to the schema, for reports run beside this one's: the
    /// warehouse was checked (version, views) when this one was opened.
    public func reader() throws -> any ReportStore {
        PostgresWarehouse(session: try Self.connect(location), timeZone: timeZone, schemaVersion: schemaVersion)
    }

    public func table(_ sql: String, _ arguments: [SQLValue]) throws -> ResultTable {
        var names: [String] = []
        var rows: [[SQLValue]] = []
        try session.stream(Self.numbered(sql), arguments, columns: { names = $0 }, row: { rows.append($0) })
        return ResultTable(columns: names, rows: rows)
    }

    public func storedSchemaVersion() throws -> Int { schemaVersion }

    // MARK: Writing

    public func execute(_ sql: String, _ arguments: [SQLValue]) throws {
        _ = try session.query(Self.numbered(sql), arguments)
    }

    public func writing<T>(_ body: () throws -> T) throws -> T { try transaction(write: true, body) }

    public func tableNames() throws -> [String] {
        try session.query("""
            SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name
            """, [.text(location.schema)]).compactMap { $0.first?.string }
    }

    public func close() { session.close() }

    /// Temporary views (this session only) of the library's own reports, so ad hoc SQL reads
    /// them as it reads the built-in ones; a report whose view cannot be made is a warning.
    public func installTemporaryViews(_ library: ReportLibrary) -> [String] {
        var warnings: [String] = []
        for report in library.reports where !report.isBuiltIn {
            do {
                try Self.makeView(report, temporary: true, on: session)
            } catch {
                warnings.append("\(report.source): no view for this report: \(error)")
            }
        }
        return warnings
    }

    /// Runs the statements of `script` (cut as PostgreSQL reads it, `SQLScript`) in one
    /// transaction, as `warehouse sql` and the shell do: read-only unless `write` (then all
    /// of them stay, or none). Each statement that returns rows hands over its column
    /// names, then its rows as they arrive, then `ended` runs.
    public func runScript(_ script: String, write: Bool, columns: @escaping ([String]) throws -> Void,
                          row: @escaping ([SQLValue]) throws -> Void, ended: () throws -> Void) throws {
        try transaction(write: write) {
            for statement in SQLScript.statements(script) {
                var returnsRows = false
                try session.stream(statement, columns: { names in
                    returnsRows = !names.isEmpty
                    if returnsRows { try columns(names) }
                }, row: row)
                if returnsRows { try ended() }
            }
        }
    }
}
