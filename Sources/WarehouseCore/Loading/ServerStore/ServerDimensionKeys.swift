/// The dimensions' keys on a database server (`PostgresStore`), as `DimensionKeys`
/// finds or adds them in a SQLite file, but a batch at a time: before a batch is
/// written, every value it refers to that is not known yet is looked up in one
/// statement per dimension, and the ones missing added in another, in the order
/// the batch names them (so they are keyed as the SQLite store keys them); its
/// new dates go in one statement. The records then find each key in memory.
///
/// A large file reads a dimension whole instead, once, when the dimension has no
/// more rows than the file could have records (`readWhole`): a statement between a
/// unit's `COPY`s waits for the server to take the rows sent before it, and a look-up
/// per batch kept the loader and the server taking turns. Loading the benchmark's 3
/// million messages on their own (their 100,000 contacts not known to the command)
/// made 1,463 look-ups and 365 date inserts: 26.4 s, and 16.2 s with the dimensions
/// read whole.
final class ServerDimensionKeys {
    private let server: any ServerConnection
    private var keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
    /// Whether a message source is outgoing, by key.
    private var outgoingSources = Set<Int64>()
    /// Date keys known to be in `dim_date`.
    private var knownDates: Set<Int> = []
    /// Whether dates were added since the last `fillDateGaps` (only a new date can make a gap).
    private var addedDates = false
    /// Dimension tables rows were added to (the store analyses those without statistics).
    var grownTables: Set<String> = []
    /// Dimensions whose every stored value is in `keys` (a value not there is not stored),
    /// and those a unit asked about reading whole already.
    private var whole: Set<Dimension> = []
    private var askedWhole: Set<Dimension> = []
    /// How many rows of a dimension the current unit reads whole (`readWhole`).
    private var wholeRows = 0
    /// Whether every stored date is in `knownDates`.
    private var datesRead = false

    /// Whether the contacts are distributed (Citus): looked up by `= ANY`, as Citus
    /// runs no LATERAL subquery kept apart by OFFSET over a distributed table.
    private let distributed: Bool

    init(server: any ServerConnection, distributed: Bool) {
        self.server = server
        self.distributed = distributed
    }

    /// Forgets every key: the transaction that made them rolled back.
    func forget() {
        keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
        outgoingSources = []
        knownDates = []
        datesRead = false
        addedDates = false
        grownTables = []
        whole = []
        askedWhole = []
    }

    /// A unit begins, of a file of `bytes` (nil: records that come otherwise, a few at a time).
    /// What was read whole is read again: another writer may have added values between units.
    func begin(bytes: Int?) {
        // A record of an export takes 100 bytes or more; memory for 2 million values is
        // about 150 MB of `KeyCache`.
        wholeRows = min((bytes ?? 0) / 100, Self.mostWholeRows)
        whole = []
        askedWhole = []
    }

    static let mostWholeRows = 2_000_000

    /// Notes the key of a dimension row a kind's own record made (a contact, user or channel).
    func remember(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>, key: Int64) {
        keys[dimension.index].set(bytes, hash: KeyCache.hash(bytes), key: key)
    }

    func isOutgoing(source: Int64) -> Bool { outgoingSources.contains(source) }

    // MARK: A batch at a time

    /// Looks up, and adds when missing, every dimension value and date of `batch` not known yet.
    func prepare(_ batch: PreparedBatch) throws {
        var missing = [[[UInt8]]](repeating: [], count: Dimension.allCases.count)
        var listed = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
        var dates: [Int] = []
        batch.bytes.withUnsafeBufferPointer { arena in
            for value in batch.values {
                switch value.tag {
                case .reference:
                    let d = value.dimension.index
                    let bytes = UnsafeBufferPointer(start: value.count == 0 ? nil : arena.baseAddress! + Int(value.payload), count: Int(value.count))
                    guard keys[d].key(bytes, hash: value.keyHash) == nil, listed[d].key(bytes, hash: value.keyHash) == nil,
                          value.dimension == .messageType || !PostgresStore.holdsNUL(bytes) else { continue }
                    listed[d].set(bytes, hash: value.keyHash, key: 0)
                    missing[d].append(Array(bytes))
                case .date:
                    let key = Int(value.payload)
                    if !knownDates.contains(key) && !dates.contains(key) { dates.append(key) }
                default: break
                }
            }
        }
        for dimension in Dimension.allCases where !missing[dimension.index].isEmpty {
            if let plain = DimensionKeys.plainDimensions[dimension] {
                try readWhole(dimension, plain)
                try addPlain(dimension, plain, missing[dimension.index])
            } else {
                for value in missing[dimension.index] {
                    _ = try value.withUnsafeBufferPointer { try key(dimension, $0, hash: KeyCache.hash($0)) }
                }
            }
        }
        try insertDates(dates.map(CivilTime.dayNumber(dateKey:)))
    }

