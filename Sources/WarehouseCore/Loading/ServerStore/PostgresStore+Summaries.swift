/// What `PostgresStore` brings up to date after a unit's rows: message links, each
/// contact's first conversation, the daily summary and the link counts, from the facts
/// a set at a time (the rules: `MessageLinks`, `FirstConversations`, `DailyMessageSummary`).
extension PostgresStore {
    /// Conversation intervals of `only` these contacts (nil: of every contact).
    func readIntervals(only contacts: Set<Int64>?) throws -> ConversationIntervals {
        let maxContact = try contacts.map { Int($0.max() ?? 0) } ?? Int(try server.int64("SELECT coalesce(max(contact_key), 0) FROM dim_contact"))
        let complete = "started_ts IS NOT NULL AND resolved_ts IS NOT NULL"
        var rows: [(Int64, Int64, Int64, Int64, String)] = []
        if let contacts {
            try server.forEachRow("""
                SELECT contact_key, started_ts, resolved_ts, conversation_key, conversation_id FROM fact_conversation
                WHERE contact_key = ANY($1::bigint[]) AND \(complete)
                """, [ServerArray.integers(contacts)]) { row in
                rows.append((row[0].int64 ?? -1, row[1].int64 ?? 0, row[2].int64 ?? 0, row[3].int64 ?? 0, row[4].string ?? ""))
            }
        } else {
            try forEachPackedConversation(columns: ["contact_key", "started_ts", "resolved_ts", "conversation_key"],
                                          where: "contact_key IS NOT NULL AND \(complete)") { id, row in
                rows.append((row[0] ?? -1, row[1] ?? 0, row[2] ?? 0, row[3] ?? 0, String(decoding: id, as: UTF8.self)))
            }
        }
        return ConversationIntervals(maxContact: maxContact) { add in
            for row in rows { add(row.0, row.1, row.2, row.3, row.4) }
        }
    }

    /// Every conversation `condition` takes: its ID and `columns` (integers), read packed
    /// (`PackedRows`) a range of keys at a time, so that no text the server makes grows
    /// with the table. As rows, the benchmark's 300,000 conversations took 0.59 s to read
    /// for the messages' links, most of it the connection's thread decoding them; packed,
    /// 0.29–0.34 s (the server's making of the text included).
    func forEachPackedConversation(columns: [String], where condition: String,
                                   _ body: (UnsafeBufferPointer<UInt8>, [Int64?]) throws -> Void) throws {
        guard let bounds = try server.query("SELECT min(conversation_key), max(conversation_key) FROM fact_conversation").first,
              let first = bounds[0].int64, let last = bounds[1].int64 else { return }
        var start = first
        while start <= last {
            let end = start + packedKeys
            let packed = try server.query(PackedRows.select(key: "conversation_id", columns: columns, from: """
                FROM fact_conversation WHERE conversation_key >= $1 AND conversation_key < $2 AND \(condition)
                """), [.integer(start), .integer(end)]).first?.first?.string
            if let packed { try PackedRows.forEach(packed, columns: columns.count, body) }
            start = end
        }
    }

    func fewContacts(_ contacts: Set<Int64>) throws -> Bool {
        try MessageLinks.few(contacts.count) { try server.int64("SELECT count(*) FROM dim_contact") }
    }

    /// Links the messages of `contacts` again after their conversations changed (the rule: `MessageLinks`).
    func relink(_ contacts: Set<Int64>) throws {
        intervals = nil
        guard try !server.holdsNone("fact_message") else { return }
        let few = try fewContacts(contacts)
        let intervals = try readIntervals(only: few ? contacts : nil)
        var changes: [(key: Int64, value: Int64?)] = []
        var counts = linkCounts
        try server.forEachRow("""
            SELECT message_key, contact_key, sent_ts, conversation_key FROM fact_message
            WHERE \(few ? "contact_key = ANY($1::bigint[])" : "contact_key IS NOT NULL")
            """, few ? [ServerArray.integers(contacts)] : []) { row in
            guard let message = row[0].int64, let contact = row[1].int64, let sent = row[2].int64, few || contacts.contains(contact) else { return }
            let before = row[3].int64
            let after = intervals.conversation(contact: contact, at: sent)
            guard before != after else { return }
            changes.append((message, after))
            if let before { counts.add(before, -1) }
            if let after { counts.add(after, 1) }
        }
        linkCounts = counts
        try applyChanges(changes, columns: ("message_key", "conversation_key"), apply: """
            UPDATE fact_message m SET conversation_key = c.conversation_key FROM changes c WHERE m.message_key = c.message_key
            """)
    }

