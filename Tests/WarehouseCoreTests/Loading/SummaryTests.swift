import Foundation
import Testing
@testable import WarehouseCore

/// The summaries the reports read must always equal what they summarise,
/// however the facts got there: new files, replaced records, any load order.
@Suite struct SummaryTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    static let messagesFromFacts = """
        SELECT m.sent_date_key, m.source_key, m.channel_key,
               CASE WHEN s.direction = 'outgoing' THEN m.sender_id END, m.sender_user_key, count(*)
        FROM fact_message m JOIN dim_message_source s ON s.source_key = m.source_key
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        """
    /// The summary by natural values (keys differ between warehouses).
    static let summaryByName = """
        SELECT a.sent_date_key, s.sender_type, ch.channel_id, a.sender_id, u.user_id, CAST(sum(a.messages) AS BIGINT)
        FROM agg_message_daily a JOIN dim_message_source s ON s.source_key = a.source_key
        LEFT JOIN dim_channel ch ON ch.channel_key = a.channel_key LEFT JOIN dim_user u ON u.user_key = a.sender_user_key
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        """
    static let messagesFromSummary = """
        SELECT sent_date_key, source_key, channel_key, sender_id, sender_user_key, CAST(sum(messages) AS BIGINT)
        FROM agg_message_daily GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        """
    /// (The natural ID order is a collation on SQLite, a sort key function on PostgreSQL.)
    static func newContactsFromFacts(_ store: StoreKind) -> String { """
        SELECT conversation_key FROM fact_conversation WHERE contact_key IS NULL
        UNION
        SELECT conversation_key FROM (
            SELECT conversation_key, row_number() OVER (PARTITION BY contact_key
                ORDER BY started_ts, \(store == .file ? "conversation_id COLLATE natural_id" : "natural_id_key(conversation_id)")) AS n
            FROM fact_conversation WHERE started_ts IS NOT NULL) AS firsts
        WHERE n = 1
        ORDER BY 1
        """ }

    func check(_ w: TestWarehouse, _ step: String) throws {
        #expect(try w.db.rows(Self.messagesFromSummary) == w.db.rows(Self.messagesFromFacts), "\(step): agg_message_daily")
        #expect(try w.db.rows("SELECT conversation_key, linked_messages FROM agg_conversation_messages ORDER BY 1")
                == w.db.rows("SELECT conversation_key, count(*) FROM fact_message WHERE conversation_key IS NOT NULL GROUP BY 1 ORDER BY 1"),
                "\(step): agg_conversation_messages")
        #expect(try w.db.rows("SELECT conversation_key FROM fact_conversation WHERE is_new_contact = 1 ORDER BY 1")
                == w.db.rows(Self.newContactsFromFacts(w.store)), "\(step): is_new_contact")
    }

    func load(_ w: TestWarehouse, _ name: String, _ text: String) throws {
        let summary = try w.loader().load(path: try dir.write(name, text))
        #expect(summary.error == nil)
        #expect(summary.rejected == 0, "\(summary.rejects)")
    }

    @Test(arguments: StoreKind.all) func aFirstFileOutOfStartOrderStillFlagsEachContactsFirst(_ store: StoreKind) throws {
        // Into an empty table a contact's first row in the file is stored as its
        // first conversation; a later row that started earlier must take it over.
        let w = try dir.warehouse(store)
        try load(w, "c.csv", ([legacyConversationHeader] + [
            conversation("50", "2025-03-10 10:00:00", "2025-03-10 11:00:00"),
            conversation("60", "2025-03-12 10:00:00", "2025-03-12 11:00:00", contact: "c2"),
            conversation("40", "2025-03-09 10:00:00", "2025-03-09 11:00:00"),
            conversation("45", "2025-03-09 10:00:00", "2025-03-09 12:00:00"),
            conversation("70", "2025-03-13 10:00:00", "2025-03-13 11:00:00", contact: "c2"),
        ]).joined(separator: "\n"))
        try check(w, "out of order")
        #expect(try w.db.rows("SELECT conversation_id FROM fact_conversation WHERE is_new_contact = 1 ORDER BY 1")
                == [[.text("40")], [.text("60")]])
    }

    @Test(arguments: StoreKind.all) func summariesFollowEveryLoad(_ store: StoreKind) throws {
        let w = try dir.warehouse(store, timeZone: "Europe/Berlin")
        try load(w, "m1.csv", ([messageHeader] + [
            message("1", "2025-03-29 23:30:00"), message("2", "2025-03-30 01:30:00", senderType: "user", sender: "u1"),
            message("3", "2025-03-30 03:30:00", senderType: "workflow", sender: "wf", channel: "ch2"),
            message("4", "2025-03-31 10:00:00", contact: "c2"),
        ]).joined(separator: "\n"))
        try check(w, "first messages")
        // Replaced: message 2 moves to another day and channel, 3 to another source; 5 is new.
        try load(w, "m2.csv", ([messageHeader] + [
            message("2", "2025-04-02 09:00:00", senderType: "user", sender: "u2", channel: "ch3"),
            message("3", "2025-03-30 03:30:00", senderType: "broadcast", sender: "b", channel: "ch2"),
            message("5", "2025-04-20 09:00:00", contact: "c3"),
        ]).joined(separator: "\n"))
        try check(w, "replaced messages")
        #expect(try w.db.int("SELECT count(*) FROM agg_message_daily WHERE sent_date_key = 20250330") == 1)

        try load(w, "c1.csv", ([legacyConversationHeader] + [
            conversation("20", "2025-03-29 23:00:00", "2025-03-30 03:30:00"),
            conversation("100", "2025-03-29 23:00:00", "2025-03-30 01:00:00"),
            conversation("30", "2025-03-31 09:00:00", "2025-03-31 11:00:00", contact: "c2"),
        ]).joined(separator: "\n"))
        try check(w, "conversations")
        // 20 and 100 start together: 20 is first (as numbers). Then an earlier one arrives for c1.
        #expect(try w.db.text("SELECT conversation_id FROM fact_conversation WHERE is_new_contact = 1 AND contact_key = (SELECT contact_key FROM dim_contact WHERE contact_id = 'c1')") == "20")
        try load(w, "c2.csv", ([legacyConversationHeader] + [
            conversation("7", "2025-03-20 09:00:00", "2025-03-20 10:00:00"),
            conversation("30", "2025-03-31 09:00:00", "2025-03-31 11:00:00", contact: "c3"),
        ]).joined(separator: "\n"))
        try check(w, "an earlier conversation and a contact change")
        #expect(try w.db.text("SELECT conversation_id FROM fact_conversation WHERE is_new_contact = 1 AND contact_key = (SELECT contact_key FROM dim_contact WHERE contact_id = 'c1')") == "7")
    }

    @Test(arguments: StoreKind.all) func linkCountsFollowInsertsReplacementsAndRelinks(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        try load(w, "c1.csv", ([legacyConversationHeader] + [
            conversation("10", "2025-03-10 09:00:00", "2025-03-10 12:00:00"),
            conversation("11", "2025-03-11 09:00:00", "2025-03-11 12:00:00"),
            conversation("20", "2025-03-10 09:00:00", "2025-03-10 12:00:00", contact: "c2"),
        ]).joined(separator: "\n"))
        try check(w, "conversations, no messages")
        #expect(try w.db.int("SELECT count(*) FROM agg_conversation_messages") == 0)
        // Inserted with their links; message 3 twice in the file, the second time in another conversation.
        try load(w, "m1.csv", ([messageHeader] + [
            message("1", "2025-03-10 10:00:00"), message("2", "2025-03-10 11:00:00"),
            message("3", "2025-03-10 11:30:00"), message("4", "2025-03-10 10:00:00", contact: "c2"),
            message("3", "2025-03-11 10:00:00"), message("5", "2025-03-12 10:00:00"),
        ]).joined(separator: "\n"))
        try check(w, "messages inserted")
        func linked(_ id: String) throws -> Int64? {
            try w.db.int("""
                SELECT coalesce(sum(a.linked_messages), 0) FROM agg_conversation_messages a
                JOIN fact_conversation c ON c.conversation_key = a.conversation_key WHERE c.conversation_id = '\(id)'
                """)
        }
        #expect(try [linked("10"), linked("11"), linked("20")] == [2, 1, 1])
        // Replaced by a later export: 1 moves to conversation 11, 4 to no conversation, 2 to contact c2's.
        try load(w, "m2.csv", ([messageHeader] + [
            message("1", "2025-03-11 10:00:00"), message("4", "2025-03-13 10:00:00", contact: "c2"),
            message("2", "2025-03-10 11:00:00", contact: "c2"), message("5", "2025-03-12 10:00:00"),
        ]).joined(separator: "\n"))
        try check(w, "messages replaced")
        #expect(try [linked("10"), linked("11"), linked("20")] == [0, 2, 1])
        // Conversations change: 11 now ends earlier (its 10:00 messages leave it), 20 moves to contact c1.
        try load(w, "c2.csv", ([legacyConversationHeader] + [
            conversation("11", "2025-03-11 09:00:00", "2025-03-11 09:30:00"),
            conversation("20", "2025-03-10 09:00:00", "2025-03-10 12:00:00", contact: "c1"),
        ]).joined(separator: "\n"))
        try check(w, "conversations changed")
        #expect(try [linked("10"), linked("11"), linked("20")] == [0, 0, 0])
    }

    @Test(arguments: StoreKind.all) func theFixturesInEveryOrderGiveTheSameSummaries(_ store: StoreKind) throws {
        let files = try Fixtures.exportFiles()
        var results: [[[SQLValue]]] = []
        for (i, order) in [files, files.reversed()].enumerated() {
            let w = try dir.warehouse(store, timeZone: "Asia/Kuala_Lumpur", name: "w\(i).db")
            for file in order { #expect(try w.loader().load(path: file).error == nil) }
            try check(w, "order \(i)")
            results.append(try w.db.rows(Self.summaryByName))
        }
        #expect(results[0].count > 100)
        #expect(results[0] == results[1], "the summaries of the two orders differ")
    }
}
