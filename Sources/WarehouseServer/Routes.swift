import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import WarehouseCore

/// Every endpoint of SPEC 6, by path and method, each added to the group of
/// the scope that may call it: the group's authenticator runs before any of
/// its routes, so a route cannot be reached without the token its scope
/// needs. A path asked with another method is `405` with `Allow` (before any
/// token is asked for); `HEAD` is `GET` without its body.
enum Routes {
    /// The endpoints and the one method each takes.
    static let endpoints: [(path: RouterPath, method: HTTPRequest.Method)] = [
        ("healthz", .get), ("/", .get), ("dashboard", .get), ("reports", .get), ("reports/{name}", .get),
        ("ingest/{kind}", .post), ("webhooks/respond-io", .post),
    ]

    static func router(_ state: ServerState, logger: Logger) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self, options: [.autoGenerateHeadEndpoints])
        router.add(middleware: RequestLog(logger: logger))
        for (path, method) in endpoints {
            for other in [HTTPRequest.Method.get, .post, .put, .delete, .patch, .options] where other != method {
                router.on(path, method: other) { request, _ -> Response in
                    throw ServerError(.methodNotAllowed, "\(request.uri.path) takes \(method.rawValue), not \(request.method.rawValue)",
                                      headers: [.allow: method.rawValue])
                }
            }
        }

        router.get("healthz") { _, _ in
            // Whether the warehouse answered the last reading of the tokens (half a second
            // ago at most): a load balancer sends no request to a server whose database is gone.
            if let failure = state.tokens.unanswered {
                throw ServerError.unavailable("the warehouse does not answer: \(failure)")
            }
            // `ok` first, for checks that read only that; then what answers.
            return Answer.text(.ok, "ok\n\(Version.description)\n", contentType: "text/plain; charset=utf-8").response
        }

        let reports = ReportRoutes(server: state, logger: logger)
        let read = router.group().add(middleware: TokenAuthenticator(scope: .read, tokens: state.tokens))
        read.get("/") { request, _ in try await reports.dashboard(request).response }
        read.get("dashboard") { request, _ in try await reports.dashboard(request).response }
        read.get("reports") { request, _ in try await reports.list(request).response }
        read.get("reports/{name}") { request, context in try await reports.report(context.parameters.require("name"), request, channel: context.channel).response }

        let ingest = router.group("ingest").add(middleware: TokenAuthenticator(scope: .ingest, tokens: state.tokens))
        ingest.post("{kind}") { request, context in
            try await IngestRoute(server: state).handle(kind: context.parameters.require("kind"), request, started: context.started)
                .counted(in: context)
        }

        let webhooks = router.group("webhooks").add(middleware: WebhookAuthenticator(tokens: state.tokens))
        webhooks.post("respond-io") { request, context in
            try await WebhookRoute(server: state).handle(request, started: context.started).counted(in: context)
        }
        return router
    }
}

/// A request's context: when it came, and how many records it carried, for the log line.
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let started = Date()
    let records = RecordCount()
    /// The connection, to stop reading from it when the answer ends it.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// The records a request carried (ingest, webhooks); nil for the others.
final class RecordCount: @unchecked Sendable {
    // Safe: set once by the request's handler, read after it by the log middleware, under the lock.
    private let lock = NSLock()
    private var stored: Int?
    var value: Int? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

extension Answer {
    /// The response, with the records it carried noted for the log line.
    func counted(in context: ServerContext) -> Response {
        context.records.value = records
        return response
    }
}

/// One log line per request (method, path, status, milliseconds, records),
/// and every error as `{"error": …}` by its kind (`ServerError(for:)`); a
/// path no route has is `404` naming it. Every answer says not to sniff its
/// type, send no referrer and be framed by no page.
struct RequestLog: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger

