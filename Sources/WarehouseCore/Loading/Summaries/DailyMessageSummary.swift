import Foundation

/// Keeps `agg_message_daily` (messages per local day, source, channel and
/// sender; Schema/003_report_summaries.sql) right through everything a load
/// does to `fact_message`, whichever source the messages came from:
/// - inserted messages are counted in memory as they are written
///   (`MessageCounts`) and added after the file's rows: no second pass;
/// - a replaced message's old day is noted by a trigger (`message_replaced`),
///   and the days of replaced messages are redone from the facts.
final class DailyMessageSummary {
    private let db: Database
    private let zone: WorkspaceZone
    private var counts = MessageCounts()
    /// Date keys of messages the file replaced (the day they are on now).
    private var replacedDays: Set<Int> = []

    init(db: Database, zone: WorkspaceZone) throws {
        self.db = db
        self.zone = zone
        // The day a replaced message was on before (its summary changes too).
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS replaced_message_days(date_key INTEGER PRIMARY KEY);
            CREATE TEMP TRIGGER IF NOT EXISTS message_replaced
            AFTER UPDATE OF sent_date_key, source_key, channel_key, sender_id, sender_user_key ON main.fact_message
            BEGIN
                -- Not INSERT OR IGNORE: in a trigger the upsert's own conflict handling would apply.
                INSERT INTO replaced_message_days SELECT old.sent_date_key
                WHERE NOT EXISTS (SELECT 1 FROM replaced_message_days WHERE date_key = old.sent_date_key);
            END;
            """)
    }

    /// Forgets what an earlier file (or a rolled-back one) noted.
    func start() throws {
        counts = MessageCounts()
        replacedDays = []
        try db.execute("DELETE FROM temp.replaced_message_days")
    }

    /// A message inserted on local day `date`; `sender` for an outgoing message.
    func inserted(date: Int, source: Int64, channel: Int64?, sender: UnsafeBufferPointer<UInt8>?, user: Int64?) {
        counts.add(date: date, source: source, channel: channel, sender: sender, user: user)
    }

    /// A message replaced by a later record, on local day `date` now.
    func replaced(date: Int) { replacedDays.insert(date) }

    /// Brings the summary up to date with the file's messages. The days of
    /// replaced messages (the day they were on and the day they are on now)
    /// are redone from the facts, days close together as one range of the
    /// `sent_ts` index; the counts of inserted messages are added to the others.
    func finish() throws {
        var days = replacedDays
        for row in try db.rows("SELECT date_key FROM temp.replaced_message_days") {
            if let key = row[0].int64 { days.insert(Int(key)) }
        }
        let ranges = Self.ranges(days)
        let delete = try db.prepare(Self.deleteDays)
        let insert = try db.prepare(Self.redoDays)
        for range in ranges {
            try delete.bind(Self.dateKeys(range))
            try delete.run()
            try insert.bind(Self.instants(range, zone))
            try insert.run()
        }
        try counts.add(to: db) { dateKey in
            let day = CivilTime.dayNumber(dateKey: dateKey)
            return ranges.contains { $0.contains(day) }
        }
    }

    /// Date keys as runs of days, days close together (a week apart at most)
    /// in one run: each run is one range of the `sent_ts` index.
    static func ranges(_ dateKeys: Set<Int>) -> [ClosedRange<Int>] {
        var ranges: [ClosedRange<Int>] = []
        for day in dateKeys.map(CivilTime.dayNumber(dateKey:)).sorted() {
            if let last = ranges.last, day - last.upperBound <= 7 {
                ranges[ranges.count - 1] = last.lowerBound...day
            } else {
                ranges.append(day...day)
            }
        }
        return ranges
    }

    /// A run of days redone from the facts: its rows go (`deleteDays`, bound to
    /// `dateKeys`), and are counted again (`redoDays`, bound to `instants`).
    /// `$1`, `$2`: the same text on SQLite and PostgreSQL.
    static let deleteDays = "DELETE FROM agg_message_daily WHERE sent_date_key BETWEEN $1 AND $2"
    static let redoDays = """
        INSERT INTO agg_message_daily (sent_date_key, source_key, channel_key, sender_id, sender_user_key, messages)
        SELECT m.sent_date_key, m.source_key, m.channel_key,
               CASE WHEN s.direction = 'outgoing' THEN m.sender_id END, m.sender_user_key, count(*)
        FROM fact_message m
        JOIN dim_message_source s ON s.source_key = m.source_key
        WHERE m.sent_ts >= $1 AND m.sent_ts < $2
        GROUP BY 1, 2, 3, 4, 5
        """
    static func dateKeys(_ range: ClosedRange<Int>) -> [SQLValue] {
        [.integer(Int64(CivilTime.dateKey(days: range.lowerBound))), .integer(Int64(CivilTime.dateKey(days: range.upperBound)))]
    }
    static func instants(_ range: ClosedRange<Int>, _ zone: WorkspaceZone) -> [SQLValue] {
        [.integer(ReportParameters.startOf(day: range.lowerBound, in: zone)), .integer(ReportParameters.startOf(day: range.upperBound + 1, in: zone))]
    }
}

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

    var isEmpty: Bool { rows.isEmpty }

    /// Each summary row counted: its key, its sender's ID (outgoing only), its messages.
    func forEachRow(_ body: (Key, String?, Int64) throws -> Void) rethrows {
        for (key, count) in zip(rows, counts) { try body(key, key.sender.map { senders[Int($0)] }, count) }
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
