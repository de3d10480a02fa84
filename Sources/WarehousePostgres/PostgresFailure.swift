import Foundation
import WarehouseCore

/// Why the PostgreSQL store could not do what it was asked, each as one line that
/// names where (the server, the database) and never the password: a URL that does
/// not read, a server that cannot be reached, a login or a database it refuses, a
/// connection that ended, or a statement it refused (with PostgreSQL's own message).
public enum PostgresFailure: Error, CustomStringConvertible, Sendable, Equatable, ClassifiedFailure {
    /// The URL does not read: what is wrong with it (never the URL itself).
    case badLocation(String)
    /// No connection could be made: nothing listens there, the name does not
    /// resolve, no answer in time, the TLS handshake failed.
    case unreachable(server: String, database: String, reason: String)
    /// The server refused the login: the password, the user, or no `pg_hba.conf` entry.
    case loginRefused(server: String, database: String, user: String, reason: String)
    /// The server has no database of that name.
    case databaseMissing(server: String, database: String)
    /// The connection ended while it was in use: the server stopped or was restarted,
    /// the network failed, an administrator ended the session.
    case connectionDropped(server: String, database: String, reason: String)
    /// The server refused a statement.
    case statement(ServerError)
    /// The store was used in a way it does not allow (the blocking facade called on
    /// its own event loop): a fault of the program's own.
    case misuse(String)

    public var description: String {
        switch self {
        case let .badLocation(what):
            return "the PostgreSQL URL does not read: \(what)"
        case let .unreachable(server, database, reason):
            return "cannot reach the PostgreSQL server at \(server) (database \(database)): \(reason)"
        case let .loginRefused(server, database, user, reason):
            return "the PostgreSQL server at \(server) refused the login of user \(user) to database \(database): \(reason)"
        case let .databaseMissing(server, database):
            return "the PostgreSQL server at \(server) has no database \(database): create it (createdb \(database)) or name another in the URL"
        case let .connectionDropped(server, database, reason):
            return "the connection to the PostgreSQL server at \(server) (database \(database)) was lost: \(reason)"
        case let .statement(error):
            return error.description
        case let .misuse(what):
            return what
        }
    }

    /// A deadlock (40P01) or a serialization failure (40001): run the transaction again.
    public var isConflict: Bool {
        if case let .statement(error) = self { return error.sqlState == "40P01" || error.sqlState == "40001" }
        return false
    }

    /// A URL that does not read is the caller's to correct; a statement refused for
    /// a fault of the server's (out of space, shutting down, a conflict to retry) and
    /// every connection failure are the store's, worth trying again later.
    public var failureKind: FailureKind {
        switch self {
        case .badLocation: return .input
        case .unreachable, .loginRefused, .databaseMissing, .connectionDropped: return .store
        case let .statement(error): return error.failureKind
        case .misuse: return .internal
        }
    }
}

/// A statement the server refused: its SQLSTATE and PostgreSQL's message, where in
/// the statement (from the server's character position), its detail and its hint.
/// The server's context lines (the PL/pgSQL call stack) are left out.
public struct ServerError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The five-character SQLSTATE (`42703`, `22012`, `P0001` for a function's RAISE).
    public let sqlState: String
    /// A change refused by a read-only transaction (read_only_sql_transaction).
    public var isReadOnlyRefusal: Bool { sqlState == "25006" }
    /// A statement cancelled on request (query_canceled: `pg_cancel_backend`).
    public var isCancelled: Bool { sqlState == "57014" }
    public let message: String
    public let detail: String?
    public let hint: String?
    /// Line and column (1-based) in `statement` where the server places the error.
    public let line: Int?
    public let column: Int?
    /// Which statement of a script failed (`execute` of several), with its beginning.
    public var statementLabel: String?

    public init(sqlState: String, message: String, detail: String? = nil, hint: String? = nil,
                position: Int? = nil, statement: String? = nil, statementLabel: String? = nil) {
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        if let position, let statement, position >= 1 {
            let before = statement.prefix(position - 1)
            let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
            self.line = lines.count
            self.column = (lines.last?.count ?? 0) + 1
        } else {
            (self.line, self.column) = (nil, nil)
        }
        self.statementLabel = statementLabel
    }

    public var description: String {
        var text = Self.oneLine(message)
        if let line, let column { text += " (at line \(line), column \(column))" }
        if let detail, !detail.isEmpty { text += "; " + Self.oneLine(detail) }
        if let hint, !hint.isEmpty { text += "; hint: " + Self.oneLine(hint) }
        if let statementLabel { text += " [\(statementLabel)]" }
        return text
    }

    /// Conflicts to retry, resources, shutdown and system errors are the store's;
    /// a cancelled statement was interrupted; the statement's own faults (syntax, a
    /// missing column, a function's RAISE) are the program's or the query's author's.
    public var failureKind: FailureKind {
        if isCancelled { return .interrupted }
        switch sqlState.prefix(2) {
        case "08", "40", "53", "54", "55", "57", "58", "XX": return .store
        case "25" where isReadOnlyRefusal: return .store
        default: return .internal
        }
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
