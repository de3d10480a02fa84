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

    /// Adds the changes to the stored counts.
    func add(to db: Database) throws {
        guard !isEmpty else { return }
        let upsert = try db.prepare("""
            INSERT INTO agg_conversation_messages (conversation_key, linked_messages) VALUES (?, ?)
            ON CONFLICT (conversation_key) DO UPDATE SET linked_messages = linked_messages + excluded.linked_messages
            """)
        func write(_ key: Int64, _ change: Int32) throws {
            upsert.reset()
            upsert.bindInt(1, key)
            upsert.bindInt(2, Int64(change))
            try upsert.run()
        }
        for (key, change) in dense.enumerated() where change != 0 { try write(Int64(key), change) }
        for (key, change) in sparse.sorted(by: { $0.key < $1.key }) where change != 0 { try write(key, change) }
    }
}
