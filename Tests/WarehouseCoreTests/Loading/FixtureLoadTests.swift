import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

/// The conformance fixtures load with the expected records, rejects and links
/// (`expected/_summary.json`, `expected/_rejects.csv`).
@Suite struct FixtureLoadTests {
    struct Summary: Decodable {
        struct File: Decodable { let file: String; let kind: String; let rows: Int; let rejected: Int }
        let timezone: String
        let files: [File]
        let records: [String: Int]
        let rejected_rows: Int
        let messages_linked: Int
        let messages_unlinked: Int
        let conversations_with_fewer_linked_than_export_messages: Int
        let conversations_with_no_linked_message: Int
        let conversations_with_more_linked_than_export_messages: Int
        let messages_at_a_back_to_back_boundary: Int
    }

    static func expected() throws -> Summary {
        try JSONDecoder().decode(Summary.self, from: Repository.data(Fixtures.small.appendingPathComponent("expected/_summary.json")))
    }

    func loaded(_ store: StoreKind) throws -> (TempDir, TestWarehouse, [LoadSummary]) {
        let dir = try TempDir()
        let warehouse = try dir.warehouse(store, timeZone: try Self.expected().timezone)
        let summaries = try warehouse.loader().load(paths: try Fixtures.exportFiles())
        return (dir, warehouse, summaries)
    }

    @Test(arguments: StoreKind.all) func filesRowsAndRejectsPerFile(_ store: StoreKind) throws {
        let (_, _, summaries) = try loaded(store)
        #expect(try summaries.map(\.fileName) == Self.expected().files.map(\.file))
        for (got, want) in zip(summaries, try Self.expected().files) {
            #expect(got.error == nil, "\(got.fileName): \(got.error ?? "")")
            #expect(got.kind?.rawValue == want.kind, "\(want.file)")
            #expect(got.rowsRead == want.rows, "\(want.file)")
            #expect(got.rejected == want.rejected, "\(want.file)")
            #expect(got.rowsRead == got.inserted + got.updated + got.unchanged + got.rejected, "\(want.file)")
        }
    }

    @Test(arguments: StoreKind.all) func recordCounts(_ store: StoreKind) throws {
        let (_, w, _) = try loaded(store)
        let r = try Self.expected().records
        #expect(try w.db.int("SELECT count(*) FROM conversations") == Int64(r["conversations"]!))
        #expect(try w.db.int("SELECT count(*) FROM messages") == Int64(r["messages"]!))
        #expect(try w.db.int("SELECT count(*) FROM contacts") == Int64(r["contacts"]!))
        #expect(try w.db.int("SELECT count(*) FROM users") == Int64(r["users"]!))
        #expect(try w.db.int("SELECT count(*) FROM channels") == Int64(r["channels"]!))
        #expect(try w.db.int("SELECT count(*) FROM failed_messages") == Int64(r["failed_messages"]!))
    }

    @Test(arguments: StoreKind.all) func rejectedRowsByFileAndLine(_ store: StoreKind) throws {
        let (_, w, _) = try loaded(store)
        let text = try Repository.text(Fixtures.small.appendingPathComponent("expected/_rejects.csv"))
        let expected = text.split(separator: "\n").dropFirst().map { line -> String in
            let parts = line.split(separator: ",", maxSplits: 2)
            return "\(parts[0]):\(parts[1])"
        }.sorted()
        let got = try w.db.rows("SELECT file_name || ':' || line FROM rejected_rows").map { $0[0].description }.sorted()
        #expect(got == expected)
        #expect(try got.count == Self.expected().rejected_rows)
    }

    @Test(arguments: StoreKind.all) func messageLinks(_ store: StoreKind) throws {
        let (_, w, _) = try loaded(store)
        let e = try Self.expected()
        #expect(try w.db.int("SELECT count(*) FROM fact_message WHERE conversation_key IS NOT NULL") == Int64(e.messages_linked))
        #expect(try w.db.int("SELECT count(*) FROM fact_message WHERE conversation_key IS NULL") == Int64(e.messages_unlinked))
        // A message is linked to a conversation of its own contact (which a warehouse distributed by contact joins it by).
        #expect(try w.db.int("""
            SELECT count(*) FROM fact_message m WHERE m.conversation_key IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM fact_conversation c WHERE c.contact_key = m.contact_key AND c.conversation_key = m.conversation_key)
            """) == 0)
        let linkCounts = """
            WITH l AS (SELECT c.incoming_messages + c.outgoing_messages AS exported, count(m.message_key) AS linked
                       FROM fact_conversation c
                       LEFT JOIN fact_message m ON m.contact_key = c.contact_key AND m.conversation_key = c.conversation_key
                       GROUP BY c.conversation_key, c.incoming_messages, c.outgoing_messages)
            """
        #expect(try w.db.int(linkCounts + " SELECT count(*) FROM l WHERE linked < exported") == Int64(e.conversations_with_fewer_linked_than_export_messages))
        #expect(try w.db.int(linkCounts + " SELECT count(*) FROM l WHERE linked = 0") == Int64(e.conversations_with_no_linked_message))
        #expect(try w.db.int(linkCounts + " SELECT count(*) FROM l WHERE linked > exported") == Int64(e.conversations_with_more_linked_than_export_messages))
        // At a back-to-back boundary (A resolved at the second B started) the message goes to B.
        #expect(try w.db.int("""
            SELECT count(*) FROM fact_message m
            JOIN fact_conversation b ON b.contact_key = m.contact_key AND b.conversation_key = m.conversation_key AND b.started_ts = m.sent_ts
            WHERE EXISTS (SELECT 1 FROM fact_conversation a WHERE a.contact_key = b.contact_key
                          AND a.conversation_key <> b.conversation_key AND a.resolved_ts = m.sent_ts)
            """) == Int64(e.messages_at_a_back_to_back_boundary))
    }

    @Test(arguments: StoreKind.all) func reloadingChangesNothing(_ store: StoreKind) throws {
        let (_, w, _) = try loaded(store)
        let dump = try Self.dump(w.db)
        let again = try w.loader().load(paths: try Fixtures.exportFiles())
        #expect(try Self.dump(w.db) == dump)
        #expect(again.allSatisfy { $0.inserted == 0 })
    }

    @Test(arguments: StoreKind.all) func linksDoNotDependOnLoadOrder(_ store: StoreKind) throws {
        let (_, w, _) = try loaded(store)
        let dir = try TempDir()
        let reversed = try dir.warehouse(store, timeZone: try Self.expected().timezone)
        let loader = try reversed.loader()
        // Messages first, conversations last (each its own command).
        let files = try Fixtures.exportFiles()
        for file in files.filter({ $0.contains("messages") }) + files.filter({ !$0.contains("messages") }) {
            #expect(loader.load(path: file).error == nil)
        }
        let links = "SELECT m.message_id, c.conversation_id FROM fact_message m LEFT JOIN fact_conversation c USING (contact_key, conversation_key) ORDER BY 1"
        #expect(try reversed.db.rows(links) == w.db.rows(links))
    }

    /// Every record of every fact and dimension, by natural key (surrogate keys resolved).
    static func dump(_ db: any TestSQL) throws -> [[SQLValue]] {
        try db.rows("SELECT * FROM conversations ORDER BY conversation_id")
            + db.rows("SELECT * FROM messages ORDER BY message_id")
            + db.rows("SELECT * FROM failed_messages ORDER BY message_id")
            + db.rows("SELECT * FROM contacts ORDER BY contact_id")
            + db.rows("SELECT * FROM users ORDER BY user_id")
            + db.rows("SELECT * FROM channels ORDER BY channel_id")
    }
}
