import AsyncHTTPClient
import Foundation
import TestSupport
import Logging
import NIOCore
import Testing
import NIOHTTP1
import WarehouseCore
import WarehousePostgres
@testable import WarehouseServer

/// The store a test's server serves: a warehouse file, or a schema of the test
/// PostgreSQL server (when it runs: `TestPostgresServer.enabled`).
enum ServedStoreKind: String, CustomTestStringConvertible, Sendable {
    /// `citus`: a PostgreSQL warehouse distributed over a Citus cluster.
    case file, postgres, citus
    static var all: [ServedStoreKind] {
        guard TestPostgresServer.enabled else { return [.file] }
        return TestCitusCluster.installed ? [.file, .postgres, .citus] : [.file, .postgres]
    }
    var testDescription: String { rawValue }
}

/// The new warehouse a harness's `prepare` fills before its server opens it.
struct PreparedWarehouse {
    let store: any WritableStore
    let loader: () throws -> Loader
}

/// A reading connection of a test's own, on either store.
struct HarnessDB {
    let store: any ReportStore
    func rows(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] { try store.rows(sql, arguments) }
    func int64(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64 { try rows(sql, arguments).first?.first?.int64 ?? 0 }
    func int(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? { try rows(sql, arguments).first?.first?.int64 }
    func text(_ sql: String, _ arguments: [SQLValue] = []) throws -> String? { try rows(sql, arguments).first?.first?.string }
}

/// One real server per test, on a free loopback port, over a warehouse in a
/// fresh temporary folder, with an ingest and a read token and the sample
/// webhooks' signing key; requests go through a real HTTP client.
final class Harness: @unchecked Sendable {
    let folder: URL
    /// The warehouse file's path (a file's harness).
    let path: String
    /// What `--db` takes for the served warehouse: the file's path, or the URL of its schema.
    let db: String
    let served: ServedWarehouse
    let server: WarehouseServer
    let port: Int
    let ingestToken: String
    let readToken: String
    let log = LogLines()
    private let task: Task<Void, Error>

    /// One client for every test (they run in parallel): connections enough for the
    /// concurrent cases, and waits long enough for a machine busy with the whole suite.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(60), read: .seconds(60)))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The sample webhook bodies (`Tests/Fixtures/webhooks`).
    static var webhooks: URL { Repository.webhooks }

    /// The conformance fixtures' exports (`Tests/Fixtures/small/exports`).
    static var exports: URL { Repository.sampleExports }

    /// `prepare` runs on the new warehouse before the server opens it.
    init(_ store: ServedStoreKind = .file, timeZone: String = "UTC", maxBody: Int = 10 << 20, timeout: Double = 30,
         configure: (inout ServerOptions) -> Void = { _ in }, prepare: (PreparedWarehouse) throws -> Void = { _ in }) async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("w.db").path
        func fill(_ made: any WritableStore) throws -> (ingest: String, read: String) {
            let tokens = (try Tokens.add(scope: .ingest, name: "workflow", in: made).token, try Tokens.add(scope: .read, name: "sheets", in: made).token)
            try Tokens.setWebhookKey(try Self.signingKey(), in: made)
            return tokens
        }
        switch store {
        case .file:
            let warehouse = try Warehouse.openForWriting(path: path, timeZone: timeZone)
            try prepare(PreparedWarehouse(store: warehouse, loader: { try Loader(warehouse: warehouse) }))
            (ingestToken, readToken) = try fill(warehouse)
            (db, served) = (path, .file(path))
        case .postgres, .citus:
            let schema = "serve_" + UUID().uuidString.prefix(8).lowercased()
            let url = try TestCitusCluster.url(schema: schema, citus: store == .citus)
            let location = try PostgresLocation(url: url)
            let warehouse = try PostgresWarehouse.openForWriting(location, timeZone: timeZone)
            defer { warehouse.close() }
            try prepare(PreparedWarehouse(store: warehouse, loader: { try warehouse.loader() }))
            (ingestToken, readToken) = try fill(warehouse)
            (db, served) = (url, .postgres(location))
        }
        var options = ServerOptions(served)
        (options.port, options.maxBody, options.timeout) = (0, maxBody, timeout)
        configure(&options)
        let log = self.log
        server = try WarehouseServer(options: options, logger: Logger(label: "test") { _ in log })
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let server = self.server
        task = Task { try await server.run { portContinuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw WarehouseError("the server did not start") }
        self.port = port
    }

    /// Stops the server (as SIGTERM does) and waits for it.
    func stop() async throws {
        await server.shutdown()
        try await task.value
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The key the sample webhook bodies are signed with.
    static func signingKey() throws -> String {
        try Repository.text(webhooks.appendingPathComponent("signing-key.txt")).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: String
        var bytes: [UInt8] { Array(body.utf8) }

        /// The body as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
        var error: String { json["error"] as? String ?? "" }
    }

    func request(_ method: HTTPMethod, _ target: String, body: [UInt8]? = nil, headers: [(String, String)] = []) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    func get(_ target: String, token: String? = nil) async throws -> Answer {
        try await request(.GET, target, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    func post(_ target: String, _ body: String, type: String = "application/json", token: String?) async throws -> Answer {
        var headers = [("Content-Type", type)]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return try await request(.POST, target, body: Array(body.utf8), headers: headers)
    }

    func ingest(_ kind: String, _ body: String, type: String = "application/json") async throws -> Answer {
        try await post("/ingest/\(kind)", body, type: type, token: ingestToken)
    }

    /// A body sent in pieces without a Content-Length (chunked transfer encoding).
    func postChunked(_ target: String, _ chunks: [[UInt8]]) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(ingestToken)")
        let pieces = chunks.map { ByteBuffer(bytes: $0) }
        request.body = .stream(pieces.async, length: .unknown)
        let response = try await Self.client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// A sample webhook body and its signature.
    static func webhook(_ name: String) throws -> (body: [UInt8], signature: String) {
        let body = try Repository.data(webhooks.appendingPathComponent(name))
        let signature = try Repository.text(webhooks.appendingPathComponent(name + ".signature"))
        return (Array(body), signature.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func postWebhook(_ body: [UInt8], signature: String?) async throws -> Answer {
        var headers = [("Content-Type", "application/json")]
        if let signature { headers.append(("X-Webhook-Signature", signature)) }
        return try await request(.POST, "/webhooks/respond-io", body: body, headers: headers)
    }

    /// A reading connection of the test's own, opened once.
    func read() throws -> HarnessDB {
        readerLock.lock(); defer { readerLock.unlock() }
        if let reader { return reader }
        let opened = HarnessDB(store: try served.openReader())
        reader = opened
        return opened
    }
    private let readerLock = NSLock()
    private var reader: HarnessDB?

    /// The same warehouse opened for writing, as another process would (`warehouse auth`, a load).
    func writable() throws -> any WritableStore {
        switch served {
        case .file(let path): try Warehouse.openForWriting(path: path)
        case .postgres(let location): try PostgresWarehouse.openForWriting(location)
        }
    }

    /// Loads an export file into the warehouse as `warehouse load` in another process would.
    func load(_ file: String) throws -> LoadSummary {
        switch served {
        case .file(let path): return try Loader(warehouse: Warehouse.openForWriting(path: path)).load(path: file)
        case .postgres(let location):
            let warehouse = try PostgresWarehouse.openForWriting(location)
            defer { warehouse.close() }
            return try warehouse.loader().load(path: file)
        }
    }

    func count(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64 { try read().int64(sql, arguments) }
}

/// The server's log lines, kept for the test to read.
final class LogLines: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var kept: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    var lines: [String] { lock.lock(); defer { lock.unlock() }; return kept }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lock.lock(); kept.append("\(message)"); lock.unlock()
    }
}

/// A conversation record of the export's current form, as JSON.
func conversationJSON(id: String, contact: String = "5550001", started: String = "2025-03-11 09:00:00",
                      resolved: String = "2025-03-11 10:00:00", extra: String = "") -> String {
    """
    {"Conversation ID": "\(id)", "DateTime Conversation Started": "\(started)", "DateTime Conversation Resolved": "\(resolved)", \
    "Contact ID": "\(contact)", "Assignee": "42", "Closed By": "42", "Conversation Category": "Billing", \
    "Number of Outgoing Messages": 3, "Number of Incoming Messages": "4", "First Response Time": "00:01:05", \
    "Resolution Time": "01:00:00", "Closed By Team": "Support"\(extra)}
    """
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}

import Crypto

enum HMACSign {
    static func base64(_ body: [UInt8], key: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8)))).base64EncodedString()
    }
}

/// The built `warehouse` binary, run as a user would.
enum Binary {
    static var url: URL { Repository.binary }

    /// Runs it to the end: status, standard output, standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: [UInt8], stderr: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "WAREHOUSE_DB")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, Array(outData), String(decoding: errData, as: UTF8.self))
    }
}

/// `warehouse serve` as a process of its own (for the kill and signal cases):
/// started on a free port, which it names on standard error.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let errors = Pipe()
    private let lock = NSLock()
    private var stderrText = ""

