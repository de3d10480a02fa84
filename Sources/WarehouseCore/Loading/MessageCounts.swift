/// The messages a file inserted, counted per row of `agg_message_daily` (local
/// day, source, channel, sender) as they are written, and added to the summary
/// after the file's rows: no second pass over the messages.
struct MessageCounts {
    struct Key: Hashable {
        var date: Int
        var source: Int64
        var channel: Int64?
        /// Index into `senders`; nil for incoming messages or no sender.
        var sender: Int32?
        var user: Int64?
    }

    private var counts: [Int64] = []
    private var rows: [Key] = []
    /// Summary rows by their values (date, source, channel, user, sender bytes) as bytes.
    private var slots = KeyCache()
    private var senders: [String] = []
    private var senderIndex = KeyCache()

    mutating func add(date: Int, source: Int64, channel: Int64?, sender: UnsafeBufferPointer<UInt8>?, user: Int64?) {
        // The row's values as bytes: 4 words, then the sender's bytes.
        let senderCount = sender?.count ?? 0
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 33 + senderCount) { buffer in
            let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
            raw.storeBytes(of: Int64(date), toByteOffset: 0, as: Int64.self)
            raw.storeBytes(of: source, toByteOffset: 8, as: Int64.self)
            raw.storeBytes(of: channel ?? -1, toByteOffset: 16, as: Int64.self)
            raw.storeBytes(of: user ?? -1, toByteOffset: 24, as: Int64.self)
            raw.storeBytes(of: sender == nil ? 0 : 1, toByteOffset: 32, as: UInt8.self)
            if let sender, let base = sender.baseAddress { (raw + 33).copyMemory(from: base, byteCount: senderCount) }
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress, count: 33 + senderCount)
            let hash = KeyCache.hash(bytes)
            if let slot = slots.key(bytes, hash: hash) {
                counts[Int(slot)] += 1
            } else {
                let index: Int32? = if let sender { intern(sender) } else { nil }
                rows.append(Key(date: date, source: source, channel: channel, sender: index, user: user))
                counts.append(1)
                slots.set(bytes, hash: hash, key: Int64(counts.count - 1))
            }
        }
    }

    private mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32? {
        guard !bytes.isEmpty else { return nil }
        let hash = KeyCache.hash(bytes)
        if let index = senderIndex.key(bytes, hash: hash) { return Int32(index) }
        senders.append(String(decoding: bytes, as: UTF8.self))
        senderIndex.set(bytes, hash: hash, key: Int64(senders.count - 1))
        return Int32(senders.count - 1)
    }

    private mutating func intern(_ sender: String?) -> Int32? {
        guard var sender else { return nil }
        return sender.withUTF8 { intern($0) }
    }

    /// Adds the counts to `agg_message_daily`, day by day (each day's stored rows
    /// merged with the new counts), except on the days `skip` says are redone
    /// from the facts.
    mutating func add(to db: Database, skip: (Int) -> Bool) throws {
        var byDay: [Int: [Key: Int64]] = [:]
        for (key, count) in zip(rows, counts) where !skip(key.date) {
            byDay[key.date, default: [:]][key] = count
        }
        let stored = try db.prepare("SELECT source_key, channel_key, sender_id, sender_user_key, messages FROM agg_message_daily WHERE sent_date_key = ?")
        let delete = try db.prepare("DELETE FROM agg_message_daily WHERE sent_date_key = ?")
        let insert = try db.prepare("INSERT INTO agg_message_daily (sent_date_key, source_key, channel_key, sender_id, sender_user_key, messages) VALUES (?, ?, ?, ?, ?, ?)")
        for day in byDay.keys.sorted() {
            var rows = byDay[day]!
            stored.reset()
            stored.bindInt(1, Int64(day))
            var hadRows = false
            while try stored.step() {
                hadRows = true
                let key = Key(date: day, source: stored.int64(at: 0), channel: stored.isNull(at: 1) ? nil : stored.int64(at: 1),
                              sender: intern(stored.string(at: 2)), user: stored.isNull(at: 3) ? nil : stored.int64(at: 3))
                rows[key, default: 0] += stored.int64(at: 4)
            }
            stored.reset()
            if hadRows {
                delete.bindInt(1, Int64(day))
                try delete.run()
            }
            for (key, count) in rows {
                try insert.bind([.integer(Int64(day)), .integer(key.source), key.channel.map(SQLValue.integer) ?? .null,
                                 key.sender.map { .text(senders[Int($0)]) } ?? .null,
                                 key.user.map(SQLValue.integer) ?? .null, .integer(count)])
                try insert.run()
            }
        }
    }
}
