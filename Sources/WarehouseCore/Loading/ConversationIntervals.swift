/// The [started, resolved] intervals of every conversation, by contact, for
/// linking messages. Contact keys are dense row IDs, so the intervals sit in
/// flat arrays, grouped by contact, with each contact's range found by its key
/// (no hashing, no reference counting per look-up): about 30 bytes a
/// conversation and 4 a contact. Linking 3 million messages (profile of the
/// writing thread): 1.0 s as a dictionary of arrays of structs, 0.5 s here.
struct ConversationIntervals {
    /// The intervals of contact k are at first[k] ..< first[k + 1].
    private var first: [Int32] = []
    private var started: [Int64] = []
    private var resolved: [Int64] = []
    private var keys: [Int64] = []
    /// Conversation IDs, read only to break a tie between equal starts.
    private var ids: [String] = []

    init(_ db: Database) throws {
        let maxContact = Int(try db.int64("SELECT coalesce(max(contact_key), 0) FROM dim_contact"))
        let rows = try db.prepare("""
            SELECT contact_key, started_ts, resolved_ts, conversation_key, conversation_id FROM fact_conversation
            WHERE contact_key IS NOT NULL AND started_ts IS NOT NULL AND resolved_ts IS NOT NULL
            """)
        var contacts: [Int] = [], starts: [Int64] = [], ends: [Int64] = [], keys: [Int64] = [], ids: [String] = []
        var count = [Int32](repeating: 0, count: maxContact + 2)
        while try rows.step() {
            let contact = Int(rows.int64(at: 0))
            guard contact >= 0 && contact <= maxContact else { continue }  // no such contact: links nothing
            contacts.append(contact)
            starts.append(rows.int64(at: 1)); ends.append(rows.int64(at: 2)); keys.append(rows.int64(at: 3))
            ids.append(rows.string(at: 4) ?? "")
            count[contact + 1] += 1
        }
        // Counting sort by contact.
        for k in 1..<count.count { count[k] += count[k - 1] }
        first = count
        var next = count
        started = [Int64](repeating: 0, count: contacts.count)
        resolved = started
        self.keys = started
        self.ids = [String](repeating: "", count: contacts.count)
        for (i, contact) in contacts.enumerated() {
            let slot = Int(next[contact])
            next[contact] += 1
            (started[slot], resolved[slot], self.keys[slot], self.ids[slot]) = (starts[i], ends[i], keys[i], ids[i])
        }
    }

    /// The key of the contact's conversation holding `time` (see `Loader.conversationOf`).
    func conversation(contact: Int64, at time: Int64) -> Int64? {
        guard contact >= 0 && contact < Int64(first.count - 1) else { return nil }
        var best = -1
        for i in Int(first[Int(contact)])..<Int(first[Int(contact) + 1]) where started[i] <= time && time <= resolved[i] {
            if best >= 0 {
                if started[i] < started[best] { continue }
                if started[i] == started[best] && !NaturalID.less(ids[best], ids[i]) { continue }
            }
            best = i
        }
        return best >= 0 ? keys[best] : nil
    }
}
