/// The [started, resolved] intervals of every conversation, by contact, for
/// linking messages. Contact keys are dense row IDs, so the intervals sit in
/// a flat array, grouped by contact, with each contact's range found by its key
/// (no hashing, no reference counting per look-up): about 40 bytes a
/// conversation and 4 a contact. Linking 3 million messages (profile of the
/// writing thread): 1.0 s as a dictionary of arrays of structs, 0.5 s here.
/// An interval's start, end and key sit together, so a look-up reads one cache
/// line per conversation, not one per field.
struct ConversationIntervals {
    private struct Interval {
        var started: Int64
        var resolved: Int64
        var key: Int64
    }

    /// The intervals of contact k are at first[k] ..< first[k + 1].
    private var first: [Int32] = []
    private var intervals: [Interval] = []
    /// Conversation IDs, read only to break a tie between equal starts.
    private var ids: [String] = []

    init(_ db: Database) throws {
        try self.init(db, only: nil)
    }

    /// The intervals of `only` these contacts (nil: of every contact), each
    /// read through the contact index: a unit of a few records (a request of
    /// `warehouse serve`) re-links its contacts' messages without reading
    /// every conversation (one conversation into 300,000: 0.40 s → well under 1 ms).
    init(_ db: Database, only wanted: Set<Int64>?) throws {
        let maxContact = try wanted.map { Int($0.max() ?? 0) } ?? Int(try db.int64("SELECT coalesce(max(contact_key), 0) FROM dim_contact"))
        let rows = try db.prepare("""
            SELECT contact_key, started_ts, resolved_ts, conversation_key, conversation_id FROM fact_conversation
            WHERE \(wanted == nil ? "contact_key IS NOT NULL" : "contact_key = ?") AND started_ts IS NOT NULL AND resolved_ts IS NOT NULL
            """)
        try self.init(maxContact: maxContact) { add in
            for wantedContact in wanted.map({ $0.map(Optional.some) }) ?? [nil] {
                rows.reset()
                if let wantedContact { rows.bindInt(1, wantedContact) }
                while try rows.step() {
                    add(rows.int64(at: 0), rows.int64(at: 1), rows.int64(at: 2), rows.int64(at: 3), rows.string(at: 4) ?? "")
                }
            }
        }
    }

    /// The intervals `read` adds (contact, started, resolved, conversation key,
    /// conversation ID), of contacts keyed up to `maxContact` (a larger key links nothing).
    init(maxContact: Int, read: (_ add: (Int64, Int64, Int64, Int64, String) -> Void) throws -> Void) rethrows {
        var contacts: [Int] = [], starts: [Int64] = [], ends: [Int64] = [], keys: [Int64] = [], ids: [String] = []
        var count = [Int32](repeating: 0, count: maxContact + 2)
        try read { contactKey, started, resolved, key, id in
            let contact = Int(contactKey)
            guard contact >= 0 && contact <= maxContact else { return }  // no such contact: links nothing
            contacts.append(contact)
            starts.append(started); ends.append(resolved); keys.append(key)
            ids.append(id)
            count[contact + 1] += 1
        }
        // Counting sort by contact.
        for k in 1..<count.count { count[k] += count[k - 1] }
        first = count
        var next = count
        intervals = [Interval](repeating: Interval(started: 0, resolved: 0, key: 0), count: contacts.count)
        self.ids = [String](repeating: "", count: contacts.count)
        for (i, contact) in contacts.enumerated() {
            let slot = Int(next[contact])
            next[contact] += 1
            intervals[slot] = Interval(started: starts[i], resolved: ends[i], key: keys[i])
            self.ids[slot] = ids[i]
        }
    }

    /// The key of the contact's conversation holding `time` (the rule: `MessageLinks`).
    func conversation(contact: Int64, at time: Int64) -> Int64? {
        guard contact >= 0 && contact < Int64(first.count - 1) else { return nil }
        var best = -1
        for i in Int(first[Int(contact)])..<Int(first[Int(contact) + 1]) where intervals[i].started <= time && time <= intervals[i].resolved {
            if best >= 0 {
                if intervals[i].started < intervals[best].started { continue }
                if intervals[i].started == intervals[best].started && !NaturalID.less(ids[best], ids[i]) { continue }
            }
            best = i
        }
        return best >= 0 ? intervals[best].key : nil
    }
}