    /// Reads every value of a plain dimension and its key, once a unit, when it has at most
    /// `wholeRows` rows (counted no further).
    private func readWhole(_ dimension: Dimension, _ names: (table: String, key: String, value: String)) throws {
        guard wholeRows > 0, !askedWhole.contains(dimension) else { return }
        askedWhole.insert(dimension)
        let rows = try server.int64("SELECT count(*) FROM (SELECT 1 FROM \(names.table) LIMIT $1) d", .integer(Int64(wholeRows + 1)))
        guard rows <= wholeRows else { return }
        let packed = try server.query(PackedRows.select(key: names.value, columns: [names.key], from: "FROM \(names.table)")).first?.first?.string
        if let packed {
            try PackedRows.forEach(packed, columns: 1) { value, row in
                if let key = row[0] { keys[dimension.index].set(value, hash: KeyCache.hash(value), key: key) }
            }
        }
        whole.insert(dimension)
    }

    /// The keys of a plain dimension's values: the stored ones in one look-up (none for a
    /// dimension read whole: a value not known is not stored), the others added in one insert.
    private func addPlain(_ dimension: Dimension, _ names: (table: String, key: String, value: String), _ values: [[UInt8]]) throws {
        if whole.contains(dimension) {
            let absent = values.filter { $0.withUnsafeBufferPointer { keys[dimension.index].key($0, hash: KeyCache.hash($0)) == nil } }
            return try insertPlain(dimension, names, absent.map { String(decoding: $0, as: UTF8.self) })
        }
        let texts = values.map { String(decoding: $0, as: UTF8.self) }
        // One index look-up per value (LATERAL, kept a subquery by OFFSET 0): with `= ANY`
        // the planner scanned the whole of a dimension it judged small against 2,000
        // values, 22 ms a batch once `dim_contact` held 100,000 contacts.
        let found = try server.query(distributed && dimension == .contact ? """
            SELECT \(names.value), \(names.key) FROM \(names.table) WHERE \(names.value) = ANY(\(PostgresStore.keysParameter(distributed: true)))
            """ : """
            SELECT v.value, d.key FROM unnest($1::text[]) AS v(value)
            CROSS JOIN LATERAL (SELECT \(names.key) AS key FROM \(names.table) WHERE \(names.value) = v.value OFFSET 0) d
            """, [ServerArray.text(texts)])
        var known = Set<String>()
        for row in found {
            guard let value = row[0].string, let key = row[1].int64 else { continue }
            known.insert(value)
            set(dimension, value, key)
        }
        try insertPlain(dimension, names, texts.filter { !known.contains($0) })
    }

    /// Adds values not stored to a plain dimension, keyed in the order the batch names
    /// them, as the SQLite store adds them.
    private func insertPlain(_ dimension: Dimension, _ names: (table: String, key: String, value: String), _ absent: [String]) throws {
        guard !absent.isEmpty else { return }
        let added = try server.query("""
            INSERT INTO \(names.table) (\(names.value))
            SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n
            RETURNING \(names.value), \(names.key)
            """, [ServerArray.text(absent)])
        if !added.isEmpty { grownTables.insert(names.table) }
        for row in added {
            if let value = row[0].string, let key = row[1].int64 { set(dimension, value, key) }
        }
    }

    private func set(_ dimension: Dimension, _ value: String, _ key: Int64) {
        var value = value
        value.withUTF8 { keys[dimension.index].set($0, hash: KeyCache.hash($0), key: key) }
    }

    // MARK: One value