    /// Decides which conversations of `contacts` are their first (`FirstConversations`).
    func decideNewContacts(_ contacts: Set<Int64>) throws {
        let few = try fewContacts(contacts)
        var decision = FirstConversations()
        if few {
            try server.forEachRow(NewContacts.rows(where: "contact_key = ANY($1::bigint[])"), [ServerArray.integers(contacts)]) { row in
                guard let contact = row[0].int64, let key = row[2].int64 else { return }
                decision.see(contact: contact, started: row[1].int64, key: key, flagged: row[3].int64 != 0, id: row[4].string ?? "")
            }
        } else {
            try forEachPackedConversation(columns: ["contact_key", "started_ts", "conversation_key", "is_new_contact"],
                                          where: "contact_key IS NOT NULL") { id, row in
                guard let contact = row[0], let key = row[2], contacts.contains(contact) else { return }
                decision.see(contact: contact, started: row[1], key: key, flagged: row[3] != 0, id: String(decoding: id, as: UTF8.self))
            }
        }
        let changes = decision.changes.map { (key: $0.0, value: Int64?($0.1 ? 1 : 0)) }
        try applyChanges(changes, columns: ("conversation_key", "is_new_contact"), apply: """
            UPDATE fact_conversation f SET is_new_contact = c.is_new_contact FROM changes c WHERE f.conversation_key = c.conversation_key
            """)
        try server.execute(NewContacts.withoutContact)
    }

    /// Counts the messages of the days the unit changed again, from the facts; or,
    /// when the unit only inserted messages and the summary held none of their
    /// days, sends its own counts (the first load of the benchmark's 3 million
    /// messages: 2.0 s of counting them again → 0.1 s).
    func redoDays() throws {
        if !messagesReplaced && !messageCounts.isEmpty {
            let days = ServerArray.integers(touchedDays.map(Int64.init))
            if try server.holdsNone("agg_message_daily WHERE sent_date_key = ANY($1::bigint[])", days) {
                var rows = CopyText()
                messageCounts.forEachRow { key, sender, count in
                    rows.int(Int64(key.date)); rows.int(key.source); rows.int(key.channel); rows.text(sender); rows.int(key.user); rows.int(count)
                    rows.endRow()
                }
                try server.copy(into: "agg_message_daily", columns: ["sent_date_key", "source_key", "channel_key", "sender_id", "sender_user_key", "messages"],
                                text: rows.take())
                return
            }
        }
        for range in DailyMessageSummary.ranges(touchedDays) {
            _ = try server.query(DailyMessageSummary.deleteDays, DailyMessageSummary.dateKeys(range))
            _ = try server.query(DailyMessageSummary.redoDays, DailyMessageSummary.instants(range, zone))
        }
    }

    /// Adds the unit's changes of linked messages to `agg_conversation_messages`;
    /// a conversation left with none has no row.
    func addLinkCounts() throws {
        var changes: [(key: Int64, value: Int64?)] = []
        var onlyAdded = true
        linkCounts.forEachChange { key, change in
            changes.append((key, Int64(change)))
            if change < 0 { onlyAdded = false }
        }
        guard !changes.isEmpty else { return }
        // Into an empty summary (a first load's messages) the unit's counts are the rows:
        // sent as they are, not merged (300,000 conversations' counts 1.05 → 0.45 s).
        if onlyAdded, changes.count > Self.arrayChanges,
           try server.holdsNone("agg_conversation_messages") {
            var rows = CopyText(capacity: changes.count * 16)
            for (key, value) in changes {
                rows.int(key); rows.int(value); rows.endRow()
            }
            return try server.copy(into: "agg_conversation_messages", columns: ["conversation_key", "linked_messages"], text: rows.take())
        }
        try applyChanges(changes, columns: ("conversation_key", "linked_messages"), apply: """
            INSERT INTO agg_conversation_messages AS a (conversation_key, linked_messages)
            SELECT conversation_key, linked_messages FROM changes
            ON CONFLICT (conversation_key) DO UPDATE SET linked_messages = a.linked_messages + excluded.linked_messages;
            DELETE FROM agg_conversation_messages a USING changes c
            WHERE a.conversation_key = c.conversation_key AND a.linked_messages = 0
            """)
    }
}
