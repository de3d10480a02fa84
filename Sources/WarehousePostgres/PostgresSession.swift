import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import WarehouseCore

/// One connection to a PostgreSQL warehouse, on postgres-nio: queries that return
/// rows of `SQLValue`s (`PostgresValues` says how each type reads), scripts of
/// several statements, and every failure as a `PostgresFailure` of one line that
/// names the server and the database and never the password.
///
/// Its methods are async and run on the event loop the session was connected on;
/// `BlockingPostgresSession` is the same for synchronous code (the command line).
public final class PostgresSession: Sendable {
    public let location: PostgresLocation
    let connection: PostgresConnection
    /// postgres-nio's log: nothing of it is shown (its debug lines are for its own developers).
    static let logger = Logger(label: "warehouse.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// How to fail the statement (or copy) waiting for its answer, if the connection closes under it.
    let pending = NIOLockedValueBox<(@Sendable (Error) -> Void)?>(nil)

    /// What a statement on a connection that has ended fails with.
    var dropped: PostgresFailure {
        .connectionDropped(server: location.server, database: location.database, reason: "the server closed it")
    }

    private init(location: PostgresLocation, connection: PostgresConnection) {
        self.location = location
        self.connection = connection
        // postgres-nio can leave a statement written to a connection that the server is
        // closing (pg_terminate_backend, a shutdown) waiting for ever: when the connection
        // has closed, the one waiting fails, after postgres-nio has had its moment to
        // fail it with the server's own reason.
        let pending = pending
        let dropped = dropped
        connection.closeFuture.whenComplete { _ in
            connection.eventLoop.scheduleTask(in: .milliseconds(100)) {
                pending.withLockedValue { $0 }?(dropped)
            }
        }
    }

    /// Connects to `location` over TCP (with TLS as its `sslmode` says) or its Unix
    /// socket, on `eventLoop`.
    public static func connect(to location: PostgresLocation, on eventLoop: any EventLoop) async throws -> PostgresSession {
        let configuration = try Self.configuration(location)
        do {
            let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: 1, logger: logger)
            return PostgresSession(location: location, connection: connection)
        } catch {
            throw Self.connectFailure(error, location)
        }
    }

    /// Runs one statement and returns its rows. `arguments` are bound to `$1`, `$2`…
    public func query(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [[SQLValue]] {
        do {
            let result = try await run(PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(arguments)))
            return result.rows.map { row in row.map(PostgresValues.value) }
        } catch {
            throw failure(error, statement: sql)
        }
    }

    /// Runs one statement and collects its rows (a connection runs one at a time).
    private func run(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        guard !connection.isClosed else { throw dropped }
        let promise = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        pending.withLockedValue { $0 = { promise.fail($0) } }
        defer { pending.withLockedValue { $0 = nil } }
        connection.query(query, logger: Self.logger).cascade(to: promise)
        return try await promise.futureResult.get()
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) async throws -> SQLValue? {
        try await query(sql, arguments).first?.first
    }

    /// Runs a script of statements in order (`SQLScript` cuts it), stopping at the
    /// first that fails; the error names that statement.
    public func execute(_ script: String) async throws {
        let statements = SQLScript.statements(script)
        for (i, statement) in statements.enumerated() {
            do {
                _ = try await run(PostgresQuery(unsafeSQL: statement))
            } catch {
                var failure = failure(error, statement: statement)
                if statements.count > 1, case var .statement(serverError) = failure {
                    serverError.statementLabel = "statement \(i + 1) of \(statements.count): \(Self.label(statement))"
                    failure = .statement(serverError)
                }
                throw failure
            }
        }
    }

    /// Ends the connection (quietly when it has already ended).
    public func close() async {
        try? await connection.close()
    }

    // MARK: Configuration

    static func configuration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case let .tcp(host, port):
            configuration = .init(host: host, port: port, username: location.user, password: location.password,
                                  database: location.database, tls: try tls(location))
        case .unixSocket:
            // As libpq: no TLS over a Unix socket, whatever sslmode says.
            configuration = .init(unixSocketPath: location.socketPath ?? "", username: location.user,
                                  password: location.password, database: location.database)
        }
        if let seconds = location.connectTimeout, seconds > 0 { configuration.options.connectTimeout = .seconds(Int64(seconds)) }
        if let name = location.applicationName { configuration.options.additionalStartupParameters.append(("application_name", name)) }
        return configuration
    }

    /// libpq's modes: `prefer` and `require` encrypt without checking the certificate
    /// (libpq checks it only from `verify-ca` on); `verify-full` checks it and the name.
    static func tls(_ location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        var settings = TLSConfiguration.makeClientConfiguration()
        switch location.tls {
        case .disable: return .disable
        case .prefer, .require: settings.certificateVerification = .none
        case .verifyCA: settings.certificateVerification = .noHostnameVerification
        case .verifyFull: settings.certificateVerification = .fullVerification
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: settings) } catch {
            throw PostgresFailure.unreachable(server: location.server, database: location.database,
                                              reason: "TLS could not be set up (\(Self.oneLine(error)))")
        }
        return location.tls == .prefer ? .prefer(context) : .require(context)
    }

    static func bindings(_ values: [SQLValue]) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case let .integer(v): bindings.append(v)
            case let .real(v): bindings.append(v)
            case let .text(v): bindings.append(v)
            case let .blob(v): bindings.append(ByteBuffer(bytes: v))
            }
        }
        return bindings
    }

    /// The first line of a statement that is not a comment, shortened.
    static func label(_ statement: String) -> String {
        let line = statement.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { !$0.isEmpty && !$0.hasPrefix("--") } ?? ""
        return line.count > 60 ? line.prefix(60) + "…" : line
    }

    static func oneLine(_ error: Error) -> String {
        ServerError.oneLine(String(describing: error))
    }
}
