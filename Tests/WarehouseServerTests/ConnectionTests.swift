import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// How `warehouse serve` keeps and ends connections: an HTTP/1.0 client's
/// after its answer, an HTTP/1.1 client's when it asks, and a client's that
/// stops reading a long report. The server runs as a process of its own: these
/// cases time connections, which a test process busy with other suites would skew.
@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct ConnectionTests {
    /// HTTP/1.0 without keep-alive: answered as HTTP/1.0 with `Connection: close`,
    /// and the connection ends after the answer, not at the idle timeout (20 s);
    /// with keep-alive and a length, it stays. A report too long to hold is sent
    /// to an HTTP/1.0 client unchunked, to the end of the connection. HTTP/1.1
    /// keeps its connection between requests and ends it when asked.
    @Test func anHTTP10ConnectionEndsAfterItsAnswer() async throws {
        try await withTaskExecutorPreference(OwnThread()) { try await http10() }
    }

    private func http10() async throws {
        let s = try Served(timeout: 20)
        defer { s.stop() }
        let plain = try await RawSocket.answer(port: s.port, send: "GET /healthz HTTP/1.0\r\n\r\n", waitAtMost: 30, untilClosed: true)
        #expect(plain.text.hasPrefix("HTTP/1.0 200") && plain.text.contains("\r\nConnection: close\r\n"), "\(plain.text.prefix(400))")
        #expect(plain.closedAfterAnswer.map { $0 < 2.5 } == true, "the connection stayed open after an HTTP/1.0 answer: \(plain.ended)")

        let kept = try await RawSocket.answer(port: s.port, send: "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", waitAtMost: 3, untilClosed: true)
        #expect(kept.text.hasPrefix("HTTP/1.0 200") && kept.text.contains("\r\nConnection: keep-alive\r\n"), "\(kept.text.prefix(400))")
        #expect(kept.ended.hasPrefix("still open"), "\(kept.ended)")

        let started = Date()
        let long = try await RawSocket.offPool(port: s.port, send: ["GET /reports/long?token=\(s.token) HTTP/1.0\r\n\r\n"], pause: 0, waitAtMost: 30)
        #expect(long.hasPrefix("HTTP/1.0 200") && !long.lowercased().contains("transfer-encoding"), "\(long.prefix(400))")
        #expect(long.hasSuffix("\n30000,\(String(repeating: "0", count: 85))30000\n"), "\(long.prefix(300)) … \(long.suffix(200))")
        #expect(Date().timeIntervalSince(started) < 15, "the report's connection was ended by the idle timeout, not by its end")

        let two = try await RawSocket.offPool(port: s.port, send: [
            "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        ], pause: 0, waitAtMost: 30)
        let answers = two.components(separatedBy: "HTTP/1.1 200 OK").dropFirst()
        #expect(answers.count == 2 && answers.first?.contains("Connection:") == false && answers.last?.contains("\r\nConnection: close\r\n") == true, "\(two)")
        let open = try await RawSocket.answer(port: s.port, send: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", waitAtMost: 3, untilClosed: true)
        #expect(open.text.hasPrefix("HTTP/1.1 200") && open.ended.hasPrefix("still open"), "\(open.ended)")
    }

    /// A client that asks for a long report (39 MB) and reads none of it: the
    /// server makes no more of it than its buffer and the socket hold (the
    /// rest waits in SQLite), and cuts the client off once it has taken
    /// nothing for `--timeout` (2 s). What the server made and the client
    /// never got is what it held in memory for it (the socket's part is the
    /// kernel's, a few MB).
    @Test func aClientThatStopsReadingHoldsOnlyTheBuffer() async throws {
        try await withTaskExecutorPreference(OwnThread()) { try await stopsReading() }
    }

    private func stopsReading() async throws {
        let s = try Served(timeout: 2)
        defer { s.stop() }
        let fd = try RawSocket.connected(port: s.port, receiveBuffer: 4096)
        defer { close(fd) }
        let request = "GET /reports/huge HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(s.token)\r\n\r\n"
        _ = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, request.utf8.count, Int32(MSG_NOSIGNAL)) }
        let deadline = Date().addingTimeInterval(60)
        while !s.serve.stderr.contains("cut off after"), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let line = try #require(s.serve.stderr.split(separator: "\n").first { $0.contains("GET /reports/huge: cut off after ") },
                                "the client that read nothing was never cut off: \(s.serve.stderr.suffix(600))")
        let made = try #require(line.components(separatedBy: "cut off after ").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(line)")

        // What reached the socket before the cut-off: all of it can be read now, then the end.
        let (received, ended) = readToEnd(fd, waitAtMost: 60)
        let head = received.firstRange(of: Array("\r\n\r\n".utf8)).map { received.distance(from: received.startIndex, to: $0.upperBound) } ?? 0
        #expect(ended == "closed", "\(ended)")
        #expect(made < 20 << 20, "the server made \(made) bytes of the report for a client that read none")
        #expect(made - (received.count - head) <= 1 << 20, "the server held \(made - (received.count - head)) bytes made and not sent")
    }

    /// A report longer than what is made ahead of its answer is sent chunked, as
    /// it is made, byte for byte what the command prints; `HEAD` says its length.
    @Test func aLongReportIsSentAsItIsMade() async throws {
        try await withTaskExecutorPreference(OwnThread()) { try await longReport() }
    }

    private func longReport() async throws {
        let s = try Served(timeout: 20)
        defer { s.stop() }
        for format in ["csv", "json"] {
            let command = try Binary.run(["report", "long", "--db", s.path, "--queries", s.queries, "--format", format] + (format == "csv" ? ["--spreadsheet-safe"] : []))
            #expect(command.status == 0 && command.stdout.count > 2 * ReportStream.ahead, "\(command.stderr)")
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/reports/long?format=\(format)")
            request.headers.add(name: "Authorization", value: "Bearer \(s.token)")
            let response = try await Harness.client.execute(request, timeout: .seconds(120))
            let body = try await response.body.collect(upTo: 64 << 20)
            #expect(response.status.code == 200 && response.headers["Transfer-Encoding"] == ["chunked"], "\(response.headers)")
            #expect(Array(buffer: body) == command.stdout, "\(format): \(body.readableBytes) bytes over HTTP, \(command.stdout.count) printed")
            request.method = .HEAD
            let head = try await Harness.client.execute(request, timeout: .seconds(120))
            #expect(head.headers["Content-Length"] == ["\(command.stdout.count)"], "\(head.headers)")
        }
    }

    /// Reads until the end of the connection (or an error, or `waitAtMost` seconds); how it ended.
    private func readToEnd(_ fd: Int32, waitAtMost: Double) -> ([UInt8], String) {
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(waitAtMost)
        while Date() < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            let code = errno
            if n == 0 { return (received, "closed") }
            if n > 0 { received += buffer[0..<n]; continue }
            // EINTR: a signal (another test's child ending); EAGAIN: nothing yet.
            if code != EINTR && code != EAGAIN && code != EWOULDBLOCK { return (received, "error \(code)") }
        }
        return (received, "still open after \(waitAtMost) s")
    }
}

