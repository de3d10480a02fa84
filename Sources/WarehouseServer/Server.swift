import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import WarehouseCore

/// How `warehouse serve` runs.
public struct ServerOptions: Sendable {
    public var warehouse: ServedWarehouse
    public var host = "127.0.0.1"
    /// 0: any free port (the one bound is handed to `onRunning`).
    public var port = 8080
    /// The largest request body, in bytes (SPEC 6: 10 MiB by default).
    public var maxBody = 10 << 20
    /// The largest webhook event body, in bytes: respond.io's events are a few kB.
    public var maxWebhookBody = 256 << 10
    /// Request body bytes read at once across all requests; beyond, `503` with `Retry-After`.
    public var maxBodyInFlight = 64 << 20
    /// Seconds a connection may stay idle (no byte of a request coming, no
    /// request) before it is closed, a body may take to arrive, and a client
    /// may take no more of a long report (`ReportStream`).
    public var timeout: Double = 30
    /// `timeout` as NIO counts time, kept between a millisecond and a day (`warehouse serve`
    /// takes no more): a larger number of milliseconds would not fit its count.
    var timeoutAmount: TimeAmount { .milliseconds(Int64((timeout.isNaN ? 30 : min(max(timeout, 0.001), 86_400)) * 1000)) }
    /// Directories of the user's own reports (`warehouse report --queries`).
    public var queries: [String] = []

    public init(_ warehouse: ServedWarehouse) { self.warehouse = warehouse }
    /// A warehouse file's.
    public init(path: String) { self.init(.file(path)) }
}

/// What every request's handling shares: the options, the writer, the
/// tokens, the reading connections.
// @unchecked Sendable: every property is a constant of a thread-safe type, and
// the request counter is touched only with `counter` held.
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
        tokens = TokenCache(options.warehouse)
        readers = ReaderPool(options.warehouse)
        bodyReader = BodyReader(deadline: options.timeout, budget: BodyBudget(limit: max(options.maxBodyInFlight, options.maxBody)))
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
}

/// The live warehouse over HTTP (SPEC 6), on Hummingbird 2: ingest, webhooks,
/// reports and the dashboard, over the same file `warehouse load` fills.
// @unchecked Sendable: `group` is touched only with `lock` held; the rest is constant.
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
        state = ServerState(options: options, writer: try GroupCommitWriter(options.warehouse))
    }

    /// Serves until SIGTERM or SIGINT (or `shutdown()`): then stops taking
    /// connections, finishes the requests in flight (their writes committed),
    /// and returns. `onRunning` gets the port bound.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = application(onRunning: onRunning)
        // Shut down in reverse order: the server finishes the requests in flight, then the writer their writes.
        let group = ServiceGroup(configuration: .init(services: [state.writer, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        lock.withLock { self.group = group }
        defer {
            state.writer.stop()
            state.tokens.stop()
            let writer = state.writer
            logger.info("\(writer.pieces) writing requests committed in \(writer.groups) transactions")
        }
        try await group.run()
    }

    /// The HTTP application: the routes (`Routes`) on an HTTP/1.1 server that
    /// ends an HTTP/1.0 client's connection after its answer (`ConnectionPersistence`).
    /// Tests that need no socket drive it in process (HummingbirdTesting's router test).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let http1 = HTTP1Channel.Configuration(idleTimeout: options.timeoutAmount)
        return Application(
            router: Routes.router(state, logger: logger),
            server: HTTPServerBuilder { responder in HTTP1PersistentChannel(http1: HTTP1Channel(responder: responder, configuration: http1)) },
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "warehouse"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    /// Stops as SIGTERM does: the requests in flight finish first.
    public func shutdown() async {
        let group = lock.withLock { self.group }
        await group?.triggerGracefulShutdown()
    }
}
