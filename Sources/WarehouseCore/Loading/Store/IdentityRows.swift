/// The SQL behind records kept by contact and time (`ContactIdentity`): which
/// tables hold such rows, a row taken over by a record with its intact ID, and
/// whether a damaged record's conversation or message is stored already under
/// its ID. Native exports never reach past `holds` (one index seek per load unit).
final class IdentityRows {
    private let db: Database
    private(set) var tally = IdentityTally()

    init(db: Database) { self.db = db }

    func start() { tally = IdentityTally() }
    func note(_ event: IdentityEvent) { tally.note(event) }

    static func names(_ table: IdentityTable) -> (table: String, key: String) {
        switch table {
        case .conversations: ("fact_conversation", "conversation_id")
        case .messages: ("fact_message", "message_id")
        case .failedMessages: ("fact_failed_message", "message_id")
        }
    }

    /// Identities sort after every export ID in the key's index (`~` is above digits and letters).
    func holds(_ table: IdentityTable) throws -> Bool {
        try tally.holds(table) { try db.int64(Self.holdsSQL(table)) > 0 }
    }

    /// Counts 1 when `table` holds a row kept by contact and time, else 0 (SQLite's and PostgreSQL's SQL).
    static func holdsSQL(_ table: IdentityTable) -> String {
        let (name, key) = names(table)
        return "SELECT count(*) FROM (SELECT 1 FROM \(name) WHERE \(key) >= '~' AND \(key) < '~~' LIMIT 1) t"
    }

    /// An identity row is being written in this unit.
    func written(_ table: IdentityTable) { tally.written(table) }

    /// What `takeOver` did with a row kept under an identity.
    enum TakeOver {
        /// No such row, or it became the intact ID's row.
        case none, renamed
        /// The intact ID was stored already: the row was the same message
        /// twice, and was deleted (a message's day and conversation, for the
        /// summaries; nil for a failed message, which is in none).
        case deleted(date: Int?, conversation: Int64?)
    }

    func takeOver(_ table: IdentityTable, identity: String, id: String) throws -> TakeOver {
        let (name, key) = Self.names(table)
        let rename = try db.cachedStatement("""
            UPDATE \(name) SET \(key) = ?1, \(key)_as_exported = NULL
            WHERE \(key) = ?2 AND NOT EXISTS (SELECT 1 FROM \(name) WHERE \(key) = ?1)
            """)
        rename.reset()
        rename.bindText(1, id)
        rename.bindText(2, identity)
        try rename.run()
        if db.changes > 0 { return .renamed }
        // A message edited between two damaged exports was kept twice (its
        // content is part of its identity); the intact export names it once.
        guard table != .conversations else { return .none }
        let duplicate = try db.cachedStatement(table == .messages ? """
            DELETE FROM fact_message
            WHERE message_id = ?2 AND EXISTS (SELECT 1 FROM fact_message WHERE message_id = ?1)
            RETURNING sent_date_key, conversation_key
            """ : """
            DELETE FROM fact_failed_message
            WHERE message_id = ?2 AND EXISTS (SELECT 1 FROM fact_failed_message WHERE message_id = ?1)
            RETURNING NULL, NULL
            """)
        duplicate.reset()
        duplicate.bindText(1, id)
        duplicate.bindText(2, identity)
        defer { duplicate.reset() }
        guard try duplicate.step() else { return .none }
        let deleted = TakeOver.deleted(date: duplicate.isNull(at: 0) ? nil : Int(duplicate.int64(at: 0)),
                                       conversation: duplicate.isNull(at: 1) ? nil : duplicate.int64(at: 1))
        while try duplicate.step() {}
        return deleted
    }

    func intactConversation(contact: Int64, started: Int64) throws -> Bool {
        let minute = ContactIdentity.minuteStart(started)
        let statement = try db.cachedStatement("""
            SELECT 1 FROM fact_conversation
            WHERE contact_key = ? AND started_ts BETWEEN ? AND ? AND conversation_id NOT GLOB '~*' LIMIT 1
            """)
        statement.reset()
        statement.bindInt(1, contact); statement.bindInt(2, minute); statement.bindInt(3, minute + 59)
        defer { statement.reset() }
        return try statement.step()
    }

    func intactMessage(_ table: IdentityTable, contact: Int64, sent: Int64, contentPrint: UInt64) throws -> Bool {
        let minute = ContactIdentity.minuteStart(sent)
        let statement = try db.cachedStatement(table == .messages ? """
            SELECT content_raw FROM fact_message
            WHERE contact_key = ? AND sent_ts BETWEEN ? AND ? AND message_id NOT GLOB '~*'
            """ : """
            SELECT failure_reason FROM fact_failed_message
            WHERE contact_key = ? AND failed_ts BETWEEN ? AND ? AND message_id NOT GLOB '~*'
            """)
        statement.reset()
        statement.bindInt(1, contact); statement.bindInt(2, minute); statement.bindInt(3, minute + 59)
        defer { statement.reset() }
        while try statement.step() {
            if ContactIdentity.contentPrint(statement.textBytes(at: 0)) == contentPrint { return true }
        }
        return false
    }
}

/// What a load unit counted of records kept by contact and time, and which
/// tables hold such rows (read once per unit, then set as they are written:
/// three fields, not a dictionary, as it is asked once per message).
struct IdentityTally {
    private var held: [Bool?] = [nil, nil, nil]
    private(set) var counts = IdentityCounts()

    private static func slot(_ table: IdentityTable) -> Int {
        switch table {
        case .conversations: 0
        case .messages: 1
        case .failedMessages: 2
        }
    }

    /// Whether `table` holds identity rows: known, or asked once (`ask`) and then known.
    mutating func holds(_ table: IdentityTable, ask: () throws -> Bool) rethrows -> Bool {
        if let known = held[Self.slot(table)] { return known }
        let found = try ask()
        held[Self.slot(table)] = found
        return found
    }

    mutating func note(_ event: IdentityEvent) {
        switch event {
        case .damagedID: counts.damagedIDs += 1
        case .collision: counts.collisions += 1
        }
    }

    /// An identity row is being written.
    mutating func written(_ table: IdentityTable) {
        held[Self.slot(table)] = true
        counts.kept += 1
    }
}
