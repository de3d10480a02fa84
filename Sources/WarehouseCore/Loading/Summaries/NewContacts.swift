/// Keeps `fact_conversation.is_new_contact` right: 1 on each contact's first
/// conversation known to the warehouse (earliest start, ties by ID as in
/// `natural_id`), 0 on the others, decided over all conversations whatever
/// source they came from. A file's conversations are written with a first
/// guess (`isFirstSeen`), and the conversations of the contacts the file
/// touched are decided again after its rows (`finish`).
final class NewContacts {
    private let db: Database
    /// Contacts whose conversations the file changed (their old and new contact).
    private(set) var touched: Set<Int64> = []
    private var tableWasEmpty = false

    init(db: Database) { self.db = db }

    func start() throws {
        touched = []
        tableWasEmpty = try db.int64("SELECT NOT EXISTS (SELECT 1 FROM fact_conversation)") == 1
    }

    /// Into an empty table, a contact's first row in the file is stored as its
    /// first conversation: `finish` then only corrects the rows of a file not
    /// in start order, instead of writing every contact's first row again
    /// (300,000 conversations: that step 0.55–1.1 s → 0.3 s).
    func isFirstSeen(_ contact: Int64?) -> Bool {
        tableWasEmpty && contact.map { !touched.contains($0) } ?? false
    }

    func touch(_ contact: Int64?) {
        if let contact { touched.insert(contact) }
    }

    /// Decides which conversations of the touched contacts are their first.
    /// Read in one pass and decided here: a window function over the same rows
    /// sorted every conversation by contact, start and ID (300,000: 1.1 s).
    func finish() throws {
        guard !touched.isEmpty else { return }
        let contacts = touched
        var decision = FirstConversations()
        // All conversations when most contacts were touched, else contact by contact.
        let all = try db.int64("SELECT count(*) FROM dim_contact") < Int64(contacts.count) * 4
        let rows = try db.prepare(all ? Self.allRows : Self.contactRows)
        func scan() throws {
            while try rows.step() {
                let contact = rows.int64(at: 0)
                guard all ? contacts.contains(contact) : true else { continue }
                decision.see(contact: contact, started: rows.isNull(at: 1) ? nil : rows.int64(at: 1), key: rows.int64(at: 2),
                             flagged: rows.int64(at: 3) != 0, id: rows.string(at: 4) ?? "")
            }
        }
        if all {
            try scan()
        } else {
            for contact in contacts {
                rows.reset()
                rows.bindInt(1, contact)
                try scan()
            }
        }
        let update = try db.prepare("UPDATE fact_conversation SET is_new_contact = ? WHERE conversation_key = ?")
        for (key, isNew) in decision.changes {
            update.bindInt(1, isNew ? 1 : 0)
            update.bindInt(2, key)
            try update.run()
        }
        try db.execute(Self.withoutContact)
    }

    /// The rows `FirstConversations` reads: every conversation's, or one contact's (`?`).
    static func rows(where condition: String) -> String {
        "SELECT contact_key, started_ts, conversation_key, is_new_contact, conversation_id FROM fact_conversation WHERE \(condition)"
    }
    static let allRows = rows(where: "contact_key IS NOT NULL")
    static let contactRows = rows(where: "contact_key = ?")
    /// A conversation without a contact is always a new contact's.
    static let withoutContact = "UPDATE fact_conversation SET is_new_contact = 1 WHERE contact_key IS NULL AND is_new_contact = 0"
}

/// The rule of `is_new_contact`, decided over the conversations of some
/// contacts as they are read (in any order): each contact's first is the one
/// that started first, ties by ID in the natural ID order; one without a
/// start is never the first.
struct FirstConversations {
    private struct First { var started: Int64; var key: Int64; var id: String }
    private var first: [Int64: First] = [:]
    /// Conversation key -> is_new_contact as stored.
    private var flagged: [Int64: Bool] = [:]

    mutating func see(contact: Int64, started: Int64?, key: Int64, flagged isFlagged: Bool, id: @autoclosure () -> String) {
        flagged[key] = isFlagged
        guard let started else { return }
        if let best = first[contact] {
            if started > best.started { return }
            let id = id()
            if started == best.started && !NaturalID.less(id, best.id) { return }
            first[contact] = First(started: started, key: key, id: id)
        } else {
            first[contact] = First(started: started, key: key, id: id())
        }
    }

    /// The conversations whose stored flag is wrong, with the right one.
    var changes: [(key: Int64, isNew: Bool)] {
        let newKeys = Set(first.values.map(\.key))
        return flagged.compactMap { key, stored in stored != newKeys.contains(key) ? (key, !stored) : nil }
    }
}
