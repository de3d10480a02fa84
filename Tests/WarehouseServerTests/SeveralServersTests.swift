import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport
import WarehouseCore
import WarehousePostgres
@testable import WarehouseServer

/// SPEC 8, several servers on one database: `warehouse serve` processes on one
/// PostgreSQL warehouse, any of them taking any request, one killed mid-stream.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment), .tags(.slow),
       .disabled(if: TestRun.quick, TestRun.slowComment))
struct SeveralServersTests {
    /// A new PostgreSQL warehouse with an ingest token (`citus`: distributed over the test cluster): its URL and the token.
    static func warehouse(_ store: ServedStoreKind = .postgres) throws -> (url: String, token: String) {
        let schema = "servers_" + UUID().uuidString.prefix(8).lowercased()
        let url = try TestCitusCluster.url(schema: schema, citus: store == .citus)
        let warehouse = try PostgresWarehouse.openForWriting(try PostgresLocation(url: url))
        defer { warehouse.close() }
        return (url, try Tokens.add(scope: .ingest, name: "workflow", in: warehouse).token)
    }

    /// The record a client sends as its `n`th: its own, or (every fourth) one that
    /// another client sends to the other server at the same time.
    static func record(client: Int, n: Int) -> (id: String, body: String) {
        let shared = n % 4 == 3
        let id = shared ? "s\(client / 2)-\(n)" : "c\(client)-\(n)"
        // A shared record is the same whoever sends it: made from its first sender's number.
        let owner = shared ? client / 2 * 2 : client
        let day = 1 + (owner + n) % 28
        return (id, conversationJSON(id: id, contact: "77\(owner % 5)\(n % 7)", started: String(format: "2025-03-%02d 09:00:00", day),
                                     resolved: String(format: "2025-03-%02d 10:%02d:00", day, n % 60)))
    }

    /// Two servers, 16 clients spread over both (some sending the same record to
    /// both at once), one server killed with SIGKILL mid-stream; a client whose
    /// request failed sends it again to the other, as a workflow's retry behind a
    /// load balancer would. Every acknowledged record is stored once; a record two
    /// servers took at once was inserted by one of them only; and the reports are
    /// those of the same records sent to one server on a warehouse file.
    @Test(arguments: ServedStoreKind.all.filter { $0 != .file })
    func twoServersStoreEachAcknowledgedRecordOnceThoughOneIsKilled(_ store: ServedStoreKind) async throws {
        let (url, token) = try Self.warehouse(store)
        let servers = [try ServeProcess(path: url), try ServeProcess(path: url)]
        let clients = try servers.map { try HarnessClient(port: $0.port, token: token) }
        let acknowledged = Locked<[String: Int]>([:])  // id → inserted answers
        let killed = Locked(false)
        let perClient = 40
        await withTaskGroup(of: Void.self) { group in
            for client in 0..<16 {
                group.addTask {
                    for n in 0..<perClient {
                        let (id, body) = Self.record(client: client, n: n)
                        // Clients 2k and 2k+1 send their shared records to different servers.
                        var server = (client + n) % 2
                        for _ in 0..<20 {
                            if killed.value && server == 0 { server = 1 }
                            if let answer = try? await clients[server].ingestAnswer(body), answer.status == 200 {
                                acknowledged.update { $0[id, default: 0] += answer.inserted }
                                break
                            }
                            server = 1 - server
                            try? await Task.sleep(for: .milliseconds(50))
                        }
                    }
                }
            }
            group.addTask {
                while acknowledged.value.count < 150 && servers[0].process.isRunning { try? await Task.sleep(for: .milliseconds(5)) }
                killed.update { $0 = true }
                servers[0].signal(SIGKILL)
            }
        }
        #expect(servers[0].wait() == SIGKILL)
        let expected = Set((0..<16).flatMap { client in (0..<perClient).map { Self.record(client: client, n: $0).id } })
        #expect(Set(acknowledged.value.keys) == expected, "every record was acknowledged by one server or the other")
        // A record two servers took at once: one of them at most answered that it inserted it (none, when
        // the killed server committed it and died before answering, and the retry found it stored).
        #expect(acknowledged.value.values.allSatisfy { $0 <= 1 }, "\(acknowledged.value.filter { $0.value > 1 }.prefix(5))")
        #expect(acknowledged.value.values.filter { $0 == 1 }.count >= expected.count - 16)
        let location = try PostgresLocation(url: url)
        let reader = try PostgresWarehouse.openExisting(location)
        defer { reader.close() }
        let stored = try reader.rows("SELECT conversation_id, count(*) FROM fact_conversation GROUP BY 1", [])
        #expect(stored.count == expected.count)
        #expect(stored.allSatisfy { $0[1].int64 == 1 })
        #expect(Set(stored.compactMap { $0[0].string }) == expected)

        // The same records through one server on a file: the same reports.
        let file = try await Harness(.file)
        for id in expected.sorted() {
            let (client, n) = Self.sender(of: id)
            #expect(try await file.ingest("conversations", Self.record(client: client, n: n).body).status == 200)
        }
        for report in [["overview", "--from", "2025-03-01", "--to", "2025-03-31"], ["conversation_list"], ["user_performance"]] {
            let onFile = try Binary.run(["report"] + report + ["--db", file.db, "--format", "csv"])
            let onServer = try Binary.run(["report"] + report + ["--db", url, "--format", "csv"])
            #expect(onFile.status == 0 && onServer.status == 0, "\(onServer.stderr)")
            #expect(onServer.stdout == onFile.stdout, "\(report[0])")
        }
        try await file.stop()
        servers[1].signal(SIGTERM)
        #expect(servers[1].wait() == 0, "\(servers[1].stderr)")
    }

