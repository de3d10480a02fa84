import Foundation
import WarehouseCore
import WarehousePostgres

/// The warehouse a server serves: a file, or a schema of a PostgreSQL database,
/// which several servers may serve at once (SPEC 8). This is where the two
/// stores meet in the server: the writer's connection, the readers, a report
/// read a part at a time.
public enum ServedWarehouse: Sendable {
    case file(String)
    case postgres(PostgresLocation)

    /// The report library's directories: a file's `queries` beside it, and `extra`.
    func reportDirectories(extra: [String]) -> [URL] {
        switch self {
        case .file(let path): ReportLibrary.directories(warehousePath: path, extra: extra)
        case .postgres: extra.map { URL(fileURLWithPath: $0) }
        }
    }

    /// A reading connection.
    func openReader() throws -> any ReportStore {
        switch self {
        case .file(let path): try Warehouse.openExisting(path: path)
        case .postgres(let location): try PostgresWarehouse.openExisting(location)
        }
    }

    /// The writer's connection, creating the warehouse when there is none.
    func openWriter() throws -> any WritingConnection {
        switch self {
        case .file(let path): try FileWriting(path: path)
        case .postgres(let location): try PostgresWriting(location)
        }
    }
}

/// The connection `GroupCommitWriter` writes through: a group of requests in one
/// transaction, each request in a savepoint of its own within it.
protocol WritingConnection: AnyObject {
    /// The warehouse, for what requests write beside records (webhook events).
    var store: any WritableStore { get }
    /// A loader on this connection whose sources load inside `group`'s transaction.
    func loader() throws -> Loader
    /// Runs `body` in one transaction, committed (and durable) when it returns.
    func group(_ body: () throws -> Void) throws
    /// Runs `body` in a savepoint of the group's transaction: undone alone when it throws.
    func piece<T>(_ body: () throws -> T) throws -> T
    /// Whether the connection still answers (after a failed group: else it is opened again).
    func answers() -> Bool
    func close()
}

/// A warehouse file: written with the write-ahead log synced at each commit
/// (`writeDurably`); a group is an IMMEDIATE transaction.
final class FileWriting: WritingConnection {
    let warehouse: Warehouse
    var store: any WritableStore { warehouse }

    init(path: String) throws {
        warehouse = try Warehouse.openForWriting(path: path)
        try warehouse.writeDurably()
    }

    func loader() throws -> Loader { try Loader(warehouse: warehouse) }
    func group(_ body: () throws -> Void) throws { try warehouse.db.inTransaction("IMMEDIATE", body) }
    func piece<T>(_ body: () throws -> T) throws -> T { try warehouse.db.inTransaction { try body() } }
    func answers() -> Bool { true }
    func close() {}
}

/// A PostgreSQL warehouse: a group's transaction first takes the lock every
/// writer of the warehouse takes (`Loader.serverLock`), so the groups of several
/// servers, and loads, take turns: each sees what the one before it committed,
/// and none can deadlock another. A commit returns once it is durable
/// (PostgreSQL's `synchronous_commit`, on by default). The loader keeps the
/// dimension keys it learnt from one group to the next, also while other
/// servers write: a key, once committed, never changes or goes (what a group
/// that failed had cached is forgotten with its loader).
final class PostgresWriting: WritingConnection {
    let warehouse: PostgresWarehouse
    var store: any WritableStore { warehouse }

    init(_ location: PostgresLocation) throws {
        warehouse = try PostgresWarehouse.openForWriting(location)
    }

    func loader() throws -> Loader { try warehouse.loader(nested: true) }

    func group(_ body: () throws -> Void) throws {
        try warehouse.transaction(write: true) {
            try warehouse.session.execute(Loader.serverLock)
            try body()
        }
    }

    func piece<T>(_ body: () throws -> T) throws -> T { try warehouse.session.inSavepoint("piece", body) }

    func answers() -> Bool { (try? warehouse.session.scalar("SELECT 1")) != nil }
    func close() { warehouse.close() }
}

/// A report's rows read a part at a time (`ReportStream`), on either store.
protocol ReportCursor: AnyObject {
    var columns: [String] { get }
    /// Adds rows to `output` while `more()`; false once they have ended.
    func next(into output: ResultStream, while more: () -> Bool) throws -> Bool
    func close()
}

extension ReportRows: ReportCursor {
    func next(into output: ResultStream, while more: () -> Bool) throws -> Bool { try next({ output.add($0) }, while: more) }
}

extension PostgresReportCursor: ReportCursor {
    func next(into output: ResultStream, while more: () -> Bool) throws -> Bool { try next({ output.add($0) }, while: more) }
}

extension ReportStore {
    /// Starts `report`, to be read a part at a time.
    func cursor(_ report: Report, _ arguments: ReportArguments) throws -> any ReportCursor {
        switch self {
        case let file as Warehouse: return try file.start(report, arguments)
        case let server as PostgresWarehouse: return try server.start(report, arguments)
        default: throw WarehouseError("a report cannot be read a part at a time from \(name)")
        }
    }
}
