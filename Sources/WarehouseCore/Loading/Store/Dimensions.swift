/// The dimensions' keys as the writing side finds or adds them: a record
/// refers to a contact, user, team, channel, category, message source or
/// message type by its natural value, and its local dates must be in
/// `dim_date`. Keys are cached by value (`KeyCache`), valid for the current
/// transaction's view of the warehouse; `forget` empties the caches when a
/// transaction rolls back.
final class DimensionKeys {
    private let db: Database
    private var keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
    /// Whether a message source is outgoing, by key.
    private var outgoingSources = Set<Int64>()
    /// Date keys known to be in `dim_date`.
    private var knownDates: Set<Int> = []

    init(db: Database) { self.db = db }

    func forget() {
        keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
        outgoingSources = []; knownDates = []; lastDateKey = 0
    }

    /// Notes the key of a dimension row a kind's own record made (a contact, user or channel).
    func remember(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>, key: Int64) {
        keys[dimension.index].set(bytes, hash: KeyCache.hash(bytes), key: key)
    }

    func isOutgoing(source: Int64) -> Bool { outgoingSources.contains(source) }

    /// The dimensions whose natural value is one column: table, key column, value column.
    static let plainDimensions: [Dimension: (table: String, key: String, value: String)] = [
        .contact: ("dim_contact", "contact_key", "contact_id"),
        .user: ("dim_user", "user_key", "user_id"),
        .team: ("dim_team", "team_key", "team_name"),
        .channel: ("dim_channel", "channel_key", "channel_id"),
        .category: ("dim_category", "category_key", "category_name"),
    ]

    /// The key of a dimension's natural value, added to the dimension when new.
    func referenceKey(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) throws -> Int64 {
        if let key = keys[dimension.index].key(bytes, hash: hash) { return key }
        let key: Int64
        switch dimension {
        case .contact, .user, .team, .channel, .category:
            let (table, keyColumn, valueColumn) = Self.plainDimensions[dimension]!
            let find = try db.cachedStatement("SELECT \(keyColumn) FROM \(table) WHERE \(valueColumn) = ?")
            find.bindText(1, bytes)
            defer { find.reset() }
            if try find.step() {
                key = find.int64(at: 0)
            } else {
                find.reset()
                let add = try db.cachedStatement("INSERT INTO \(table)(\(valueColumn)) VALUES (?)")
                add.bindText(1, bytes)
                try add.run()
                key = db.lastInsertRowID
            }
        case .source:
            let senderType = String(decoding: bytes, as: UTF8.self)
            let direction = Self.direction(senderType: senderType)
            try db.execute("INSERT INTO dim_message_source(sender_type, direction) VALUES (?, ?) ON CONFLICT(sender_type) DO NOTHING",
                           [.text(senderType), .text(direction)])
            let row = try db.rows("SELECT source_key, direction FROM dim_message_source WHERE sender_type = ?", [.text(senderType)])[0]
            key = row[0].int64!
            if row[1].string == "outgoing" { outgoingSources.insert(key) } else { outgoingSources.remove(key) }
        case .messageType:
            let parts = Self.messageTypeParts(bytes).map(SQLValue.text)
            try db.execute("INSERT INTO dim_message_type(content_type, message_type, type, sub_type) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", parts)
            key = try db.int64("SELECT message_type_key FROM dim_message_type WHERE content_type = ? AND message_type = ? AND type = ? AND sub_type = ?", parts)
        }
        keys[dimension.index].set(bytes, hash: hash, key: key)
        return key
    }

    func referenceKey(_ dimension: Dimension, _ value: String) throws -> Int64 {
        var value = value
        return try value.withUTF8 { try referenceKey(dimension, $0, hash: KeyCache.hash($0)) }
    }

    /// The date key seen last: records come in runs of one day.
    private var lastDateKey = 0

    func noteDate(_ dateKey: Int) throws {
        guard dateKey != lastDateKey else { return }
        lastDateKey = dateKey
        guard !knownDates.contains(dateKey) else { return }
        try insertDate(CivilTime.dayNumber(dateKey: dateKey))
        knownDates.insert(dateKey)
    }


    private func insertDate(_ days: Int) throws {
        let statement = try db.cachedStatement("INSERT OR IGNORE INTO dim_date(\(Self.dateColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        try statement.bind(Self.dateRow(days: days))
        try statement.run()
    }

    /// `dim_date`'s columns, in the order of `dateRow`.
    static let dateColumns = "date_key, date, year, quarter, month, month_name, year_month, day, weekday, weekday_name, week_start, iso_year, iso_week, is_weekend"

    /// The `dim_date` row of day number `days`.
    static func dateRow(days: Int) -> [SQLValue] {
        let (y, m, d) = CivilTime.date(days: days)
        let weekday = CivilTime.weekday(days: days)
        let monday = days - (weekday - 1)
        // ISO week: the week's Thursday decides the year.
        let thursday = monday + 3
        let isoYear = CivilTime.date(days: thursday).year
        let isoWeek = (thursday - CivilTime.days(year: isoYear, month: 1, day: 1)) / 7 + 1
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return [
            .integer(Int64(y * 10000 + m * 100 + d)), .text(CivilTime.formatDate(days: days)), .integer(Int64(y)),
            .integer(Int64((m - 1) / 3 + 1)), .integer(Int64(m)), .text(monthNames[m - 1]),
            .text(String(CivilTime.formatDate(days: days).prefix(7))), .integer(Int64(d)), .integer(Int64(weekday)),
            .text(weekdayNames[weekday - 1]), .text(CivilTime.formatDate(days: monday)), .integer(Int64(isoYear)),
            .integer(Int64(isoWeek)), .integer(weekday >= 6 ? 1 : 0),
        ]
    }

    /// A message type reference's four parts (Content Type, Message Type, Type,
    /// Sub Type: each a 4-byte length and its bytes, `Messages.messageTypeValue`).
    static func messageTypeParts(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var parts: [String] = []
        var i = 0
        while i + 4 <= bytes.count {
            let n = Int(UInt32(littleEndian: UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt32.self)))
            parts.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 4)..<(i + 4 + n)]), as: UTF8.self))
            i += 4 + n
        }
        return parts
    }

    /// The direction of a message source (its Sender Type): only a contact's messages come in.
    static func direction(senderType: String) -> String { senderType == "contact" ? "incoming" : "outgoing" }

    /// Every date between the first and the last one seen gets a row.
    func fillDateGaps() throws {
        guard let row = try db.rows("SELECT min(date), max(date), count(*) FROM dim_date").first,
              let first = row[0].string, let last = row[1].string, let count = row[2].int64 else { return }
        func days(_ s: String) -> Int {
            let p = s.split(separator: "-").compactMap { Int($0) }
            return CivilTime.days(year: p[0], month: p[1], day: p[2])
        }
        let (from, to) = (days(first), days(last))
        guard Int64(to - from + 1) != count else { return }
        for day in from...to where !knownDates.contains(CivilTime.dateKey(days: day)) {
            try insertDate(day)
            knownDates.insert(CivilTime.dateKey(days: day))
        }
    }
}
