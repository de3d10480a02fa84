import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import WarehouseCore

/// How `warehouse serve` runs.
public struct ServerOptions: Sendable {
    public var path: String
    public var host = "127.0.0.1"
    /// 0: any free port (the one bound is handed to `onRunning`).
    public var port = 8080
    /// The largest request body, in bytes (SPEC 6: 10 MiB by default).
    public var maxBody = 10 << 20
    /// Seconds a connection may stay idle (no byte of a request coming, no
    /// request) before it is closed, and a body may take to arrive.
    public var timeout: Double = 30
    /// Directories of the user's own reports (`warehouse report --queries`).
    public var queries: [String] = []

    public init(path: String) { self.path = path }
}

/// What every request's handling shares: the options, the writer, the
/// tokens, the reading connections.
final class ServerState: @unchecked Sendable {
    let options: ServerOptions
    let writer: GroupCommitWriter
    let tokens: TokenCache
    let readers: ReaderPool
    let bodyReader: BodyReader
    private let counter = NSLock()
    private var requests = 0

    init(options: ServerOptions, writer: GroupCommitWriter) {
        self.options = options
        self.writer = writer
        tokens = TokenCache(path: options.path)
        readers = ReaderPool(path: options.path)
        bodyReader = BodyReader(maxBytes: options.maxBody, deadline: options.timeout)
    }

    /// A name for a request's records in the load log and the rejects:
    /// `ingest-conversations-20250311T090000Z-7`, unique within the server's run.
    func requestName(_ prefix: String) -> String {
        counter.lock()
        requests += 1
        let n = requests
        counter.unlock()
        let stamp = Tokens.now().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
        return "\(prefix)-\(stamp)-\(n)"
    }

    /// Checks the request's token (`Authorization: Bearer …`, else `?token=…`):
    /// 401 without one or with one that is not stored, 403 for a token of the other scope.
    func authorize(_ request: Request, scope: TokenScope) throws {
        var token: String?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw ServerError(.unauthorized, "the Authorization header is not 'Bearer TOKEN'", headers: [.wwwAuthenticate: "Bearer"])
            }
            token = parts[1].trimmingCharacters(in: .whitespaces)
        } else {
            token = try request.queryItems().first { $0.name == "token" }?.value
        }
        guard let token, !token.isEmpty else {
            throw ServerError(.unauthorized, "a token is needed: Authorization: Bearer TOKEN (or ?token=TOKEN); make one with `warehouse auth add-token --scope \(scope.rawValue)`",
                              headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let entry = try tokens.entry(for: token) else {
            throw ServerError(.unauthorized, "the token is not one of this warehouse's (revoked, or mistyped)", headers: [.wwwAuthenticate: "Bearer"])
        }
        guard entry.scope == scope else {
            throw ServerError(.forbidden, "the token \(entry.name) has the scope \(entry.scope.rawValue); this needs a token of scope \(scope.rawValue)")
        }
    }
}

/// The live warehouse over HTTP (SPEC 6), on Hummingbird 2: ingest, webhooks,
/// reports and the dashboard, over the same file `warehouse load` fills.
public final class WarehouseServer: @unchecked Sendable {
    public let options: ServerOptions
    let state: ServerState
    let logger: Logger
    private var group: ServiceGroup?
    private let lock = NSLock()

    /// Opens the warehouse for writing (creating it when it does not exist).
    public init(options: ServerOptions, logger: Logger = Logger(label: "warehouse.serve")) throws {
        self.options = options
        self.logger = logger
        state = ServerState(options: options, writer: try GroupCommitWriter(path: options.path))
    }

    /// Serves until SIGTERM or SIGINT (or `shutdown()`): then stops taking
    /// connections, finishes the requests in flight (their writes committed),
    /// and returns. `onRunning` gets the port bound.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let routes = Routes(state: state, logger: logger)
        let app = Application(
            responder: routes,
            server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(options.timeout * 1000)))),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "warehouse"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        lock.withLock { self.group = group }
        defer {
            state.writer.stop()
            let writer = state.writer
            logger.info("\(writer.pieces) writing requests committed in \(writer.groups) transactions")
        }
        try await group.run()
    }

    /// Stops as SIGTERM does: the requests in flight finish first.
    public func shutdown() async {
        let group = lock.withLock { self.group }
        await group?.triggerGracefulShutdown()
    }
}

/// Every request's way: the endpoint by path and method (404, 405 otherwise),
/// any error as `{"error": …}`, and one log line.
struct Routes: HTTPResponder {
    typealias Context = BasicRequestContext
    let state: ServerState
    let logger: Logger

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let started = Date()
        let answer: Answer
        do {
            answer = try await route(request, started: started)
        } catch {
            answer = .error(ServerError(for: error))
        }
        let ms = Date().timeIntervalSince(started) * 1000
        logger.info("\(request.method.rawValue) \(request.uri.path) \(answer.response.status.code) \(String(format: "%.1f", ms)) ms\(answer.records.map { " \($0) record\($0 == 1 ? "" : "s")" } ?? "")")
        return answer.response
    }

    private func route(_ request: Request, started: Date) async throws -> Answer {
        let path = request.uri.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        func only(_ method: HTTPRequest.Method) throws {
            guard request.method == method else {
                throw ServerError(.methodNotAllowed, "\(path) takes \(method.rawValue), not \(request.method.rawValue)", headers: [.allow: method.rawValue])
            }
        }
        let reports = ReportRoutes(server: state)
        switch parts {
        case ["healthz"]:
            try only(.get)
            // `ok` first, for checks that read only that; then what answers.
            return .text(.ok, "ok\n\(Version.description)\n", contentType: "text/plain; charset=utf-8")
        case [""], ["dashboard"]:
            try only(.get)
            return try await reports.dashboard(request)
        case ["reports"]:
            try only(.get)
            return try await reports.list(request)
        case let p where p.count == 2 && p[0] == "reports" && !p[1].isEmpty:
            try only(.get)
            return try await reports.report(p[1], request)
        case let p where p.count == 2 && p[0] == "ingest" && !p[1].isEmpty:
            try only(.post)
            return try await IngestRoute(server: state).handle(kind: p[1], request, started: started)
        case ["webhooks", "respond-io"]:
            try only(.post)
            return try await WebhookRoute(server: state).handle(request, started: started)
        default:
            throw ServerError.notFound(path)
        }
    }
}