    /// The database stopped under load, then started again: the server answers ingest
    /// `503` with `Retry-After` and `/healthz` `503` while it is down, stores nothing
    /// half, and takes requests again by itself once it is back; every acknowledged
    /// record is stored.
    @Test func whileTheDatabaseIsDownIngestIs503AndTheServerComesBackByItself() async throws {
        let database = try TestPostgresServer.dedicated()
        let url = database.url(schema: "gone")
        let warehouse = try PostgresWarehouse.openForWriting(try PostgresLocation(url: url))
        let token = try Tokens.add(scope: .ingest, name: "workflow", in: warehouse).token
        warehouse.close()
        let serve = try ServeProcess(path: url)
        let client = try HarnessClient(port: serve.port, token: token)
        let acknowledged = Locked<Set<String>>([]), unavailable = Locked(0), retryAfter = Locked(true), other = Locked<[Int]>([])
        let phase = Locked(0)  // 0: up, 1: down, 2: up again, 3: done
        await withTaskGroup(of: Void.self) { group in
            for c in 0..<4 {
                group.addTask {
                    var n = 0
                    while phase.value < 3 {
                        let id = "d\(c)-\(n)"
                        n += 1
                        guard let answer = try? await client.ingestAnswer(conversationJSON(id: id, contact: "66\(c)\(n % 9)")) else { continue }
                        switch answer.status {
                        case 200: acknowledged.update { _ = $0.insert(id) }
                        case 503:
                            unavailable.update { $0 += 1 }
                            if answer.retryAfter == nil { retryAfter.update { $0 = false } }
                            try? await Task.sleep(for: .milliseconds(20))
                        default: other.update { $0.append(answer.status) }
                        }
                    }
                }
            }
            group.addTask {
                func waitFor(_ done: () -> Bool) async { for _ in 0..<400 where !done() { try? await Task.sleep(for: .milliseconds(25)) } }
                await waitFor { acknowledged.value.count >= 40 }
                try? database.stop()
                phase.update { $0 = 1 }
                let before = unavailable.value
                await waitFor { unavailable.value >= before + 10 }
                #expect((try? await client.health()) == 503, "healthz while the database is down")
                try? database.start()
                phase.update { $0 = 2 }
                let back = acknowledged.value.count
                await waitFor { acknowledged.value.count >= back + 40 }
                #expect((try? await client.health()) == 200, "healthz once the database is back")
                phase.update { $0 = 3 }
            }
        }
        #expect(unavailable.value >= 10, "ingest answered 503 while the database was down")
        #expect(retryAfter.value, "every 503 says Retry-After")
        #expect(other.value.isEmpty, "answers neither 200 nor 503: \(other.value.prefix(5))")
        #expect(serve.process.isRunning, "the same server, not restarted")
        let reader = try PostgresWarehouse.openExisting(try PostgresLocation(url: url))
        defer { reader.close() }
        let stored = Set(try reader.rows("SELECT conversation_id FROM fact_conversation", []).compactMap { $0[0].string })
        #expect(acknowledged.value.count >= 80)
        #expect(acknowledged.value.isSubset(of: stored), "acknowledged but not stored: \(acknowledged.value.subtracting(stored).prefix(5))")
        serve.signal(SIGTERM)
        #expect(serve.wait() == 0, "\(serve.stderr)")
    }

