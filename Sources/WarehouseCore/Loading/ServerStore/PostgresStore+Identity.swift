/// The PostgreSQL store's records kept by contact and time (SPEC 1: an ID a
/// spreadsheet damaged): the same questions `SQLiteStore` answers, each a statement.
extension PostgresStore {
    func holdsIdentities(_ table: IdentityTable) throws -> Bool {
        try identities.holds(table) { try server.int64(IdentityRows.holdsSQL(table)) > 0 }
    }

    func takeOver(_ table: IdentityTable, identity: String, id: String) throws {
        try leaveBulk()
        try flush()
        let (name, key) = IdentityRows.names(table)
        let renamed = try server.query("""
            UPDATE \(name) SET \(key) = $1, \(key)_as_exported = NULL
            WHERE \(key) = $2 AND NOT EXISTS (SELECT 1 FROM \(name) WHERE \(key) = $1) RETURNING 1
            """, [.text(id), .text(identity)])
        defer { for writer in liveWriters { writer.invalidate() } }
        guard renamed.isEmpty, table != .conversations else { return }
        // A message edited between two damaged exports was kept twice; the intact export names it once.
        let deleted = try server.query("""
            DELETE FROM \(name) WHERE \(key) = $2 AND EXISTS (SELECT 1 FROM \(name) WHERE \(key) = $1)
            RETURNING \(table == .messages ? "sent_date_key, conversation_key" : "NULL, NULL")
            """, [.text(id), .text(identity)])
        for row in deleted {
            messagesReplaced = true
            if let day = row[0].int64 { touchedDays.insert(Int(day)) }
            if let conversation = row[1].int64 { linkCounts.add(conversation, -1) }
        }
    }

    func intactConversation(contact: Int64, started: Int64) throws -> Bool {
        try leaveBulk()
        try flush()
        let minute = ContactIdentity.minuteStart(started)
        return try !server.query("""
            SELECT 1 FROM fact_conversation
            WHERE contact_key = $1 AND started_ts BETWEEN $2 AND $3 AND conversation_id NOT LIKE '~%' LIMIT 1
            """, [.integer(contact), .integer(minute), .integer(minute + 59)]).isEmpty
    }

    func intactMessage(_ table: IdentityTable, contact: Int64, sent: Int64, contentPrint: UInt64) throws -> Bool {
        try leaveBulk()
        try flush()
        let minute = ContactIdentity.minuteStart(sent)
        let rows = try server.query(table == .messages ? """
            SELECT content_raw FROM fact_message
            WHERE contact_key = $1 AND sent_ts BETWEEN $2 AND $3 AND message_id NOT LIKE '~%'
            """ : """
            SELECT failure_reason FROM fact_failed_message
            WHERE contact_key = $1 AND failed_ts BETWEEN $2 AND $3 AND message_id NOT LIKE '~%'
            """, [.integer(contact), .integer(minute), .integer(minute + 59)])
        return rows.contains { row in
            var content = row[0].string ?? ""
            return content.withUTF8 { ContactIdentity.contentPrint($0) } == contentPrint
        }
    }

    func note(_ event: IdentityEvent) { identities.note(event) }
    func identityWritten(_ table: IdentityTable) { identities.written(table) }
    var identityCounts: IdentityCounts { identities.counts }
}
