import Foundation
import Hummingbird
import Logging
import NIOCore
import WarehouseCore
import WarehouseDashboard

/// `GET /reports`, `GET /reports/{name}` and the dashboard (`GET /`,
/// `GET /dashboard`): the library's reports, run by the code `warehouse
/// report` and `warehouse dashboard` run, so an answer is byte for byte what
/// the command prints for the same parameters (csv by default, as
/// `--spreadsheet-safe` writes it unless `raw=1`; or json). The
/// query's values are the command's options (`group-by` is `--group-by`),
/// checked by the same code with the same messages (400); they reach SQL only
/// as bound values. Each runs on a reading connection of its own, away from
/// the server's event loops; a long report is sent as its client takes it
/// (`ReportStream`).
struct ReportRoutes {
    let server: ServerState
    let logger: Logger

    func library() -> ReportLibrary {
        ReportLibrary(directories: server.options.warehouse.reportDirectories(extra: server.options.queries))
    }

    /// The library as `warehouse reports --format json` prints it.
    func list(_ request: Request) async throws -> Answer {
        let query = try request.queryItems()
        if let other = query.first(where: { $0.name != "token" }) {
            throw ServerError.badRequest("GET /reports takes no parameter but token, not \(other.name)")
        }
        let library = library()
        let rows = library.reports.map { report -> [SQLValue] in
            [.text(report.name), .text(report.description),
             .text(report.parameters.map { "--" + $0.rawValue }.joined(separator: " ")),
             // A user's report by its file's name: where the server's files are is not the client's business.
             .text(report.isBuiltIn ? "built-in" : URL(fileURLWithPath: report.source).lastPathComponent)]
        }
        let json = ResultFormatter(format: .json).render(ResultTable(columns: ["name", "description", "parameters", "source"], rows: rows))
        return .text(.ok, json, contentType: "application/json; charset=utf-8")
    }

    func report(_ name: String, _ request: Request, channel: any Channel) async throws -> Answer {
        var arguments = ReportArguments()
        var format = OutputFormat.csv
        var raw = false
        for (key, value) in try request.queryItems() {
            switch key {
            case "token": continue
            case "format":
                guard value == "csv" || value == "json" else { throw ServerError.badRequest("format takes csv or json, not '\(value)'") }
                format = value == "csv" ? .csv : .json
            case "raw":
                // csv is spreadsheet-safe unless raw=1 (`ResultFormatter.spreadsheetSafe`).
                guard value == "1" || value == "0" else { throw ServerError.badRequest("raw takes 1 (csv as it is stored) or 0 (spreadsheet-safe csv, the default), not '\(value)'") }
                raw = value == "1"
            default:
                guard let parameter = ReportParameter(rawValue: key) else {
                    throw ServerError.badRequest("unknown parameter \(key): a report takes \(ReportParameter.allCases.map(\.rawValue).joined(separator: ", ")), format, raw and token (each report lists its own: GET /reports)")
                }
                // A field left empty (a spreadsheet's or a form's) is not given; a flag alone (`&business-hours`) is on.
                if value.isEmpty && parameter.spec.kind != .flag { continue }
                try arguments.set(parameter, value)  // a bad value: 400 with the table's words
            }
        }
        let library = library()
        let report: Report
        do { report = try library.report(named: name) } catch { throw ServerError(.notFound, "\(error)") }
        let stream = try await ReportStream.start(report, arguments, ResultFormatter(format: format, spreadsheetSafe: !raw), pool: server.readers)
        let type = format == .csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8"
        if request.method == .head { return .length(try await stream.count(), contentType: type) }
        if try await stream.makeAhead() { return .body(ResponseBody(byteBuffer: stream.whole), contentType: type) }
        return .body(stream.body(channel: channel, timeout: server.options.timeoutAmount, logger: logger, path: request.uri.path), contentType: type)
    }

