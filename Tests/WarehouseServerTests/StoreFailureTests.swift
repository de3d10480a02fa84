import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// What the store cannot do is not the sender's fault: a full disk or a
/// failing database answers `503` with `Retry-After` (a respond.io workflow
/// sends the request again; a `400` would make it drop the record), stores
/// nothing of the request, and the same request succeeds once the store can
/// take it.
@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct StoreFailureTests {
    /// Ingest and a signed webhook against `warehouse serve` on a real full
    /// device (a small tmpfs in a private mount namespace), then with room again.
    @Test(.enabled(if: SmallDisk.available, "needs root, unshare and nsenter to mount a small tmpfs"))
    func aFullDiskIs503AndTheSameRequestLaterIs200() async throws {
        let disk = try SmallDisk()
        let client = try HarnessClient(port: disk.serve.port, token: disk.ingestToken)
        let body = "[" + (0..<300).map { i in
            conversationJSON(id: "90\(i)", contact: "77\(i)", extra: ", \"Closing Note Summary\": \"\(String(repeating: "note ", count: 300))\"")
        }.joined(separator: ",") + "]"
        let (event, signature) = try Harness.webhook("conversation_closed.json")

        try disk.fill()
        let ingest = try await disk.post("/ingest/conversations", body, headers: [("Authorization", "Bearer \(disk.ingestToken)"), ("Content-Type", "application/json")])
        #expect(ingest.status == 503, "\(ingest.body)")
        #expect(ingest.headers["Retry-After"].first == "\(ServerError.retryAfterSeconds)")
        #expect(ingest.body.contains("full") && ingest.body.contains("nothing was stored"), "\(ingest.body)")
        let webhook = try await disk.post("/webhooks/respond-io", String(decoding: event, as: UTF8.self),
                                          headers: [("X-Webhook-Signature", signature), ("Content-Type", "application/json")])
        #expect(webhook.status == 503, "\(webhook.body)")
        #expect(webhook.headers["Retry-After"].first != nil)
        // A report needs no room to be read: it is still answered.
        let report = try await disk.post("/reports/overview", nil, headers: [("Authorization", "Bearer \(disk.readToken)")])
        #expect(report.status == 200, "\(report.body)")
        #expect(try disk.sql("SELECT count(*) FROM fact_conversation") == "0")
        #expect(try disk.sql("SELECT count(*) FROM webhook_events") == "0")

        try disk.free()
        #expect(try await client.ingest(body) == 200)
        let again = try await disk.post("/webhooks/respond-io", String(decoding: event, as: UTF8.self),
                                        headers: [("X-Webhook-Signature", signature), ("Content-Type", "application/json")])
        #expect(again.status == 200, "\(again.body)")
        #expect(try disk.sql("SELECT count(*) FROM fact_conversation") == "301")
        disk.serve.signal(SIGTERM)
        #expect(disk.serve.wait() == 0)
    }

    /// A report that meets a failing database file (damaged pages): `503`, not
    /// the client's `400`; once the file is whole again, the same report is `200`.
    @Test func aReportOnAFailingDatabaseIs503() async throws {
        let h = try await Harness(timeZone: "Asia/Kuala_Lumpur") { warehouse in
            for summary in try warehouse.loader().load(paths: Repository.csvFiles(in: Repository.sampleExports)) where !summary.succeeded {
                throw WarehouseError(summary.error ?? "")
            }
        }
        #expect(try await h.get("/reports/overview", token: h.readToken).status == 200)
        let url = URL(fileURLWithPath: h.path)
        let whole = try Data(contentsOf: url)
        // Every page but the first (the header) overwritten: what a failing disk returns.
        var damaged = whole
        damaged.replaceSubrange(4096..<whole.count, with: Data(repeating: 0xA5, count: whole.count - 4096))
        try damaged.write(to: url)
        let failed = try await h.get("/reports/overview", token: h.readToken)
        #expect(failed.status == 503, "\(failed.body)")
        #expect(failed.headers["Retry-After"].first != nil)
        try whole.write(to: url)
        let ok = try await h.get("/reports/overview", token: h.readToken)
        #expect(ok.status == 200, "\(ok.body)")
        try await h.stop()
    }
}

