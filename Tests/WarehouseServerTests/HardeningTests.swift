import Foundation
import Testing
import WarehouseCore
@testable import WarehouseServer

/// What a client on the network can try: bodies meant to take the server's
/// memory, malformed and stalled requests, a write token in a URL, answers a
/// page could frame or a browser could sniff, file paths in answers.
@Suite struct HardeningTests {
    /// A webhook has a small body limit of its own (respond.io's events are a
    /// few kB), and one without a signature or with no key set is refused
    /// before a byte of its body is read.
    @Test func webhooksHaveTheirOwnSmallLimitAndNeedTheirHeaderFirst() async throws {
        let h = try await Harness { $0.maxWebhookBody = 4096 }
        let big = "{\"event_type\":\"conversation.closed\",\"pad\":\"" + String(repeating: "x", count: 8000) + "\"}"
        let tooLarge = try await h.postWebhook(Array(big.utf8), signature: "c2lnbmF0dXJl")
        #expect(tooLarge.status == 413 && tooLarge.error.contains("--max-webhook-body"), "\(tooLarge.body)")
        // Without the header: 401, though the body it announces never comes.
        let announced = try await RawSocket.answer(port: h.port, send:
            "POST /webhooks/respond-io HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{", waitAtMost: 30)
        #expect(announced.text.hasPrefix("HTTP/1.1 401"), "\(announced.text.prefix(200))")
        try await h.stop()
    }

    /// Bodies being read at once share one budget: past it, 503 with Retry-After, and nothing stored.
    @Test func bodiesInFlightHaveABudget() async throws {
        let h = try await Harness { $0.maxBodyInFlight = 64 << 10; $0.maxBody = 48 << 10 }
        // One client announces 40 kB and stalls; a second's 40 kB do not fit beside it.
        let stalled = Task {
            try await RawSocket.offPool(port: h.port, send: [
                "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nContent-Length: 40000\r\n\r\n[",
            ], pause: 0, waitAtMost: 30)
        }
        // Until the server holds its 40 kB (a busy machine may take a while to get there).
        let budget = h.server.state.bodyReader.budget
        let deadline = Date().addingTimeInterval(30)
        while budget.current < 40_000, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(budget.current >= 40_000)
        var body = "["
        for i in 0..<200 where body.utf8.count < 27_000 { body += (i == 0 ? "" : ",") + conversationJSON(id: "b\(i)", contact: "8\(i)") }
        body += "]"
        #expect(body.utf8.count > 26_000 && body.utf8.count < 48 << 10)
        let second = try await h.ingest("conversations", body)
        #expect(second.status == 503 && second.headers["Retry-After"].first != nil, "\(second.status) \(second.body.prefix(200)) \(h.log.lines)")
        _ = try await stalled.value
        // Once the first has gone, the same request fits.
        #expect(try await h.ingest("conversations", body).status == 200)
        try await h.stop()
    }

    /// A malformed chunk size is the client's (400); a body that stops arriving is 408 in the log;
    /// a 413 closes the connection at once rather than when its client stops sending.
    @Test func brokenRequestsAreTheClientsAndEndTheirConnection() async throws {
        let h = try await Harness(timeout: 20)
        let chunked = try await RawSocket.answer(port: h.port, send:
            "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            waitAtMost: 30)
        #expect(chunked.text.hasPrefix("HTTP/1.1 400"), "\(chunked.ended): \(chunked.text.prefix(200)) \(h.log.lines)")
        let tooLarge = try await RawSocket.answer(port: h.port, send:
            "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nContent-Length: 99999999\r\n\r\n[",
            waitAtMost: 30, untilClosed: true)
        #expect(tooLarge.text.hasPrefix("HTTP/1.1 413"), "\(tooLarge.ended): \(h.log.lines)")
        #expect(tooLarge.closedAfterAnswer.map { $0 < 2.5 } == true,
                "the connection stayed open after the 413 (the idle timeout is 20 s): \(String(describing: tooLarge.closedAfterAnswer))")
        _ = try await RawSocket.offPool(port: h.port, send: [
            "POST /ingest/conversations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(h.ingestToken)\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[{",
        ], pause: 0, waitAtMost: 30)
        try await h.stop()
        #expect(h.log.lines.contains { $0.hasPrefix("POST /ingest/conversations 408 ") }, "\(h.log.lines)")
        #expect(!h.log.lines.contains { $0.contains(" 500 ") }, "\(h.log.lines)")
    }

