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
    /// Whether this connection writes a new warehouse without the write-ahead
    /// log (see `openForWriting(path:timeZone:newFileWithoutLog:)`).
    public private(set) var writesWithoutLog = false

    public static let defaultPath = "warehouse.db"
    /// A reading connection's page cache: 64 MiB (negative: in KiB), instead of
    /// SQLite's 2 MiB, which a report's joins to the dimensions outgrow.
    static let readerCacheSize = -65_536
    /// A reading connection reads the file through a memory map of up to 2 GiB
    /// (SQLite keeps to its own build's limit), instead of copying each page
    /// into the cache: no copy, and no fresh cache memory to fault in for each
    /// index a report scans. Minimum of 11 interleaved runs, 3 million
    /// messages: overview 204 → 182 ms, the anomalies report 207 → 185 ms,
    /// user_performance 177 → 158 ms, conversations_opened_vs_closed
    /// 125 → 106 ms, conversation_list 2.11 → 1.87 s.
    static let readerMapSize = 1 << 31

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
    ///
    /// A warehouse is written through SQLite's write-ahead log, so that readers
    /// work while a load runs. The log writes every page twice (into the log,
    /// then into the file at the commit's checkpoint), which costs the first
    /// load of a history most: with `newFileWithoutLog`, a file this call
    /// creates is written with a rollback journal instead, which writes the new
    /// pages once, and `useWriteAheadLog()` switches to the log when the load is
    /// done. Nobody can have read a file that did not exist; readers that come
    /// during that load wait for a file's commit, or are told why. Six export
    /// files of 3 million messages: 26.8–29.3 s with the log, 20.9–21.7 s without.
    public static func openForWriting(path: String, timeZone requested: String? = nil,
                                      newFileWithoutLog: Bool = false) throws -> Warehouse {
        try checkPath(path, mustExist: false)
        let withoutLog = newFileWithoutLog && !FileManager.default.fileExists(atPath: path)
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
            try db.execute(withoutLog ? "PRAGMA journal_mode = DELETE" : "PRAGMA journal_mode = WAL")
        } catch let error as SQLiteError where error.primaryCode == SQLITE_NOTADB {
            throw WarehouseError("\(path) is not a warehouse: it is not a SQLite database file. Name the warehouse with --db (a new file is created).")
        }
        if withoutLog {
            // A rollback journal is safe from a power cut only with FULL; a
            // file's commit waits for readers to finish rather than failing.
            try db.execute("PRAGMA synchronous = FULL; PRAGMA busy_timeout = \(Self.creatingBusyTimeout)")
        } else {
            try db.execute("PRAGMA synchronous = NORMAL")
        }
        try db.execute("PRAGMA foreign_keys = OFF")
        SQLFunctions.register(on: db)  // migrations may use them
        // Schema, views and time zone in one transaction: another process
        // opening the warehouse meanwhile (a report during the load that
        // creates it) sees none of it or all of it, never a schema half made,
        // which it would try to complete beside this one.
        let zone: String = try db.inTransaction {
            try Schema.migrate(db)
            try ReportLibrary.installViews(db)
            let stored = try db.scalar("SELECT value FROM settings WHERE key = 'timezone'")?.string
            if let stored {
                if let requested, requested != stored {
                    throw WarehouseError("\(path) was created with time zone \(stored); it cannot change to \(requested). Load into a new warehouse (--db NEW.db --timezone \(requested)) instead.")
                }
                return stored
            }
            try db.execute("INSERT INTO settings(key, value) VALUES ('timezone', ?)", [.text(requested ?? "UTC")])
            return requested ?? "UTC"
        }
        let warehouse = Warehouse(db: db, path: path, timeZone: zone)
        warehouse.writesWithoutLog = withoutLog
        return warehouse
    }

    /// How long a load creating a warehouse waits for readers to let it commit: 10 minutes.
    static let creatingBusyTimeout = 600_000

    /// Switches a warehouse opened with `newFileWithoutLog` to the write-ahead
    /// log, which it keeps from then on. (A load killed before this leaves the
    /// journal mode as it was: the next opening for writing switches.)
    public func useWriteAheadLog() throws {
        guard writesWithoutLog else { return }
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000")
        writesWithoutLog = false
    }

    /// Opens an existing warehouse read-only (or writable for `sql --write`).
    public static func openExisting(path: String, writable: Bool = false) throws -> Warehouse {
        try checkPath(path, mustExist: true)
        // Bring an older warehouse up to date before reading it.
        var probe = try Database(path: path, mode: .readOnly)
        let version: Int
        do {
            do {
                version = try Schema.version(of: probe)
            } catch let error as SQLiteError where error.code == SQLITE_READONLY | (3 << 8) {  // SQLITE_READONLY_ROLLBACK
                // A load that created the warehouse was stopped before its file's
                // commit: its journal is rolled back by a writing connection.
                _ = try openForWriting(path: path)
                probe = try Database(path: path, mode: .readOnly)
                version = try Schema.version(of: probe)
            }
        } catch let error as SQLiteError where error.primaryCode == SQLITE_NOTADB {
            throw WarehouseError("\(path) is not a warehouse: it is not a SQLite database file. Name the warehouse with --db.")
        } catch let error as SQLiteError where error.primaryCode == SQLITE_BUSY {
            throw Self.keptOut(path, error)
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
        try db.execute("PRAGMA cache_size = \(Self.readerCacheSize); PRAGMA mmap_size = \(Self.readerMapSize)")
        SQLFunctions.register(on: db)
        let zone: String
        do {
            zone = try db.scalar("SELECT value FROM settings WHERE key = 'timezone'")?.string ?? "UTC"
        } catch let error as SQLiteError where error.primaryCode == SQLITE_BUSY {
            throw Self.keptOut(path, error)
        }
        return Warehouse(db: db, path: path, timeZone: zone)
    }

    /// What a reader kept out is told: a rollback journal beside the warehouse
    /// means a load is creating it (otherwise SQLite's own reason).
    static func keptOut(_ path: String, _ error: SQLiteError) -> Error {
        guard FileManager.default.fileExists(atPath: path + "-journal") else { return StoreFailure(path, error) }
        return StoreFailure("\(path) is being created by a load, which keeps readers out while it writes a file (a new warehouse is written without the write-ahead log). Run this again when the load has finished", error)
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

extension Warehouse {
    /// Makes this connection write as a server must: with the write-ahead log,
    /// every commit synced before it returns (`synchronous = FULL`), and a
    /// load running in another process waited for rather than failed, up to 30 s.
    public func writeDurably() throws {
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000")
    }
}