/// `warehouse serve` over a warehouse with a read token, and two reports of the
/// user's whose rows need no data: `long` (30,000 rows, 3 MB of csv) and `huge`
/// (400,000 rows, 39 MB).
final class Served: @unchecked Sendable {
    let folder: TemporaryFolder
    let serve: ServeProcess
    let token: String
    var port: Int { serve.port }
    var path: String { folder.path("w.db") }
    var queries: String { folder.path("queries") }

    init(timeout: Double) throws {
        folder = try TemporaryFolder(prefix: "warehouse-connections")
        let (path, queries) = (folder.path("w.db"), folder.path("queries"))
        token = try Tokens.add(scope: .read, name: "sheets", in: Warehouse.openForWriting(path: path)).token
        try FileManager.default.createDirectory(atPath: queries, withIntermediateDirectories: true)
        for (name, rows) in [("long", 30_000), ("huge", 400_000)] {
            try folder.write("queries/\(name).sql", """
                -- name: \(name)
                -- title: \(name)
                -- description: \(rows) rows of about 100 bytes
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
                SELECT i AS number, printf('%090d', i) AS pad FROM n

                """)
        }
        serve = try ServeProcess(path: path, extra: ["--timeout", "\(timeout)", "--queries", queries])
    }

    func stop() {
        serve.signal(SIGTERM)
        if serve.wait() == nil { serve.signal(SIGKILL) }
    }
}
