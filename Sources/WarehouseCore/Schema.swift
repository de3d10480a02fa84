import Foundation

/// The star schema: the SQL files of `Schema/` (embedded in the binary at
/// build time), applied in order. A file `NNN_name.sql` is schema version NNN;
/// the version reached is kept in `PRAGMA user_version`, so a warehouse made by
/// an older version is upgraded in place.
public enum Schema {
    public struct Migration {
        public let version: Int
        public let name: String
        public let sql: String
    }

    public static let migrations: [Migration] = EmbeddedSQL.files
        .filter { $0.folder == "Schema" }
        .compactMap { file -> Migration? in
            guard let version = Int(file.name.prefix { $0.isNumber }) else { return nil }
            return Migration(version: version, name: String(file.name.dropLast(4)), sql: file.text)
        }
        .sorted { $0.version < $1.version }

    public static var currentVersion: Int { migrations.last?.version ?? 0 }

    public static func version(of db: Database) throws -> Int {
        Int(try db.scalar("PRAGMA user_version")?.int64 ?? 0)
    }

    /// Applies every migration newer than the database's version, in one
    /// transaction (or the caller's): the version is read under its write
    /// lock, so two processes upgrading at once apply each migration once.
    public static func migrate(_ db: Database) throws {
        try db.inTransaction {
            let from = try version(of: db)
            for migration in migrations where migration.version > from {
                try db.execute(migration.sql)
                try db.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }
}