    /// The dashboard page with a form for its period and filters.
    func dashboard(_ request: Request) async throws -> Answer {
        var arguments = ReportArguments()
        var token: String?
        for (key, value) in try request.queryItems() {
            if key == "token" { token = value; continue }
            guard let parameter = ReportParameter(rawValue: key), WarehouseDashboard.Dashboard.parameters.contains(parameter) else {
                throw ServerError.badRequest("unknown parameter \(key): the dashboard takes \(WarehouseDashboard.Dashboard.parameters.map(\.rawValue).joined(separator: ", ")) and token")
            }
            if value.isEmpty && parameter.spec.kind != .flag { continue }
            try arguments.set(parameter, value)  // a bad value: 400 with the table's words
        }
        let form = WarehouseDashboard.Dashboard.ServedForm(path: request.uri.path, token: token)
        let given = arguments
        let page: String = try await server.readers.withReader { warehouse in
            try WarehouseDashboard.Dashboard.page(of: warehouse, given, servedAt: form)
        }
        var extra = HTTPFields()
        extra[.init("Content-Security-Policy")!] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        return .bytes(Array(page.utf8), contentType: "text/html; charset=utf-8", extra: extra)
    }
}

/// Reading connections for reports: one per report running, kept for the next
/// (a few at most). Reports read while the writer writes (the write-ahead log).
/// On PostgreSQL at most `limit` are open at once (a connection is a process on
/// the database server, and `max_connections` is shared by every server and
/// tool): a report beyond them waits for one, `wait` seconds at most, then is
/// answered `503` with `Retry-After`.
// @unchecked Sendable: `idle` and `open` are touched only with `condition` held, and a
// connection taken from it serves one report at a time until it is put back.
final class ReaderPool: @unchecked Sendable {
    private let warehouse: ServedWarehouse
    private let condition = NSCondition()
    private var idle: [any ReportStore] = []
    /// Connections open: idle or serving a report.
    private var open = 0
    private let keep = 4
    private let limit: Int?
    private let wait: Double

    init(_ warehouse: ServedWarehouse, limit: Int? = nil, wait: Double = 10) {
        self.warehouse = warehouse
        if case .postgres = warehouse { self.limit = limit ?? Self.postgresLimit } else { self.limit = limit }
        self.wait = wait
    }

    /// Reading connections one server opens on PostgreSQL at most.
    static let postgresLimit = 16

    /// Runs `body` with a reading connection on a thread of its own (a report
    /// may take seconds; the event loops go on). An error is answered by its
    /// kind (`ServerError(for:)`): a bad parameter or an unknown team is the
    /// client's (400), a busy or failing database the store's (503).
    func withReader<T: Sendable>(_ body: @escaping @Sendable (any ReportStore) throws -> T) async throws -> T {
        try await onReaderThread { [self] in
            let reader = try take()
            do {
                let result = try body(reader)
                put(reader)
                return result
            } catch {
                put(reader, reusable: FailureKind(of: error) != .store)  // the connection may be the trouble
                throw error
            }
        }
    }

    /// Runs `body` on a thread of its own, its error answered by its kind, as `withReader` does.
    func onReaderThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: ServerError(for: error))
                }
            }
        }
    }

    /// An idle reading connection, or a new one (waiting for one when `limit` are
    /// open); the caller puts it back (`put`), whatever becomes of it.
    func take() throws -> any ReportStore {
        let deadline = Date().addingTimeInterval(wait)
        condition.lock()
        while true {
            if let reader = idle.popLast() {
                condition.unlock()
                return reader
            }
            if limit.map({ open < $0 }) ?? true {
                open += 1
                condition.unlock()
                do {
                    return try warehouse.openReader()
                } catch {
                    condition.lock()
                    open -= 1
                    condition.signal()
                    condition.unlock()
                    throw error
                }
            }
            if !condition.wait(until: deadline) {
                condition.unlock()
                throw ServerError.unavailable("all \(limit ?? 0) of this server's reading connections to the warehouse are busy; nothing was read. Send it again later.")
            }
        }
    }

    /// Gives back `reader`: kept for the next report (a few at most), which it
    /// serves alone, when `reusable` (the caller is done with it and its
    /// statements); else closed.
    func put(_ reader: any ReportStore, reusable: Bool = true) {
        condition.lock(); defer { condition.unlock() }
        if reusable && idle.count < keep {
            idle.append(reader)
        } else {
            open -= 1
        }
        condition.signal()
    }
}
