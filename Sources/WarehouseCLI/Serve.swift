import ArgumentParser
import Foundation
import Logging
import WarehouseCore
import WarehouseServer

extension WarehouseCommand {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the warehouse over HTTP: respond.io workflows and webhooks write to it, spreadsheets read reports from it.",
            discussion: """
                POST /ingest/KIND (JSON or CSV records, an ingest token), POST /webhooks/respond-io (signed events), \
                GET /reports and /reports/NAME (csv or json, a read token by header or ?token=), GET / (the dashboard), \
                GET /healthz. Tokens: `warehouse auth`. Each request writes one line to standard error. SIGTERM or \
                SIGINT (Ctrl-C) finish the requests in flight, then stop. Put it behind a TLS proxy to reach it from \
                respond.io (docs/server.md).
                """
        )

        @OptionGroup var database: DatabaseOptions
        @Option(help: ArgumentHelp("The address to listen on.", valueName: "address")) var host = "127.0.0.1"
        @Option(help: ArgumentHelp("The port to listen on (0: any free port).", valueName: "port")) var port = 8080
        @Option(name: .customLong("max-body"), help: ArgumentHelp("The largest request body accepted, in bytes (larger: 413).", valueName: "bytes"))
        var maxBody = 10 << 20
        @Option(name: .customLong("max-webhook-body"), help: ArgumentHelp("The largest webhook event accepted, in bytes (respond.io's are a few kB; larger: 413).", valueName: "bytes"))
        var maxWebhookBody = 256 << 10
        @Option(name: .customLong("max-body-in-flight"), help: ArgumentHelp("Request body bytes read at once across all requests (beyond: 503 with Retry-After).", valueName: "bytes"))
        var maxBodyInFlight = 64 << 20
        @Option(help: ArgumentHelp("Seconds a connection may be idle, a body take to arrive, or a client take no more of a long report, before it is cut off.", valueName: "seconds"))
        var timeout: Double = 30
        @OptionGroup var queries: QueryOptions

        func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535, not \(port).") }
            guard maxBody > 0 else { throw ValidationError("--max-body takes a number of bytes above 0, not \(maxBody).") }
            guard maxWebhookBody > 0 else { throw ValidationError("--max-webhook-body takes a number of bytes above 0, not \(maxWebhookBody).") }
            guard maxBodyInFlight >= maxBody else { throw ValidationError("--max-body-in-flight takes at least --max-body (\(maxBody)) bytes, not \(maxBodyInFlight).") }
            guard timeout > 0, timeout <= 86_400 else { throw ValidationError("--timeout takes a number of seconds above 0 and at most 86400 (a day), not \(timeout).") }
        }

        func run() throws {
            LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
            let served: ServedWarehouse = try database.postgres().map { .postgres($0) } ?? .file(database.path)
            var options = ServerOptions(served)
            (options.host, options.port, options.maxBody, options.timeout, options.queries) = (host, port, maxBody, timeout, queries.queries)
            (options.maxWebhookBody, options.maxBodyInFlight) = (maxWebhookBody, maxBodyInFlight)
            let server = try WarehouseServer(options: options)
            let done = DispatchSemaphore(value: 0)
            let failure = FailureBox()
            let (host, path) = (self.host, try database.postgres()?.description ?? database.path)
            Task {
                do {
                    try await server.run { port in
                        Terminal.printError("warehouse serve: \(path) on http://\(host):\(port) (SIGTERM or Ctrl-C stops it)")
                    }
                } catch {
                    failure.error = error
                }
                done.signal()
            }
            done.wait()
            if let error = failure.error { throw WarehouseError("serve: \(error)") }
            Terminal.printError("warehouse serve: stopped; every answered request is stored.")
        }
    }
}

private final class FailureBox: @unchecked Sendable {
    var error: Error?
}
