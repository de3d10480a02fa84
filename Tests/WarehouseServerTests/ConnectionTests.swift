import Foundation
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// How `warehouse serve` keeps and ends connections: an HTTP/1.0 client's
/// after its answer, an HTTP/1.1 client's when it asks. The server runs as a process of its own: these
/// cases time connections, which a test process busy with other suites would skew.
@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct ConnectionTests {
    /// HTTP/1.0 without keep-alive: answered as HTTP/1.0 with `Connection: close`,
    /// and the connection ends after the answer, not at the idle timeout (20 s);
    /// with keep-alive and a length, it stays. A long report is sent to an
    /// HTTP/1.0 client unchunked, and its connection ends with it. HTTP/1.1
    /// keeps its connection between requests and ends it when asked.
    @Test func anHTTP10ConnectionEndsAfterItsAnswer() async throws {
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
}

/// `warehouse serve` over a warehouse with a read token, and a report of the
/// user's whose rows need no data: `long` (30,000 rows, 3 MB of csv).
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
        for (name, rows) in [("long", 30_000)] {
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
