/// Which conversation each message belongs to (`fact_message.conversation_key`):
/// the conversation of the same contact whose [started, resolved] interval
/// holds the message time, ends included; where two do, the later-started one
/// (then the larger conversation ID, all-digit IDs compared as numbers). Kept
/// right whichever kind loads first: a message is linked as it is written, and
/// the messages of contacts whose conversations changed are linked again.
/// Each change of a link is counted in `agg_conversation_messages`.
final class MessageLinks {
    private let db: Database
    private let counts: ConversationMessageCounts
    /// Every conversation's interval by contact, read once per file that links
    /// messages: a look-up in memory per message instead of a query.
    private var intervals: ConversationIntervals?

    init(db: Database, counts: ConversationMessageCounts) {
        self.db = db
        self.counts = counts
    }

    /// Forgets the intervals (a file changed them, or its transaction rolled back).
    func start() { intervals = nil }

    /// The conversation a message of `contact` at `time` belongs to.
    func conversation(contact: Int64, at time: Int64) throws -> Int64? {
        if intervals == nil { intervals = try ConversationIntervals(db) }
        return intervals!.conversation(contact: contact, at: time)
    }

    /// A re-link reads only its contacts' conversations, through the contact
    /// index, unless they are a quarter of all contacts or more (the rule
    /// `NewContacts` uses): then one pass over every conversation costs less.
    func fewContacts(_ contacts: Set<Int64>) throws -> Bool {
        try Self.few(contacts.count) { try db.int64("SELECT count(*) FROM dim_contact") }
    }

    /// Whether `count` contacts are few: a thousand, or under a quarter of `all`.
    static func few(_ count: Int, of all: () throws -> Int64) rethrows -> Bool {
        if count <= 1_000 { return true }
        return Int64(count) * 4 < (try all())
    }

    /// Links the messages of `contacts` again after their conversations changed.
    func relink(_ contacts: Set<Int64>) throws {
        intervals = nil  // the file changed them
        guard try db.int64("SELECT EXISTS (SELECT 1 FROM fact_message)") == 1 else { return }
        // A few contacts (a request's records, a webhook event): their own intervals, not every conversation's.
        let few = try fewContacts(contacts) ? try ConversationIntervals(db, only: contacts) : nil
        let messages = try db.prepare("SELECT message_key, sent_ts, conversation_key FROM fact_message WHERE contact_key = ?")
        let update = try db.prepare("UPDATE fact_message SET conversation_key = ? WHERE message_key = ?")
        for contact in contacts {
            messages.reset()
            messages.bindInt(1, contact)
            var changes: [(Int64, Int64?)] = []
            while try messages.step() {
                let old: Int64? = messages.isNull(at: 2) ? nil : messages.int64(at: 2)
                let new = try few.map { $0.conversation(contact: contact, at: messages.int64(at: 1)) }
                    ?? conversation(contact: contact, at: messages.int64(at: 1))
                if new != old {
                    changes.append((messages.int64(at: 0), new))
                    if let old { counts.add(old, -1) }
                    if let new { counts.add(new, 1) }
                }
            }
            for (message, conversation) in changes {
                update.reset()
                try update.bind([conversation.map(SQLValue.integer) ?? .null, .integer(message)])
                try update.run()
            }
        }
    }
}
