/// Keeps `agg_conversation_messages` (each conversation's count of linked
/// messages; Schema/006_conversation_message_counts.sql) right through inserts,
/// replacements and re-links, whichever source the records came from:
/// - messages inserted or re-linked are counted in memory (`LinkCounts`) and
///   added after the file's rows;
/// - a message replaced by a later record (the upsert sets `row_hash`; a
///   re-link sets only `conversation_key` and is counted in memory) moves its
///   count through a trigger (`message_relinked`).
final class ConversationMessageCounts {
    private let db: Database
    private var counts = LinkCounts()

    init(db: Database) throws {
        self.db = db
        // A count may pass through a missing row or below 0: the file's own
        // changes are added after its rows.
        try db.execute("""
            CREATE TEMP TRIGGER IF NOT EXISTS message_relinked
            AFTER UPDATE OF row_hash ON main.fact_message
            WHEN old.conversation_key IS NOT new.conversation_key
            BEGIN
                INSERT INTO agg_conversation_messages (conversation_key, linked_messages)
                SELECT key, 0 FROM (SELECT old.conversation_key AS key UNION SELECT new.conversation_key)
                WHERE key IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM agg_conversation_messages WHERE conversation_key = key);
                UPDATE agg_conversation_messages SET linked_messages = linked_messages - 1
                WHERE conversation_key = old.conversation_key;
                UPDATE agg_conversation_messages SET linked_messages = linked_messages + 1
                WHERE conversation_key = new.conversation_key;
            END;
            """)
    }

    func start() {
        counts = LinkCounts()
        replaced = false
    }

    /// Whether the unit replaced a message (the trigger may then have moved counts to 0 anywhere).
    private var replaced = false

    /// A message was replaced by a later record.
    func messageReplaced() { replaced = true }

    /// A message linked to (`change` 1) or unlinked from (-1) `conversation`.
    func add(_ conversation: Int64, _ change: Int32) { counts.add(conversation, change) }

    /// Adds the file's changes to the stored counts; a conversation left with
    /// no linked message has no row.
    func finish() throws {
        let written = try counts.add(to: db)
        // By key unless the unit wrote a quarter of the counts or more (then one scan costs less).
        let stored = written.count <= 1_000 ? 0 : try db.int64("SELECT coalesce(max(conversation_key), 0) FROM agg_conversation_messages")
        let few = written.count <= 1_000 || Int64(written.count) * 4 < stored
        if !replaced && few {
            // Only the counts this unit wrote can have reached 0: found by key,
            // not by reading the whole table (a request of one record into
            // 300,000 conversations: 10 ms → well under 1 ms).
            let delete = try db.prepare("DELETE FROM agg_conversation_messages WHERE conversation_key = ? AND linked_messages = 0")
            for key in written {
                delete.reset()
                delete.bindInt(1, key)
                try delete.run()
            }
        } else {
            try db.execute("DELETE FROM agg_conversation_messages WHERE linked_messages = 0")
        }
    }
}

/// Changes to each conversation's count of linked messages made by one file
/// (messages inserted, messages re-linked), added to `agg_conversation_messages`
/// after its rows. Conversation keys are dense row IDs, so the counts sit in an
/// array by key; a key beyond `denseLimit` (only made by hand-written rows)
/// goes to a dictionary, so memory stays bounded.
struct LinkCounts {
    static let denseLimit: Int64 = 1 << 22
    private var dense: [Int32] = []
    private var sparse: [Int64: Int32] = [:]
    private(set) var isEmpty = true

    mutating func add(_ conversation: Int64, _ change: Int32) {
        isEmpty = false
        guard conversation >= 0 && conversation < Self.denseLimit else {
            sparse[conversation, default: 0] += change
            return
        }
        let slot = Int(conversation)
        if slot >= dense.count {
            dense.append(contentsOf: repeatElement(0, count: max(slot + 1, dense.count * 2) - dense.count))
        }
        dense[slot] += change
    }

    /// Adds the changes to the stored counts; returns the conversations whose count changed.
    @discardableResult
    func add(to db: Database) throws -> [Int64] {
        guard !isEmpty else { return [] }
        var written: [Int64] = []
        let upsert = try db.prepare("""
            INSERT INTO agg_conversation_messages (conversation_key, linked_messages) VALUES (?, ?)
            ON CONFLICT (conversation_key) DO UPDATE SET linked_messages = linked_messages + excluded.linked_messages
            """)
        func write(_ key: Int64, _ change: Int32) throws {
            upsert.reset()
            upsert.bindInt(1, key)
            upsert.bindInt(2, Int64(change))
            try upsert.run()
            written.append(key)
        }
        try forEachChange(write)
        return written
    }

    /// Each conversation's change, by key.
    func forEachChange(_ body: (Int64, Int32) throws -> Void) rethrows {
        for (key, change) in dense.enumerated() where change != 0 { try body(Int64(key), change) }
        for (key, change) in sparse.sorted(by: { $0.key < $1.key }) where change != 0 { try body(key, change) }
    }
}
