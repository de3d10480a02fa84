import Foundation
import Testing
import WarehouseCore
@testable import WarehouseServer

/// POST /ingest/{kind}: JSON and CSV records through the loader's record path.
@Suite struct IngestTests {
    @Test(arguments: ServedStoreKind.all) func oneObjectAndAnArrayLoadAndAnswerWithCounts(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let one = try await h.ingest("conversations", conversationJSON(id: "605240469847439385"))
        #expect(one.status == 200)
        #expect(one.json["received"] as? Int == 1)
        #expect(one.json["inserted"] as? Int == 1)
        #expect((one.json["rejected"] as? [Any])?.isEmpty == true)
        // The 19-digit ID as sent, the times in the workspace zone, the counts.
        let db = try h.read()
        let row = try db.rows("SELECT conversation_id, started_ts, outgoing_messages, incoming_messages FROM fact_conversation")
        #expect(row.count == 1)
        #expect(row.first?[0].string == "605240469847439385")
        #expect(row.first?[1].int64 == 1_741_683_600)
        #expect(row.first?[2].int64 == 3 && row.first?[3].int64 == 4)

        // The same again, a changed one and a new one: unchanged, updated, inserted.
        let array = "[" + conversationJSON(id: "605240469847439385") + "," + conversationJSON(id: "605240469847439385", extra: ", \"Closing Note Summary\": \"refund\"")
            + "," + conversationJSON(id: "17", contact: "5550002") + "]"
        let many = try await h.ingest("conversations", array)
        #expect(many.status == 200)
        #expect(many.json["received"] as? Int == 3)
        #expect(many.json["inserted"] as? Int == 1)
        #expect(many.json["updated"] as? Int == 1)
        #expect(many.json["unchanged"] as? Int == 1)
        #expect(try h.count("SELECT count(*) FROM fact_conversation") == 2)
        #expect(try db.text("SELECT closing_note_summary FROM fact_conversation WHERE conversation_id = '605240469847439385'") == "refund")
        // Each request is one unit of the load log.
        #expect(try h.count("SELECT count(*) FROM load_log WHERE file_name LIKE 'ingest-conversations-%' AND status = 'loaded'") == 2)
        try await h.stop()
        #expect(h.log.lines.contains { $0.hasPrefix("POST /ingest/conversations 200 ") && $0.hasSuffix(" 3 records") })
    }

    @Test(arguments: ServedStoreKind.all) func rejectsCarryTheirIndexAndAreKeptBesideFileRejects(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let body = "[" + [
            conversationJSON(id: "1"),
            conversationJSON(id: "2", started: "2025-13-40 99:00:00"),
            "\"not an object\"",
            conversationJSON(id: "4", extra: ", \"Number of Assignments\": 12345678901234567890"),
            // A numeric ID past 2^53 has lost digits: rejected, never rounded.
            conversationJSON(id: "5").replacingOccurrences(of: "\"Contact ID\": \"5550001\"", with: "\"Contact ID\": 7638301234567890123"),
            // One within 2^53 is exact: kept as its digits.
            conversationJSON(id: "6").replacingOccurrences(of: "\"Contact ID\": \"5550001\"", with: "\"Contact ID\": 9007199254740992"),
        ].joined(separator: ",") + "]"
        let r = try await h.ingest("conversations", body)
        #expect(r.status == 200)
        #expect(r.json["received"] as? Int == 6)
        #expect(r.json["inserted"] as? Int == 2)
        let rejected = (r.json["rejected"] as? [[String: Any]]) ?? []
        #expect(rejected.map { $0["index"] as? Int } == [1, 2, 3, 4])
        #expect((rejected[0]["reason"] as? String)?.contains("DateTime Conversation Started") == true)
        #expect((rejected[1]["reason"] as? String)?.contains("not an object") == true)
        #expect((rejected[3]["reason"] as? String)?.contains("7638301234567890123 is too large to be exact") == true)
        let db = try h.read()
        #expect(try db.text("SELECT contact_id FROM conversations WHERE conversation_id = '6'") == "9007199254740992")
        #expect(try db.int("SELECT count(*) FROM conversations WHERE conversation_id IN ('2', '4', '5')") == 0)
        // Queryable beside the file rejects: the request's name, the index as the line.
        let lines = try db.rows("SELECT line FROM rejects WHERE file LIKE 'ingest-conversations-%' ORDER BY line").compactMap { $0[0].int64 }
        #expect(lines == [1, 2, 3, 4])
        try await h.stop()
    }