    /// The key of a dimension's natural value, added to the dimension when new
    /// (known already, unless the record came by another way than its batch).
    func key(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) throws -> Int64 {
        if let key = keys[dimension.index].key(bytes, hash: hash) { return key }
        let key: Int64
        switch dimension {
        case .contact, .user, .team, .channel, .category:
            let (table, keyColumn, valueColumn) = DimensionKeys.plainDimensions[dimension]!
            let value = SQLValue.text(String(decoding: bytes, as: UTF8.self))
            if !whole.contains(dimension), let found = try server.query("SELECT \(keyColumn) FROM \(table) WHERE \(valueColumn) = $1", [value]).first?.first?.int64 {
                key = found
            } else {
                key = try server.int64("INSERT INTO \(table) (\(valueColumn)) VALUES ($1) RETURNING \(keyColumn)", value)
                grownTables.insert(table)
            }
        case .source:
            let senderType = String(decoding: bytes, as: UTF8.self)
            _ = try server.query("INSERT INTO dim_message_source (sender_type, direction) VALUES ($1, $2) ON CONFLICT (sender_type) DO NOTHING",
                                 [.text(senderType), .text(DimensionKeys.direction(senderType: senderType))])
            let row = try server.query("SELECT source_key, direction FROM dim_message_source WHERE sender_type = $1", [.text(senderType)])[0]
            key = row[0].int64!
            if row[1].string == "outgoing" { outgoingSources.insert(key) } else { outgoingSources.remove(key) }
        case .messageType:
            let parts = DimensionKeys.messageTypeParts(bytes).map(SQLValue.text)
            _ = try server.query("INSERT INTO dim_message_type (content_type, message_type, type, sub_type) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", parts)
            key = try server.query("SELECT message_type_key FROM dim_message_type WHERE content_type = $1 AND message_type = $2 AND type = $3 AND sub_type = $4", parts)[0][0].int64!
        }
        keys[dimension.index].set(bytes, hash: hash, key: key)
        return key
    }

    func key(_ dimension: Dimension, _ value: String) throws -> Int64 {
        var value = value
        return try value.withUTF8 { try key(dimension, $0, hash: KeyCache.hash($0)) }
    }

    // MARK: Dates

    /// A record's date (known already, unless the record came by another way than its batch).
    func noteDate(_ dateKey: Int) throws {
        if !knownDates.contains(dateKey) { try insertDates([CivilTime.dayNumber(dateKey: dateKey)]) }
    }

    /// `dim_date` rows for day numbers `days`, 500 a statement. The stored dates are read
    /// first, once (a few thousand): a day already there costs no statement (a date is
    /// never taken away, and one another writer adds meanwhile is inserted again as nothing).
    private func insertDates(_ days: [Int]) throws {
        guard !days.isEmpty else { return }
        if !datesRead {
            try server.forEachRow("SELECT date_key FROM dim_date", []) { row in
                if let key = row[0].int64 { self.knownDates.insert(Int(key)) }
            }
            datesRead = true
        }
        let days = days.filter { !knownDates.contains(CivilTime.dateKey(days: $0)) }
        var start = 0
        while start < days.count {
            let part = days[start..<min(days.count, start + 500)]
            var values: [SQLValue] = []
            var rows: [String] = []
            for day in part {
                let row = DimensionKeys.dateRow(days: day)
                rows.append("(" + (1...row.count).map { "$\(values.count + $0)" }.joined(separator: ", ") + ")")
                values += row
            }
            let added = try server.query("""
                INSERT INTO dim_date (\(DimensionKeys.dateColumns)) VALUES \(rows.joined(separator: ", ")) ON CONFLICT DO NOTHING RETURNING date_key
                """, values)
            if !added.isEmpty { addedDates = true }
            for day in part { knownDates.insert(CivilTime.dateKey(days: day)) }
            start += 500
        }
    }

    /// Every date between the first and the last one stored gets a row (after dates were added).
    func fillDateGaps() throws {
        guard addedDates else { return }
        defer { addedDates = false }
        guard let row = try server.query("SELECT min(date_key), max(date_key), count(*) FROM dim_date").first,
              let first = row[0].int64, let last = row[1].int64, let count = row[2].int64 else { return }
        let (from, to) = (CivilTime.dayNumber(dateKey: Int(first)), CivilTime.dayNumber(dateKey: Int(last)))
        guard Int64(to - from + 1) != count else { return }
        var stored = Set<Int>()
        try server.forEachRow("SELECT date_key FROM dim_date", []) { row in
            if let key = row[0].int64 { stored.insert(Int(key)) }
        }
        try insertDates((from...to).filter { !stored.contains(CivilTime.dateKey(days: $0)) })
    }
}