    /// respond.io redelivers an event it got no answer for, maybe to another server
    /// behind the load balancer: the event is recognised there (its identity is
    /// unique in the database), also when both get it at once.
    @Test func aWebhookRedeliveredToAnotherServerIsRecognised() async throws {
        let (url, _) = try Self.warehouse()
        let warehouse = try PostgresWarehouse.openForWriting(try PostgresLocation(url: url))
        try Tokens.setWebhookKey(try Harness.signingKey(), in: warehouse)
        warehouse.close()
        let servers = [try ServeProcess(path: url), try ServeProcess(path: url)]
        let (body, signature) = try Harness.webhook("conversation_closed.json")
        let answers = try await withThrowingTaskGroup(of: [String: Any].self) { group in
            for i in 0..<6 {
                group.addTask {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(servers[i % 2].port)/webhooks/respond-io")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.headers.add(name: "X-Webhook-Signature", value: signature)
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let response = try await Harness.client.execute(request, timeout: .seconds(20))
                    let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
                    #expect(response.status.code == 200, "\(text)")
                    return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.filter { $0["duplicate"] as? Bool == true }.count == 5)
        #expect(answers.filter { $0["inserted"] as? Int == 1 }.count == 1)
        let reader = try PostgresWarehouse.openExisting(try PostgresLocation(url: url))
        defer { reader.close() }
        #expect(try reader.rows("SELECT count(*) FROM fact_conversation", []).first?.first?.int64 == 1)
        #expect(try reader.rows("SELECT count(*) FROM webhook_events", []).first?.first?.int64 == 2)  // by event_id and by body
        for server in servers {
            server.signal(SIGTERM)
            #expect(server.wait() == 0, "\(server.stderr)")
        }
    }

    /// A session outside the warehouse's writers (an administrator's, a BI tool's with
    /// `--write`) holds a row an ingest changes, then waits for the warehouse's write
    /// lock, which the server's group holds while it waits for that row: PostgreSQL ends
    /// one of the two as a deadlock. When it ends the server's, the server runs its group
    /// again once the other has finished; the client sees only its 200.
    @Test func aDeadlockWithAnotherSessionIsRunAgainUnseen() async throws {
        let h = try await Harness(.postgres)
        #expect(try await h.ingest("conversations", conversationJSON(id: "dl1")).status == 200)
        guard case .postgres(let location) = h.served else { return }
        nonisolated(unsafe) let admin = try PostgresWarehouse.openExisting(location)
        defer { admin.close() }
        try admin.session.execute("BEGIN")
        try admin.session.execute("UPDATE fact_conversation SET closing_note_summary = 'held' WHERE conversation_id = 'dl1'")
        let adminPID = try #require(try admin.session.scalar("SELECT pg_backend_pid()")?.int64)
        async let answer = h.ingest("conversations", conversationJSON(id: "dl1", resolved: "2025-03-11 11:00:00"))
        // Until the server's group waits for the row this session holds.
        let watcher = try PostgresWarehouse.openExisting(location)
        defer { watcher.close() }
        var waiting = false
        for _ in 0..<600 where !waiting {
            waiting = try watcher.session.scalar("""
                SELECT count(*) FROM pg_locks w JOIN pg_locks h ON h.locktype = 'transactionid' AND h.transactionid = w.transactionid
                WHERE NOT w.granted AND h.granted AND h.pid = $1
                """, [.integer(adminPID)])?.int64 ?? 0 > 0
            if !waiting { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(waiting, "the server's group never waited for the row")
        let adminWon: Bool = await withCheckedContinuation { done in
            Thread {
                do {
                    try admin.session.execute(Loader.serverLock)
                    try admin.session.execute("COMMIT")
                    done.resume(returning: true)
                } catch {
                    try? admin.session.execute("ROLLBACK")
                    done.resume(returning: false)
                }
            }.start()
        }
        let ingested = try await answer
        #expect(ingested.status == 200, "\(ingested.body)")
        #expect(ingested.json["updated"] as? Int == 1, "\(ingested.body)")
        // The server's group was the one ended, and ran again; or the other session was.
        #expect(h.server.state.writer.conflicts == (adminWon ? 1 : 0))
        #expect(try h.read().text("SELECT closed_at FROM conversations WHERE conversation_id = 'dl1'") == "2025-03-11 11:00:00")
        try await h.stop()
    }

    /// A server opens at most its limit of reading connections on PostgreSQL: one more
    /// report waits for one to be given back, and is refused (503) when none is in time.
    @Test func readingConnectionsAreCappedOnPostgreSQL() throws {
        let (url, _) = try Self.warehouse()
        let pool = ReaderPool(.postgres(try PostgresLocation(url: url)), limit: 2, wait: 0.5)
        let (a, b) = (try pool.take(), try pool.take())
        let started = Date()
        do {
            _ = try pool.take()
            Issue.record("a third connection was opened beyond the limit of 2")
        } catch {
            #expect("\(error)".contains("503") && "\(error)".contains("reading connections to the warehouse are busy"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) >= 0.45)
        pool.put(a)
        let c = try pool.take()
        #expect(c === a, "the idle connection is taken again")
        pool.put(b, reusable: false)
        let d = try pool.take()
        #expect(d !== b, "a closed connection is not given out again")
        #expect(try d.rows("SELECT 1", []).first?.first?.int64 == 1)
        pool.put(c)
        pool.put(d)
        #expect(ReaderPool.postgresLimit == 16)
    }

    /// `warehouse load` into the warehouse while a server takes records: they take turns
    /// on the warehouse's write lock, neither fails, and both are stored.
    @Test func aLoadWhileServingWaitsItsTurnAndBothAreStored() async throws {
        let (url, token) = try Self.warehouse()
        let serve = try ServeProcess(path: url)
        let client = try HarnessClient(port: serve.port, token: token)
        let statuses = Locked<[Int]>([])
        let loading = Locked(true)
        let files = try FileManager.default.contentsOfDirectory(atPath: Harness.exports.path).filter { $0.hasSuffix(".csv") }
            .map { Harness.exports.appendingPathComponent($0).path }
        typealias LoadRun = (status: Int32, stdout: [UInt8], stderr: String)
        let load: LoadRun = try await withThrowingTaskGroup(of: LoadRun?.self) { group in
            for c in 0..<4 {
                group.addTask {
                    var n = 0
                    while loading.value || n < 10 {
                        let answer = try await client.ingestAnswer(conversationJSON(id: "w\(c)-\(n)", contact: "55\(c)\(n % 9)"))
                        statuses.update { $0.append(answer.status) }
                        n += 1
                    }
                    return nil
                }
            }
            group.addTask {
                let run = try Binary.run(["load", "--db", url] + files)
                loading.update { $0 = false }
                return run
            }
            var load: LoadRun?
            for try await result in group { if let result { load = result } }
            return try #require(load)
        }
        #expect(load.status == 0, "\(load.stderr)")
        #expect(statuses.value.count >= 40)
        #expect(statuses.value.allSatisfy { $0 == 200 }, "\(Set(statuses.value))")
        let reader = try PostgresWarehouse.openExisting(try PostgresLocation(url: url))
        defer { reader.close() }
        #expect(try reader.rows("SELECT count(*) FROM fact_conversation WHERE conversation_id LIKE 'w%-%'", []).first?.first?.int64
                == Int64(statuses.value.count))
        #expect(try reader.rows("SELECT count(*) FROM load_log WHERE status = 'loaded' AND file_name LIKE '%.csv'", []).first?.first?.int64
                == Int64(files.count))
        serve.signal(SIGTERM)
        #expect(serve.wait() == 0, "\(serve.stderr)")
    }

    /// The client and number of a record's first sender (`record(client:n:)`).
    static func sender(of id: String) -> (client: Int, n: Int) {
        let parts = id.dropFirst().split(separator: "-").compactMap { Int($0) }
        return id.hasPrefix("s") ? (parts[0] * 2, parts[1]) : (parts[0], parts[1])
    }
}