/// `warehouse serve` on a small tmpfs of its own, in a private mount namespace
/// (`unshare -m`), reached from the test with `nsenter`. The warehouse is
/// made with its tokens and the sample webhook key before it is copied in.
final class SmallDisk {
    static let unshare = ["/usr/bin/unshare", "/bin/unshare"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let nsenter = ["/usr/bin/nsenter", "/bin/nsenter"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Root, unshare and nsenter, and a tmpfs that mounts.
    static let available: Bool = {
        guard geteuid() == 0, let unshare, nsenter != nil, let folder = try? TemporaryFolder(prefix: "warehouse-tmpfs-probe") else { return false }
        let r = try? command([unshare, "-m", "/bin/sh", "-c", "mount -t tmpfs -o size=1m tmpfs \"$0\" && touch \"$0/x\"", folder.url.path])
        return r?.status == 0
    }()

    let folder: TemporaryFolder
    let mountPoint: String
    let serve: ServeProcess
    let ingestToken: String
    let readToken: String
    var database: String { mountPoint + "/w.db" }

    init() throws {
        folder = try TemporaryFolder(prefix: "warehouse-small-disk")
        let prepared = folder.path("prepared.db")
        let warehouse = try Warehouse.openForWriting(path: prepared)
        ingestToken = try Tokens.add(scope: .ingest, name: "workflow", in: warehouse).token
        readToken = try Tokens.add(scope: .read, name: "sheets", in: warehouse).token
        try Tokens.setWebhookKey(try Harness.signingKey(), in: warehouse)
        // Everything in the file itself, for the copy.
        try warehouse.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mountPoint = folder.path("mnt")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard let unshare = Self.unshare else { throw WarehouseError("no unshare") }
        // The same pid throughout (unshare and sh exec): nsenter finds its namespace by it.
        serve = try ServeProcess(path: mountPoint + "/w.db", command: [
            unshare, "-m", "/bin/sh", "-c", "mount -t tmpfs -o size=16m tmpfs \"$0\" && cp \"$1\" \"$0/w.db\" && shift && exec \"$@\"",
            mountPoint, prepared, Binary.url.path,
        ])
    }

    deinit {
        if serve.process.isRunning { serve.signal(SIGKILL) }
    }

    /// Runs `arguments` in the server's mount namespace.
    func inside(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let nsenter = Self.nsenter else { throw WarehouseError("no nsenter") }
        return try Self.command([nsenter, "-t", "\(serve.process.processIdentifier)", "-m", "--"] + arguments)
    }

    /// Takes every free byte of the device.
    func fill() throws {
        _ = try inside(["/bin/sh", "-c", "dd if=/dev/zero of=\"$0/filler\" bs=64k 2>/dev/null; true", mountPoint])
        let df = try inside(["/bin/df", "-k", mountPoint])
        #expect(df.stdout.contains(" 0 100%") || df.stdout.contains(" 0  100%"), "the device is not full: \(df.stdout)")
    }

    /// Gives the space back.
    func free() throws {
        let r = try inside(["/bin/rm", "-f", mountPoint + "/filler"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    /// A scalar of `query` on the server's warehouse, as `warehouse sql` prints it.
    func sql(_ query: String) throws -> String {
        let r = try inside([Binary.url.path, "sql", "--db", database, "--format", "csv", query])
        guard r.status == 0 else { throw WarehouseError("sql failed: \(r.stderr)") }
        return r.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
    }

    func post(_ target: String, _ body: String?, headers: [(String, String)]) async throws -> Harness.Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(serve.port)\(target)")
        request.method = body == nil ? .GET : .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await Harness.client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Harness.Answer(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// Runs a command to the end.
    static func command(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        let errData = Locked(Data())
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { let data = err.fileHandleForReading.readDataToEndOfFile(); errData.update { $0 = data }; group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
    }
}
