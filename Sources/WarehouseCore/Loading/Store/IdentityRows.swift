/// The SQL behind records kept by contact and time (`ContactIdentity`): which
/// tables hold such rows, a row taken over by a record with its intact ID, and
/// whether a damaged record's conversation or message is stored already under
/// its ID. Native exports never reach past `holds` (one index seek per load unit).
final class IdentityRows {
    private let db: Database
    /// Per table, whether it holds identity rows (read once per unit, then set
    /// as they are written; two fields, not a dictionary: asked once per message).
    private var conversationsHeld: Bool?
    private var messagesHeld: Bool?
    private(set) var damagedIDs = 0
    private(set) var collisions = 0

    init(db: Database) { self.db = db }

    func start() {
        conversationsHeld = nil
        messagesHeld = nil
        damagedIDs = 0
        collisions = 0
    }

    func note(_ event: IdentityEvent) {
        switch event {
        case .damagedID: damagedIDs += 1
        case .collision: collisions += 1
        }
    }

    private static func names(_ table: IdentityTable) -> (table: String, key: String) {
        switch table {
        case .conversations: ("fact_conversation", "conversation_id")
        case .messages: ("fact_message", "message_id")
        }
    }

    /// Identities sort after every export ID in the key's index (`~` is above digits and letters).
    func holds(_ table: IdentityTable) throws -> Bool {
        if let known = table == .conversations ? conversationsHeld : messagesHeld { return known }
        let (name, key) = Self.names(table)
        let found = try db.int64("SELECT count(*) FROM (SELECT 1 FROM \(name) WHERE \(key) >= '~' AND \(key) < '~~' LIMIT 1)") > 0
        if table == .conversations { conversationsHeld = found } else { messagesHeld = found }
        return found
    }

    /// An identity row is being written in this unit.
    func written(_ table: IdentityTable) {
        if table == .conversations { conversationsHeld = true } else { messagesHeld = true }
    }

    func takeOver(_ table: IdentityTable, identity: String, id: UnsafeBufferPointer<UInt8>) throws {
        let (name, key) = Self.names(table)
        let statement = try db.cachedStatement("""
            UPDATE \(name) SET \(key) = ?1, \(key)_as_exported = NULL
            WHERE \(key) = ?2 AND NOT EXISTS (SELECT 1 FROM \(name) WHERE \(key) = ?1)
            """)
        statement.reset()
        statement.bindText(1, id)
        statement.bindText(2, identity)
        try statement.run()
    }

    func intactConversation(contact: Int64, started: Int64) throws -> Bool {
        let minute = started - ((started % 60) + 60) % 60
        let statement = try db.cachedStatement("""
            SELECT 1 FROM fact_conversation
            WHERE contact_key = ? AND started_ts BETWEEN ? AND ? AND conversation_id NOT GLOB '~*' LIMIT 1
            """)
        statement.reset()
        statement.bindInt(1, contact); statement.bindInt(2, minute); statement.bindInt(3, minute + 59)
        defer { statement.reset() }
        return try statement.step()
    }

    func intactMessage(contact: Int64, sent: Int64, contentPrint: UInt64) throws -> Bool {
        let minute = sent - ((sent % 60) + 60) % 60
        let statement = try db.cachedStatement("""
            SELECT content_raw FROM fact_message
            WHERE contact_key = ? AND sent_ts BETWEEN ? AND ? AND message_id NOT GLOB '~*'
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
