import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// Group commit, a kill in the middle of a stream, SIGTERM, slow clients.
@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct DurabilityTests {
    @Test func concurrentRequestsShareCommitsAndEachFailsAlone() async throws {
        let h = try await Harness()
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<48 {
                group.addTask {
                    // Every eighth request is refused at the writer (a CSV body without its kind's required column).
                    if i % 8 == 7 {
                        return (i, try await h.ingest("messages", "Message ID,Sender Type\nm\(i),contact\n", type: "text/csv").status)
                    }
                    return (i, try await h.ingest("conversations", conversationJSON(id: "c\(i)", contact: "\(700 + i)")).status)
                }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.values.filter { $0 == 200 }.count == 42)
        #expect(answers.filter { $0.key % 8 == 7 }.allSatisfy { $0.value == 400 })
        #expect(try h.count("SELECT count(*) FROM fact_conversation") == 42)
        #expect(try h.count("SELECT count(*) FROM load_log WHERE kind = 'messages'") == 0)
        // Fewer commits than requests: they were grouped.
        let writer = h.server.state.writer
        #expect(writer.pieces == 48)
        #expect(writer.groups < 48)
        try await h.stop()
    }

    /// Requests of one kind in one group are loaded as one unit; each answer
    /// still counts its own records, and each reject names its request and
    /// its own index there.
    @Test func requestsLoadedTogetherKeepTheirOwnAnswersAndRejects() async throws {
        let h = try await Harness()
        let answers = try await withThrowingTaskGroup(of: (Int, [String: Any]).self) { group in
            for i in 0..<32 {
                group.addTask {
                    // Three records: a new one, one that repeats the first, and a bad one at index 2.
                    let body = "[" + conversationJSON(id: "g\(i)", contact: "\(900 + i)") + ","
                        + conversationJSON(id: "g\(i)", contact: "\(900 + i)") + ","
                        + conversationJSON(id: "bad\(i)", started: "2025-13-40 99:00:00") + "]"
                    return (i, try await h.ingest("conversations", body).json)
                }
            }
            return try await group.reduce(into: [Int: [String: Any]]()) { $0[$1.0] = $1.1 }
        }
        for (_, answer) in answers {
            #expect(answer["received"] as? Int == 3)
            #expect(answer["inserted"] as? Int == 1)
            #expect(answer["unchanged"] as? Int == 1)
            let rejected = answer["rejected"] as? [[String: Any]] ?? []
            #expect(rejected.count == 1 && rejected.first?["index"] as? Int == 2)
        }
        #expect(try h.count("SELECT count(*) FROM fact_conversation WHERE conversation_id GLOB 'g*'") == 32)
        // The rejects table names each request, with the index in its own body.
        #expect(try h.count("SELECT count(DISTINCT file_name) FROM rejected_rows") == 32)
        #expect(try h.count("SELECT count(*) FROM rejected_rows WHERE line = 2") == 32)
        // Fewer load units than requests: they were loaded together.
        #expect(try h.count("SELECT count(*) FROM load_log WHERE kind = 'conversations'") < 32)
        try await h.stop()
    }

    /// `warehouse serve` killed (SIGKILL) while clients post: every record of
    /// an answered request is there, none of a refused one, and the file is whole.
    @Test func aKillMidStreamKeepsEveryAcknowledgedRecord() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.db").path
        let token = try Tokens.add(scope: .ingest, name: "w", in: Warehouse.openForWriting(path: path)).token
        let serve = try ServeProcess(path: path)
        let h = try HarnessClient(port: serve.port, token: token)

        let acknowledged = Locked<[String]>([]), refused = Locked<[String]>([])
        let killed = Locked(false)
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for n in 0..<400 {
                        if killed.value { return }
                        let id = "k\(client)-\(n)"
                        // Every fifth request is malformed: refused, and must leave nothing.
                        let body = n % 5 == 4 ? String(conversationJSON(id: id).dropLast(5)) : conversationJSON(id: id, contact: "9\(client)\(n)")
                        guard let status = try? await h.ingest(body) else { return }
                        if status == 200 { acknowledged.update { $0.append(id) } } else { refused.update { $0.append(id) } }
                    }
                }
            }
            group.addTask {
                while acknowledged.value.count < 150 && serve.process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
                killed.update { $0 = true }
                serve.signal(SIGKILL)
            }
        }
        #expect(serve.wait() == SIGKILL)
        #expect(acknowledged.value.count >= 150)
        #expect(refused.value.count > 0)
        let db = try Warehouse.openForWriting(path: path).db
        #expect(try db.scalar("PRAGMA integrity_check")?.string == "ok")
        let stored = Set(try db.rows("SELECT conversation_id FROM fact_conversation").compactMap { $0[0].string })
        let missing = acknowledged.value.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "acknowledged but not stored: \(missing.prefix(5))")
        #expect(refused.value.allSatisfy { !stored.contains($0) })
    }

    @Test func sigtermFinishesTheRequestsInFlightAndExitsZero() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("w.db").path
        let token = try Tokens.add(scope: .ingest, name: "w", in: Warehouse.openForWriting(path: path)).token
        let serve = try ServeProcess(path: path)
        let h = try HarnessClient(port: serve.port, token: token)
        let acknowledged = Locked<[String]>([])
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<4 {
                group.addTask {
                    for n in 0..<200 {
                        let id = "t\(client)-\(n)"
                        guard let status = try? await h.ingest(conversationJSON(id: id, contact: "8\(client)\(n)")) else { return }
                        if status == 200 { acknowledged.update { $0.append(id) } } else { return }
                    }
                }
            }
            group.addTask {
                while acknowledged.value.count < 40 && serve.process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
                serve.signal(SIGTERM)
            }
        }
        #expect(serve.wait() == 0, "\(serve.stderr)")
        #expect(serve.stderr.contains("stopped"))
        #expect(!serve.stderr.contains("Fatal error"))
        let stored = Set(try Warehouse.openForWriting(path: path).db.rows("SELECT conversation_id FROM fact_conversation").compactMap { $0[0].string })
        #expect(acknowledged.value.count >= 40)
        #expect(acknowledged.value.allSatisfy { stored.contains($0) })
        // One log line per request on standard error.
        #expect(serve.stderr.contains("POST /ingest/conversations 200 "))
    }

    @Test func aClientThatSendsSlowlyIsCutOff() async throws {
        let h = try await Harness(timeout: 1)
        let started = Date()
        // Headers promising a body, then one byte, then nothing.
        let answer = try RawSocket.exchange(port: h.port, send: [
            "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{",
        ], pause: 0, waitAtMost: 10)
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed < 8, "the connection stayed open \(elapsed) s")
        // Cut off by the timeout: a 408, or the connection closed once it was idle for the
        // timeout (1 s). An empty answer sooner is a connection dropped at once, not cut off.
        #expect(answer.hasPrefix("HTTP/1.1 408") || (answer.isEmpty && elapsed >= 0.9), "after \(elapsed) s: '\(answer)'")
        // A body dribbled a byte at a time is cut off at its deadline too.
        let dribbleStarted = Date()
        let dribble = try RawSocket.exchange(port: h.port, send: [
            "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n",
        ] + Array(repeating: " ", count: 40), pause: 0.1, waitAtMost: 10)
        let dribbleElapsed = Date().timeIntervalSince(dribbleStarted)
        // Cut off: answered 408 at the body's deadline, or closed (on a machine so busy that a
        // pause between two bytes outlasted the idle timeout), either after the 1 s; never a 200, never a hang.
        #expect(dribble.hasPrefix("HTTP/1.1 408") || dribble.isEmpty, "\(dribble)")
        #expect(dribbleElapsed >= 0.9, "cut off after \(dribbleElapsed) s, before its deadline: '\(dribble)'")
        #expect(!dribble.contains("200 OK"))
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        #expect(try await h.get("/healthz").status == 200)
        try await h.stop()
    }
}

