import Foundation
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// The writer answers a request only after its group is committed: with the
/// commit made to fail (`GroupCommitWriter.injectFaultBeforeCommit`), no
/// request of the group gets a `2xx`, and nothing of it is stored. A writer
/// that answered before its commit would have said 200 for records that are
/// not there.
@Suite struct WriterOrderTests {
    /// What the fault throws: the error SQLite gives when the disk fails at the commit.
    static let ioError = SQLiteError(code: 10 /* SQLITE_IOERR */, message: "disk I/O error (a test's fault before the commit)")

    @Test func aGroupWhoseCommitFailsIsNeverAnswered2xx() async throws {
        let h = try await Harness()
        let writer = h.server.state.writer
        let (event, signature) = try Harness.webhook("conversation_closed.json")
        let csv = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID\nc1,2025-03-11 09:00:00,2025-03-11 10:00:00,5550009\n"
        let commits = Locked(0)
        writer.injectFaultBeforeCommit { commits.update { $0 += 1 }; throw Self.ioError }
        // Each way into the writer: records (one request, then several at once), a CSV body, a webhook event.
        let one = try await h.ingest("conversations", conversationJSON(id: "1"))
        async let a = h.ingest("conversations", conversationJSON(id: "2", contact: "5550002"))
        async let b = h.ingest("conversations", conversationJSON(id: "3", contact: "5550003"))
        async let c = h.ingest("contacts", "{\"ContactID\": \"5550004\", \"FirstName\": \"Ann\"}")
        let together = try await [a, b, c]
        let file = try await h.ingest("conversations", csv, type: "text/csv")
        let hook = try await h.postWebhook(event, signature: signature)
        for answer in [one, file, hook] + together {
            #expect(!(200..<300).contains(answer.status), "answered \(answer.status) for a group that was not committed: \(answer.body)")
            #expect(answer.status == 503, "\(answer.body)")
            #expect(answer.error.contains("disk I/O error"), "\(answer.body)")
        }
        #expect(commits.value >= 4)
        for table in ["fact_conversation", "dim_contact", "load_log", "rejected_rows", "webhook_events"] {
            #expect(try h.count("SELECT count(*) FROM \(table)") == 0, "\(table)")
        }
        // The commit works again: the same requests are stored and answered 200.
        writer.injectFaultBeforeCommit(nil)
        #expect(try await h.ingest("conversations", conversationJSON(id: "1")).status == 200)
        #expect(try await h.ingest("conversations", csv, type: "text/csv").status == 200)
        #expect(try await h.postWebhook(event, signature: signature).status == 200)
        #expect(try h.count("SELECT count(*) FROM fact_conversation") == 3)
        try await h.stop()
    }

    /// A CSV body waits for its load in a file only its owner may read (0600),
    /// in a folder of its own (0700), and is gone once answered.
    @Test func aCSVBodyWaitsInAPrivateFile() async throws {
        let h = try await Harness()
        let marker = "m\(UUID().uuidString.prefix(8))"
        let csv = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID\n\(marker),2025-03-11 09:00:00,2025-03-11 10:00:00,5550009\n"
        let seen = Locked<[(file: String, fileMode: mode_t?, folderMode: mode_t?)]>([])
        // Before the commit the body is still on disk, being loaded.
        h.server.state.writer.injectFaultBeforeCommit {
            let temporary = FileManager.default.temporaryDirectory
            for folder in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where folder.hasPrefix("warehouse-") {
                let file = temporary.appendingPathComponent(folder).appendingPathComponent("body.csv").path
                guard let text = try? String(contentsOfFile: file, encoding: .utf8), text.contains(marker) else { continue }
                let folderPath = temporary.appendingPathComponent(folder).path
                seen.update { $0.append((file, PathInfo(file)?.mode, PathInfo(folderPath)?.mode)) }
            }
        }
        let answer = try await h.ingest("conversations", csv, type: "text/csv")
        #expect(answer.status == 200, "\(answer.body)")
        let found = seen.value
        #expect(found.count == 1, "\(found.map(\.file))")
        #expect(found.first?.fileMode == 0o600)
        #expect(found.first?.folderMode == 0o700)
        #expect(found.first.map { !FileManager.default.fileExists(atPath: $0.file) } == true, "the body's file is removed")
        #expect(found.first.map { !FileManager.default.fileExists(atPath: ($0.file as NSString).deletingLastPathComponent) } == true)
        try await h.stop()
    }
}