    /// A body of thousands of bad records (`[0,0,0,…]`) cannot fill the disk
    /// with rejects: each request stores its first 1,000 and lists them, and
    /// counts them all.
    @Test(arguments: ServedStoreKind.all) func aRequestStoresAtMost1000RejectsAndCountsThemAll(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let r = try await h.ingest("conversations", "[" + Array(repeating: "0", count: 5000).joined(separator: ",") + "]")
        #expect(r.status == 200, "\(r.body.prefix(300))")
        #expect(r.json["received"] as? Int == 5000)
        #expect(r.json["inserted"] as? Int == 0)
        #expect(r.json["rejected_count"] as? Int == 5000)
        #expect(r.json["rejects_kept"] as? Int == 1000)
        let listed = (r.json["rejected"] as? [[String: Any]]) ?? []
        #expect(listed.count == 1000)
        #expect(listed.first?["index"] as? Int == 0 && listed.last?["index"] as? Int == 999)
        #expect(try h.count("SELECT count(*) FROM rejected_rows") == 1000)
        #expect(try h.read().text("SELECT min(line) || '-' || max(line) FROM rejected_rows") == "0-999")
        #expect(try h.count("SELECT rows_rejected FROM load_log") == 5000)

        // A CSV body: the same limit. Another request stores its own 1,000.
        let csv = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID\n"
            + (0..<1500).map { "c\($0),not a time,,5550001\n" }.joined()
        let c = try await h.ingest("conversations", csv, type: "text/csv")
        #expect(c.status == 200, "\(c.body.prefix(300))")
        #expect(c.json["rejected_count"] as? Int == 1500)
        #expect(c.json["rejects_kept"] as? Int == 1000)
        #expect((c.json["rejected"] as? [Any])?.count == 1000)
        #expect(try h.count("SELECT count(*) FROM rejected_rows") == 2000)
        // An answer without rejects says so too.
        let fine = try await h.ingest("conversations", conversationJSON(id: "1"))
        #expect(fine.json["rejected_count"] as? Int == 0 && fine.json["rejects_kept"] as? Int == 0)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func unreplacedWorkflowVariablesAreBlank(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let body = conversationJSON(id: "77", extra: ", \"Conversation Category\": \"$conversation.category\", \"Closing Note Summary\": \" $conversation.closing_note.summary \", \"First Assignee\": \"$conversation.first_assignee\", \"Closed By Source\": \"$5 off\"")
            .replacingOccurrences(of: "\"Conversation Category\": \"Billing\", ", with: "")
        let r = try await h.ingest("conversations", body)
        #expect(r.status == 200)
        #expect(r.json["inserted"] as? Int == 1)
        // The row must be there: a missing row would pass a test of blank values.
        let row = try #require(try h.read().rows("SELECT category, summary, first_assignee, closed_by_source FROM conversations WHERE conversation_id = '77'").first)
        #expect(row[0] == .null, "\(row[0])")
        #expect(row[1] == .null, "\(row[1])")
        #expect(row[2] == .null, "\(row[2])")
        // `$` then not a dotted name is a value like any other.
        #expect(row[3] == .text("$5 off"))
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func malformedJSONIs400WithWhereAndStoresNothing(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let cut = String(conversationJSON(id: "1").dropLast(20))
        let r = try await h.ingest("conversations", "[\n" + cut)
        #expect(r.status == 400)
        #expect(r.error.contains("line 2, column"))
        #expect(r.error.contains("nothing was stored"))
        let trailing = try await h.ingest("conversations", "{\"Conversation ID\": \"1\",}")
        #expect(trailing.status == 400)
        #expect(trailing.error.contains("line 1, column 25"))
        let scalar = try await h.ingest("conversations", "42")
        #expect(scalar.status == 400)
        let deep = try await h.ingest("conversations", String(repeating: "[", count: 100_000))
        #expect(deep.status == 400)
        #expect(deep.error.contains("nested more than"))
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        #expect(try h.count("SELECT count(*) FROM rejected_rows") == 0)
        // The server goes on.
        #expect(try await h.get("/healthz").status == 200)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func anotherContentTypeIs415(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let r = try await h.ingest("conversations", conversationJSON(id: "1"), type: "text/plain")
        #expect(r.status == 415)
        #expect(r.error.contains("application/json"))
        let none = try await h.request(.POST, "/ingest/conversations", body: Array(conversationJSON(id: "1").utf8),
                                       headers: [("Authorization", "Bearer \(h.ingestToken)")])
        #expect(none.status == 415)
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func aCSVBodyLoadsAsAFileOfThatKind(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let csv = """
            User ID,First Name,Last Name,Email,Role,Team\r
            42.0,Sofia,Rossi,sofia@example.com,Agent,Support;Billing\r
            43,Grace,"Lee, Jr",grace@example.com,Agent\r
            44,Ana,Silva,ana@example.com,Agent,Support\r

            """
        let r = try await h.ingest("users", csv, type: "text/csv; charset=utf-8")
        #expect(r.status == 200)
        #expect(r.json["received"] as? Int == 3)
        #expect(r.json["inserted"] as? Int == 2)
        // Line numbers as a file's: the header is line 1.
        let rejected = (r.json["rejected"] as? [[String: Any]]) ?? []
        #expect(rejected.first?["index"] as? Int == 3)
        #expect((rejected.first?["reason"] as? String)?.contains("wrong number of fields") == true)
        #expect(try h.read().text("SELECT user_name FROM users WHERE user_id = '42'") == "Sofia Rossi")

        // A quote never closed: that record is rejected, as a file's would be.
        let unclosed = try await h.ingest("users", "User ID,First Name,Last Name,Email,Role,Team\n45,\"Unclosed,x,y,z,w\n", type: "text/csv")
        #expect(unclosed.status == 200)
        #expect((unclosed.json["rejected"] as? [[String: Any]])?.first?["index"] as? Int == 2)
        // A body that is no CSV text at all: 400, and where.
        let binary = try await h.ingest("users", "User ID,First Name\n1,\u{0}\u{1}\n", type: "text/csv")
        #expect(binary.status == 400)
        #expect(binary.error.contains("binary data"))
        #expect(!binary.error.contains("/tmp/"))
        let empty = try await h.ingest("users", "", type: "text/csv")
        #expect(empty.status == 400)
        #expect(empty.error.contains("empty"))
        #expect(try h.count("SELECT count(*) FROM users WHERE user_id = '45'") == 0)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func aBodyOverTheLimitIs413WhileItIsRead(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store, maxBody: 2_000)
        let records = "[" + (0..<40).map { conversationJSON(id: "\($0)") }.joined(separator: ",") + "]"
        let r = try await h.ingest("conversations", records)
        #expect(r.status == 413)
        #expect(r.error.contains("2000 bytes"))
        // Without a Content-Length (chunked), the limit holds as the body arrives.
        let chunked = try await h.postChunked("/ingest/conversations", (0..<40).map { _ in Array(conversationJSON(id: "1").utf8) })
        #expect(chunked.status == 413)
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        // Under the limit, the same server takes it.
        #expect(try await h.ingest("conversations", conversationJSON(id: "1")).status == 200)
        try await h.stop()
    }
}