/// A thread-safe value.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }
    func update(_ change: (inout Value) -> Void) { lock.lock(); change(&stored); lock.unlock() }
}

/// Posts to a server started as a process.
struct HarnessClient: Sendable {
    let port: Int
    let token: String
    init(port: Int, token: String) throws { (self.port, self.token) = (port, token) }

    /// The answer's status.
    func ingest(_ body: String) async throws -> Int { try await ingestAnswer(body).status }

    /// The answer's status, its `inserted` count and its `Retry-After`.
    func ingestAnswer(_ body: String) async throws -> (status: Int, inserted: Int, retryAfter: String?) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/ingest/conversations")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await Harness.client.execute(request, timeout: .seconds(20))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
        return (Int(response.status.code), json?["inserted"] as? Int ?? 0, response.headers["Retry-After"].first)
    }

    /// `GET /healthz`'s status.
    func health() async throws -> Int {
        let response = try await Harness.client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(20))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }
}

/// A plain TCP client, to send a request as slowly as a test needs.
enum RawSocket {
    /// A socket connected to the loopback `port`; the caller closes it.
    /// `receiveBuffer`: its receive buffer's size, set before it connects (the
    /// window the server may fill while the client reads nothing).
    static func connected(port: Int, receiveBuffer: Int32? = nil) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw WarehouseError("socket failed") }
        if var size = receiveBuffer { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size)) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw WarehouseError("connect failed")
        }
        return fd
    }

    /// Sends the pieces `pause` seconds apart, then reads until the server
    /// closes the connection or `waitAtMost` seconds pass; what it answered.
    static func exchange(port: Int, send pieces: [String], pause: Double, waitAtMost: Double) throws -> String {
        let fd = try connected(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(waitAtMost), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        for piece in pieces {
            let sent = piece.utf8CString.withUnsafeBufferPointer { Foundation.send(fd, $0.baseAddress, piece.utf8.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { break }
            if pause > 0 { usleep(UInt32(pause * 1_000_000)) }
        }
        var answer = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(waitAtMost)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            // EINTR: a signal (another test's child ending) interrupted the read; read on.
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}