    /// Every answer says nosniff and no-referrer; the dashboard cannot be framed;
    /// the list of reports names a user's report by its file's name, not its path.
    @Test func answersCarryTheirSafetyHeadersAndNoServerPaths() async throws {
        let queries = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-q-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: queries, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: queries) }
        try Data("-- name: mine\n-- title: Mine\n-- description: one row\nSELECT 1 AS one\n".utf8).write(to: queries.appendingPathComponent("mine.sql"))
        let h = try await Harness { $0.queries = [queries.path] }
        for target in ["/healthz", "/reports?token=\(h.readToken)", "/nothing"] {
            let r = try await h.get(target)
            #expect(r.headers["X-Content-Type-Options"].first == "nosniff" && r.headers["Referrer-Policy"].first == "no-referrer", "\(target)")
        }
        let page = try await h.get("/dashboard", token: h.readToken)
        #expect(page.headers["Content-Security-Policy"].first?.contains("frame-ancestors 'none'") == true)
        let list = try await h.get("/reports", token: h.readToken)
        #expect(list.body.contains("\"mine.sql\"") && !list.body.contains(queries.path), "\(list.body.suffix(300))")
        try await h.stop()
    }
}

extension RawSocket {
    /// `exchange` on a thread of its own: its blocking reads must not hold the
    /// threads the server under test (in this process) answers on.
    static func offPool(port: Int, send pieces: [String], pause: Double, waitAtMost: Double) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(port: port, send: pieces, pause: pause, waitAtMost: waitAtMost) })
            }
        }
    }
}

extension RawSocket {
    /// Sends `request` (on a thread of its own) and reads the first answer
    /// whole (its head and its `Content-Length` of body), however slowly a
    /// busy machine gives it; with `untilClosed`, then waits for the server to
    /// close the connection and says how long after the answer it did.
    static func answer(port: Int, send request: String, waitAtMost: Double, untilClosed: Bool = false) async throws
        -> (text: String, closedAfterAnswer: Double?, ended: String) {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try answerNow(port: port, send: request, waitAtMost: waitAtMost, untilClosed: untilClosed) })
            }
        }
    }

    /// `ended`: how the reading ended, for a failure's message.
    private static func answerNow(port: Int, send request: String, waitAtMost: Double, untilClosed: Bool) throws -> (text: String, closedAfterAnswer: Double?, ended: String) {
        let fd = try connected(port: port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = request.utf8CString.withUnsafeBufferPointer { Foundation.send(fd, $0.baseAddress, request.utf8.count, Int32(MSG_NOSIGNAL)) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var answeredAt: Date?
        let started = Date()
        let deadline = started.addingTimeInterval(waitAtMost)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            let code = errno
            // EINTR: a signal (another test's child ending) interrupted the read; read on.
            if n == 0 || (n < 0 && code != EAGAIN && code != EWOULDBLOCK && code != EINTR) {
                let how = n == 0 ? "closed" : "error \(code) (\(String(cString: strerror(code))))"
                return (String(decoding: received, as: UTF8.self), answeredAt.map { Date().timeIntervalSince($0) },
                        "\(how) after \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
            }
            if n > 0 { received += buffer[0..<n] }
            let text = String(decoding: received, as: UTF8.self)
            if answeredAt == nil, let head = text.range(of: "\r\n\r\n") {
                let length = text[..<head.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.count - text[..<head.upperBound].utf8.count >= length {
                    answeredAt = Date()
                    if !untilClosed { return (text, nil, "answered") }
                }
            }
        }
        return (String(decoding: received, as: UTF8.self), nil, "still open after \(waitAtMost) s")
    }
}
