import CSQLite

/// Whose fault an error is, which decides what its caller does with it: a
/// refused input is sent again only once corrected (HTTP `400`), a store that
/// could not do its part is worth trying again as it is (`503`), an
/// interrupted statement was stopped on purpose.
public enum FailureKind: Sendable, Equatable {
    /// What the input did wrong: a refused file, a bad record, a bad parameter.
    case input
    /// What the store could not do: full, I/O, busy, locked, read-only, cannot open.
    case store
    /// A statement stopped on purpose (Ctrl-C in the shell).
    case interrupted
    /// Anything else: a fault of the program's own.
    case `internal`

    /// The kind of `error`.
    public init(of error: Error) {
        switch error {
        case let failure as LoadFailure: self = failure.kind
        case is StoreFailure: self = .store
        case let sqlite as SQLiteError:
            self = sqlite.isInterrupt ? .interrupted : sqlite.isStoreFailure ? .store : .internal
        case is WarehouseError, is CSVReader.Failure, is RowReject: self = .input
        case let classified as ClassifiedFailure: self = classified.failureKind
        default: self = .internal
        }
    }
}

/// An error of a module beyond this one (another store's) that says whose fault it is.
public protocol ClassifiedFailure: Error {
    var failureKind: FailureKind { get }
    /// A conflict with another transaction (a deadlock, a serialization failure):
    /// the same work may succeed when run again.
    var isConflict: Bool { get }
}

extension ClassifiedFailure {
    public var isConflict: Bool { false }
}

/// What the store could not do, with SQLite's own error inside: the disk is
/// full, the file could not be written or read, another process holds the
/// lock. Not the input's fault: the same request may succeed later.
public struct StoreFailure: Error, CustomStringConvertible, Sendable {
    /// What was being done (`report overview`, a file's name), or empty.
    public let context: String
    public let cause: SQLiteError

    public init(_ context: String, _ cause: SQLiteError) { (self.context, self.cause) = (context, cause) }

    public var description: String { context.isEmpty ? cause.description : "\(context): \(cause)" }
}

/// Why a load unit (a file, a request's records) loaded nothing: its message,
/// naming the source, and whose fault it was.
public struct LoadFailure: ClassifiedFailure, CustomStringConvertible, Sendable {
    public let kind: FailureKind
    public let message: String
    /// SQLite's error, when the store failed.
    public let cause: SQLiteError?
    /// The failure was a conflict with another transaction (`ClassifiedFailure.isConflict`).
    public let isConflict: Bool

    public init(_ kind: FailureKind, _ message: String, cause: SQLiteError? = nil, isConflict: Bool = false) {
        (self.kind, self.message, self.cause, self.isConflict) = (kind, message, cause, isConflict)
    }

    public var description: String { message }
    public var failureKind: FailureKind { kind }
}

extension SQLiteError {
    /// The store could not do its part (full, I/O, busy, locked, read-only,
    /// cannot open, out of memory, damaged file): not the statement's fault.
    public var isStoreFailure: Bool {
        [SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CANTOPEN,
         SQLITE_NOMEM, SQLITE_CORRUPT, SQLITE_PROTOCOL, SQLITE_NOLFS].contains(primaryCode)
    }

    /// The statement was interrupted (`sqlite3_interrupt`).
    public var isInterrupt: Bool { primaryCode == SQLITE_INTERRUPT }
}