    static let securityHeaders: HTTPFields = [
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "no-referrer",
    ]

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            response = Answer.error(.notFound(request.uri.path)).response
        } catch {
            let answer = ServerError(for: error)
            // An unexpected error's text is for the log, not the client.
            if let detail = answer.detail { logger.error("\(request.method.rawValue) \(request.uri.path): \(detail)") }
            response = Answer.error(answer).response
        }
        response.headers.append(contentsOf: Self.securityHeaders)
        if response.headers[.connection] == "close" {
            // The rest of the body is not wanted (413, 503, 408): a second after the
            // answer is written the connection is closed, instead of when its client stops
            // sending. Not at once: closing with the client's bytes unread resets the
            // connection, and a reset can reach the client before it has read the answer.
            let (answer, channel) = (response.body, context.channel)
            response.body = ResponseBody(contentLength: answer.contentLength) { writer in
                try await answer.write(writer)
                channel.eventLoop.scheduleTask(in: .seconds(1)) { channel.close(promise: nil) }
            }
        }
        let ms = Date().timeIntervalSince(context.started) * 1000
        let records = context.records.value.map { " \($0) record\($0 == 1 ? "" : "s")" } ?? ""
        logger.info("\(request.method.rawValue) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", ms)) ms\(records)")
        return response
    }
}

/// Lets a request on only with a stored token of `scope`
/// (`Authorization: Bearer …`, else `?token=…`): `401` without one or with
/// one that is not stored, `403` for a token of the other scope.
struct TokenAuthenticator: RouterMiddleware {
    typealias Context = ServerContext
    let scope: TokenScope
    let tokens: TokenCache

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        var token: String?
        var inURL = false
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw ServerError(.unauthorized, "the Authorization header is not 'Bearer TOKEN'", headers: [.wwwAuthenticate: "Bearer"])
            }
            token = parts[1].trimmingCharacters(in: .whitespaces)
        } else {
            token = try request.queryItems().first { $0.name == "token" }?.value
            inURL = token != nil
        }
        guard let token, !token.isEmpty else {
            throw ServerError(.unauthorized, "a token is needed: Authorization: Bearer TOKEN (or ?token=TOKEN); make one with `warehouse auth add-token --scope \(scope.rawValue)`",
                              headers: [.wwwAuthenticate: "Bearer"])
        }
        guard let entry = try tokens.entry(for: token) else {
            throw ServerError(.unauthorized, "the token is not one of this warehouse's (revoked, or mistyped)", headers: [.wwwAuthenticate: "Bearer"])
        }
        // `?token=` is for read tokens (a spreadsheet function cannot send headers): a
        // write token in a URL would land in proxy logs and browser histories.
        guard !inURL || entry.scope == .read else {
            throw ServerError(.unauthorized, "an ingest token is never taken from the URL: send it as Authorization: Bearer TOKEN (and revoke this one with `warehouse auth revoke`: it may be in a log now)",
                              headers: [.wwwAuthenticate: "Bearer"])
        }
        guard entry.scope == scope else {
            throw ServerError(.forbidden, "this needs a token of scope \(scope.rawValue), and this token's scope is \(entry.scope.rawValue)")
        }
        return try await next(request, context)
    }
}

/// Lets a webhook on only when a signing key is set and the request carries
/// `X-Webhook-Signature`, before a byte of its body is read (`401`); the
/// signature itself is checked against the raw body by `WebhookRoute`.
struct WebhookAuthenticator: RouterMiddleware {
    typealias Context = ServerContext
    static let signatureHeader = HTTPField.Name("X-Webhook-Signature")!
    let tokens: TokenCache

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        guard try tokens.webhookKey() != nil else {
            throw ServerError(.unauthorized, "no webhook signing key is set: copy it from respond.io (Settings > Integrations > Webhooks) and run `warehouse auth set-webhook-key -` (it reads the key from standard input)")
        }
        guard request.headers[Self.signatureHeader] != nil else {
            throw ServerError(.unauthorized, "no X-Webhook-Signature header: respond.io signs each event; nothing was stored")
        }
        return try await next(request, context)
    }
}