    /// `command`: what starts the binary, ending with its path (`unshare -m … warehouse`), instead of the binary itself.
    init(path: String, extra: [String] = [], command: [String] = []) throws {
        process.executableURL = command.first.map { URL(fileURLWithPath: $0) } ?? Binary.url
        process.arguments = Array(command.dropFirst()) + ["serve", "--db", path, "--port", "0"] + extra
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        let deadline = Date().addingTimeInterval(30)
        var found: Int?
        let handle = errors.fileHandleForReading
        var text = ""
        while found == nil, Date() < deadline {
            let data = handle.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "http://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if text[range.upperBound...].dropFirst(digits.count).first != nil { found = Int(digits) }
            }
        }
        guard let found else { process.terminate(); throw WarehouseError("warehouse serve did not start: \(text)") }
        port = found
        stderrText = text
        // Keep reading standard error, so the server never blocks on a full pipe.
        handle.readabilityHandler = { [weak self] h in
            let data = h.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.stderrText += String(decoding: data, as: UTF8.self); self.lock.unlock()
        }
    }

    var stderr: String { lock.lock(); defer { lock.unlock() }; return stderrText }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end (at most `seconds`); its status, or nil.
    func wait(seconds: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }
}

extension Database {
    func int(_ sql: String, _ arguments: [SQLValue] = []) throws -> Int64? { try scalar(sql, arguments)?.int64 }
    func text(_ sql: String, _ arguments: [SQLValue] = []) throws -> String? { try scalar(sql, arguments)?.string }
}
