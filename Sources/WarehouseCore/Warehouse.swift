import CSQLite
import Foundation

/// Errors a user can cause, each with a message that says what, where and what to do.
public struct WarehouseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One warehouse file: the star schema, its workspace time zone, and the loads.
public final class Warehouse {
    public let db: Database
    public let path: String
    /// The workspace time zone (IANA name), chosen when the warehouse was created.
    public let timeZone: String

    public static let defaultPath = "warehouse.db"
    /// A reading connection's page cache: 64 MiB (negative: in KiB), instead of
    /// SQLite's 2 MiB, which a report's joins to the dimensions outgrow.
    static let readerCacheSize = -65_536

    /// The warehouse path: `--db`, else `$WAREHOUSE_DB`, else `warehouse.db`.
    public static func resolvePath(_ option: String?) -> String {
        if let option, !option.isEmpty { return option }
        if let env = ProcessInfo.processInfo.environment["WAREHOUSE_DB"], !env.isEmpty { return env }
        return defaultPath
    }

    private init(db: Database, path: String, timeZone: String) {
        self.db = db
        self.path = path
        self.timeZone = timeZone
    }

    /// Opens the warehouse for writing, creating it (with `timeZone`, default UTC)
    /// when it does not exist, and upgrading its schema when it is older.
    /// A `timeZone` that differs from an existing warehouse's is an error.
    public static func openForWriting(path: String, timeZone requested: String? = nil) throws -> Warehouse {
        try checkPath(path, mustExist: false)
        if let requested { _ = try WorkspaceZone(requested) }
        let db = try Database(path: path, mode: .readWriteCreate)
        // SQLite opens a file it cannot write read-only without a word: say so
        // before anything (the WAL files would be made read-only too).
        if db.isReadOnly {
            throw WarehouseError("\(path) cannot be written (no write permission): nothing was loaded. Make it writable, or name another file with --db.")
        }
        let folder = (path as NSString).deletingLastPathComponent
        if !FileManager.default.fileExists(atPath: path + "-wal"),
           !FileManager.default.isWritableFile(atPath: folder.isEmpty ? "." : folder) {
            throw WarehouseError("the folder of \(path) cannot be written: SQLite keeps the warehouse's -wal and -shm files beside it. Nothing was loaded.")
        }
        do {
            try db.execute("PRAGMA journal_mode = WAL")
        } catch let error as SQLiteError where error.primaryCode == SQLITE_NOTADB {
            throw WarehouseError("\(path) is not a warehouse: it is not a SQLite database file. Name the warehouse with --db (a new file is created).")
        }
        try db.execute("PRAGMA synchronous = NORMAL")
        try db.execute("PRAGMA foreign_keys = OFF")
        SQLFunctions.register(on: db)  // migrations may use them
        try Schema.migrate(db)
        try ReportLibrary.installViews(db)
        let stored = try db.scalar("SELECT value FROM settings WHERE key = 'timezone'")?.string
        let zone: String
        if let stored {
            if let requested, requested != stored {
                throw WarehouseError("\(path) was created with time zone \(stored); it cannot change to \(requested). Load into a new warehouse (--db NEW.db --timezone \(requested)) instead.")
            }
            zone = stored
        } else {
            zone = requested ?? "UTC"
            try db.execute("INSERT INTO settings(key, value) VALUES ('timezone', ?)", [.text(zone)])
        }
        return Warehouse(db: db, path: path, timeZone: zone)
    }

    /// Opens an existing warehouse read-only (or writable for `sql --write`).
    public static func openExisting(path: String, writable: Bool = false) throws -> Warehouse {
        try checkPath(path, mustExist: true)
        // Bring an older warehouse up to date before reading it.
        let probe = try Database(path: path, mode: .readOnly)
        let version: Int
        do {
            version = try Schema.version(of: probe)
        } catch let error as SQLiteError where error.primaryCode == SQLITE_NOTADB {
            throw WarehouseError("\(path) is not a warehouse: it is not a SQLite database file. Name the warehouse with --db.")
        }
        if version == 0 {
            throw WarehouseError("\(path) is not a warehouse (no schema): create one with `warehouse load --db \(path) FILE…`.")
        }
        if version > Schema.currentVersion {
            throw WarehouseError("\(path) has schema version \(version), newer than this warehouse program's \(Schema.currentVersion): use a newer `warehouse`.")
        }
        if version < Schema.currentVersion || writable {
            _ = try openForWriting(path: path)
        } else if try !ReportLibrary.viewsAreCurrent(probe) {
            // Views made by another version of this program: bring them up to
            // date where the file can be written (reports run without them).
            _ = try? openForWriting(path: path)
        }
        let db = try Database(path: path, mode: writable ? .readWriteCreate : .readOnly)
        try db.execute("PRAGMA cache_size = \(Self.readerCacheSize)")
        SQLFunctions.register(on: db)
        let zone = try db.scalar("SELECT value FROM settings WHERE key = 'timezone'")?.string ?? "UTC"
        return Warehouse(db: db, path: path, timeZone: zone)
    }

    private static func checkPath(_ path: String, mustExist: Bool) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            throw WarehouseError("\(path) is a directory, not a warehouse file: name a file with --db.")
        }
        if mustExist && !exists {
            throw WarehouseError("no warehouse at \(path): create one with `warehouse load --db \(path) FILE…` (or set --db / $WAREHOUSE_DB).")
        }
    }
}
