import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// postgres-nio's errors as `PostgresFailure`s: what went wrong in words a user
/// can act on, with the server and the database named (never the password, which
/// none of postgres-nio's errors holds either).
extension PostgresSession {
    /// A failure to connect and log in.
    static func connectFailure(_ error: Error, _ location: PostgresLocation) -> PostgresFailure {
        if let failure = error as? PostgresFailure { return failure }
        let (server, database) = (location.server, location.database)
        guard let error = error as? PSQLError else {
            return .unreachable(server: server, database: database, reason: reason(error))
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = ServerError.oneLine(error.serverInfo?[.message] ?? "refused")
            switch state {
            case "3D000": return .databaseMissing(server: server, database: database)
            case _ where state.hasPrefix("28"): return .loginRefused(server: server, database: database, user: location.user, reason: message)
            default: return .unreachable(server: server, database: database, reason: message)
            }
        case .authMechanismRequiresPassword:
            return .loginRefused(server: server, database: database, user: location.user,
                                 reason: "the server asks for a password: give it in the URL or in $PGPASSWORD")
        case .unsupportedAuthMechanism, .saslError:
            return .loginRefused(server: server, database: database, user: location.user,
                                 reason: "the server asks for a way of logging in this client does not speak (\(reason(error.underlying ?? error)))")
        case .sslUnsupported:
            return .unreachable(server: server, database: database,
                                reason: "the server does not offer TLS, which sslmode=\(location.tls.rawValue) requires (sslmode=prefer takes a plain connection where TLS is not offered)")
        case .serverClosedConnection, .uncleanShutdown:
            return .unreachable(server: server, database: database, reason: "the server closed the connection before the login was done")
        default:
            return .unreachable(server: server, database: database, reason: reason(error.underlying ?? error))
        }
    }

    /// A failure of a statement, or of the connection while it ran.
    func failure(_ error: Error, statement: String) -> PostgresFailure {
        if let failure = error as? PostgresFailure { return failure }
        let (server, database) = (location.server, location.database)
        guard let error = error as? PSQLError else {
            return .connectionDropped(server: server, database: database, reason: Self.reason(error))
        }
        switch error.code {
        case .server:
            let info = error.serverInfo
            let state = info?[.sqlState] ?? ""
            let message = info?[.message] ?? "the server refused the statement"
            // The server ends the session: shut down, restarted, or an administrator's pg_terminate_backend.
            if state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) {
                return .connectionDropped(server: server, database: database, reason: ServerError.oneLine(message))
            }
            return .statement(ServerError(sqlState: state, message: message, detail: info?[.detail], hint: info?[.hint],
                                          position: info?[.position].flatMap { Int($0) }, statement: statement))
        case .serverClosedConnection, .uncleanShutdown, .connectionError, .clientClosedConnection:
            return .connectionDropped(server: server, database: database,
                                      reason: error.underlying.map(Self.reason) ?? "the server closed it")
        case .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag:
            return .connectionDropped(server: server, database: database, reason: "the server's answer could not be read")
        case .tooManyParameters:
            return .misuse("a statement may take at most 65,535 parameters")
        default:
            return .misuse("PostgreSQL: \(Self.reason(error.underlying ?? error))")
        }
    }

    /// What an I/O error below postgres-nio says, in a few words.
    static func reason(_ error: Error) -> String {
        switch error {
        case let error as IOError: return reason(errno: error.errnoCode) ?? oneLine(error)
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "the host name does not resolve" }
            return "the host name does not resolve to any address"
        case let error as ChannelError:
            if case let .connectTimeout(time) = error { return "no answer within \(time.nanoseconds / 1_000_000_000) s" }
            if case .ioOnClosedChannel = error { return "the connection was closed" }
            return oneLine(error)
        case is SocketAddressError: return "the host name does not resolve"
        case let error as NIOSSLError: return "TLS failed (\(oneLine(error)))"
        case let error as BoringSSLError: return "TLS failed (\(oneLine(error)))"
        default: return oneLine(error)
        }
    }

    static func reason(errno code: Int32) -> String? {
        switch code {
        case ECONNREFUSED: return "connection refused (is the server running and listening there?)"
        case ENOENT: return "no socket there (is the server running, with its socket in that directory?)"
        case EACCES: return "permission denied"
        case ETIMEDOUT: return "no answer in time"
        case EHOSTUNREACH, ENETUNREACH: return "no route to the host"
        case ECONNRESET: return "the connection was reset"
        case EPIPE: return "the connection was closed"
        default: return nil
        }
    }
}
