/// A kind's upsert on a database server (`PostgresStore`): the same decisions
/// as the SQLite store's `Upsert` (inserted, updated, unchanged by `row_hash`; a
/// stub filled in counts as inserted), made in memory against the stored rows
/// of the batch's keys, which `prefetch` reads in one statement before the
/// batch (none into a table that was empty when the unit began: then nothing
/// is stored but what the unit wrote). Written rows wait in `COPY` text: new
/// ones go into the table, changed ones into a staging table and from there
/// over their rows (`flush`). A key the unit wrote already (twice in a file),
/// or any key once a row was taken over, is read again, the waiting rows sent first.
final class ServerUpsert<Columns: StoredColumns>: RecordUpsert, ServerRowWriter {
    private unowned let store: PostgresStore
    /// The mode (`UpsertMode`), as plain values: a generic value read per record
    /// cost a metadata look-up each time (5 % of a messages load).
    private let looksUp: Bool
    private let fillsStubs: Bool
    private let keyColumn: Int
    private let naturalKey: String
    /// New rows name their surrogate key (a dimension's: its writer needs the key at once).
    private let explicitKeys: Bool
    /// The stored row's columns a look-up of one key reads: its key, `row_hash`, the mode's extra and `also`, then `previous`.
    private let lookupColumns: String
    /// Those a batch's look-up reads: a look-up upsert's first four, or `row_hash` alone
    /// (`previous` is read for the rows the batch changes only).
    private let batchColumns: [String]
    /// Columns of a replaced row the store is told of (`onReplace`).
    private let previous: [String]
    /// Called when a record replaces a stored row: the row's `previous` columns, and the record's extras.
    var onReplace: ((_ previous: [Int64?], _ extras: [Int64?]) -> Void)?
    private let insertColumns: [String]
    /// The kind's columns' names, by position (a generic look-up per record cost time).
    private let columnNames: [String]
    private let updateColumns: [String]

    // What the current batch's look-up found.
    private var prefetched = KeyCache()
    private var foundRows: [ServerFoundRow] = []
    /// The hashes of the keys the unit wrote: their look-up is stale (a hash
    /// shared by two keys only sends the other to the slow path).
    private var writtenKeys = KeyHashSet()
    /// Whether the table was empty when the unit began (nil: not asked yet).
    private var tableWasEmpty: Bool?
    /// Set once a row was renamed or deleted under the look-ups: every key is then read again.
    private var stale = false

    // The current record.
    private var referenceKeys: [Int64]
    private var extras: [Int64?]
    private var found: ServerFoundRow?
    private var looked = false
    /// The hash of the key `find` looked up (noted as written by `write`).
    private var foundHash: UInt64?
    private var keyOverride: String?
    private(set) var writtenKey: Int64 = 0
    var stored: StoredRow? { found?.row }

    // Rows waiting to be sent.
    private var inserts = CopyText(capacity: 1 << 16)
    private var updates = CopyText(capacity: 1 << 16)

    init(store: PostgresStore, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>, explicitKeys: Bool, previous: [String]) {
        self.store = store
        if case .lookUp(_, let stub, _) = mode { (looksUp, fillsStubs) = (true, stub) } else { (looksUp, fillsStubs) = (false, false) }
        keyColumn = key.rawValue
        naturalKey = key.name
        self.explicitKeys = explicitKeys
        self.previous = previous
        referenceKeys = [Int64](repeating: 0, count: Columns.allCases.count)
        extras = [Int64?](repeating: nil, count: extra.count)
        let (extraColumn, also): (String, String) = switch mode {
        case .lookUp(let extra, _, let also): (extra.name, also?.name ?? "NULL")
        case .unlessUnchanged: ("NULL", "NULL")
        }
        lookupColumns = ([Columns.surrogateKey, "coalesce(row_hash, 0)", extraColumn, also] + previous).joined(separator: ", ")
        if case .lookUp = mode {
            batchColumns = [Columns.surrogateKey, "coalesce(row_hash, 0)", extraColumn, also]
        } else {
            batchColumns = ["coalesce(row_hash, 0)"]
        }
        columnNames = Columns.allCases.map(\.name)
        updateColumns = Columns.names + extra.map(\.rawValue) + ["row_hash", "load_id"]
        insertColumns = (explicitKeys ? [Columns.surrogateKey] : []) + updateColumns
    }

    // MARK: A batch

    /// Reads the stored rows of the batch's keys, in one statement (`= ANY`: one
    /// index scan for the sorted keys, 1.2 µs a key on the benchmark's messages;
    /// a LATERAL look-up per key took 2.9 µs, and a join by key position let the
    /// planner hash the whole of `dim_contact` for each batch of a contacts file).
    func prefetch(_ batch: PreparedBatch) throws {
        let empty = try isTableEmpty()
        prefetched = KeyCache()
        foundRows.removeAll(keepingCapacity: true)
        // Into an empty table nothing is looked up, and only a dimension counts its new keys.
        guard !empty || explicitKeys else { return }
        // Keys new to the unit: into an empty table, each is a new row.
        var newToUnit = 0
        let started = ahead?.batch == ObjectIdentifier(batch) ? ahead?.rows : nil
        ahead = nil
        let keys = distinctKeys(batch, texts: !empty && started == nil) { bytes, hash in
            prefetched.set(bytes, hash: hash, key: -1)
            if !writtenKeys.contains(hash) { newToUnit += 1 }
        }
        if !empty && (started != nil || !keys.isEmpty) {
            let rows = try started?() ?? store.server.query(lookupSQL, [ServerArray.text(keys)])
            if let packed = rows.first?.first?.string {
                try PackedRows.forEach(packed, columns: batchColumns.count) { key, r in
                    let hash = KeyCache.hash(key)
                    prefetched.set(key, hash: hash, key: Int64(foundRows.count))
                    if !writtenKeys.contains(hash) { newToUnit -= 1 }
                    foundRows.append(r.count == 1
                        ? ServerFoundRow(row: StoredRow(key: 0, extra: nil, also: nil), hash: r[0] ?? 0, previous: [])
                        : ServerFoundRow(row: StoredRow(key: r[0] ?? 0, extra: r[2], also: r[3]), hash: r[1] ?? 0, previous: []))
                }
            }
            if !previous.isEmpty { try readPrevious(batch) }
        }
        if explicitKeys { try allocateKeys(newToUnit) }
    }

    /// The `previous` columns of the stored rows the batch's records change, in one statement.
    private func readPrevious(_ batch: PreparedBatch) throws {
        var changed: [String] = []
        var listed = KeyCache()
        batch.bytes.withUnsafeBufferPointer { arena in
            for record in batch.records {
                let value = batch.values[record.values.lowerBound + keyColumn]
                guard value.tag == .text else { continue }
                let bytes = UnsafeBufferPointer(start: arena.baseAddress! + Int(value.payload), count: Int(value.count))
                let hash = KeyCache.hash(bytes)
                guard let index = prefetched.key(bytes, hash: hash), index >= 0, foundRows[Int(index)].hash != Int64(bitPattern: record.hash),
                      listed.key(bytes, hash: hash) == nil else { continue }
                listed.set(bytes, hash: hash, key: 0)
                changed.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        guard !changed.isEmpty else { return }
        for row in try store.server.query("SELECT \(naturalKey), \(previous.joined(separator: ", ")) FROM \(Columns.table) WHERE \(naturalKey) = ANY(\(store.keysParameter))",
                                          [ServerArray.text(changed)]) {
            guard var key = row[0].string else { continue }
            let index = key.withUTF8 { prefetched.key($0, hash: KeyCache.hash($0)) }
            if let index, index >= 0 { foundRows[Int(index)].previous = row.dropFirst().map(\.int64) }
        }
    }

    /// Starts the look-up of the next batch's keys, to be taken by its `prefetch`.
    func lookAhead(_ batch: PreparedBatch) throws {
        ahead = nil
        guard try !isTableEmpty() else { return }
        let keys = distinctKeys(batch, texts: true) { _, _ in }
        guard !keys.isEmpty else { return }
        ahead = (ObjectIdentifier(batch), try store.server.startQuery(lookupSQL, [ServerArray.text(keys)]))
    }

    /// The look-up started for the batch after the one being written.
    private var ahead: (batch: ObjectIdentifier, rows: () throws -> [[SQLValue]])?

    private var lookupSQL: String {
        PackedRows.select(key: naturalKey, columns: batchColumns, from: "FROM \(Columns.table) WHERE \(naturalKey) = ANY(\(store.keysParameter))")
    }

    private func isTableEmpty() throws -> Bool {
        if let tableWasEmpty { return tableWasEmpty }
        let empty = try store.server.holdsNone(Columns.table)
        tableWasEmpty = empty
        return empty
    }

    /// The batch's keys, each once (`each` is given its bytes and hash; `texts`:
    /// returned as text too), without those holding a NUL byte (refused when written).
    private func distinctKeys(_ batch: PreparedBatch, texts: Bool, _ each: (UnsafeBufferPointer<UInt8>, UInt64) -> Void) -> [String] {
        var seen = KeyCache()
        var keys: [String] = []
        batch.bytes.withUnsafeBufferPointer { arena in
            for record in batch.records {
                let value = batch.values[record.values.lowerBound + keyColumn]
                guard value.tag == .text else { continue }
                let bytes = UnsafeBufferPointer(start: arena.baseAddress! + Int(value.payload), count: Int(value.count))
                guard !PostgresStore.holdsNUL(bytes) else { continue }
                let hash = KeyCache.hash(bytes)
                guard seen.key(bytes, hash: hash) == nil else { continue }
                seen.set(bytes, hash: hash, key: 0)
                each(bytes, hash)
                if texts { keys.append(String(decoding: bytes, as: UTF8.self)) }
            }
        }
        return keys
    }

    /// Surrogate keys for new rows, taken from the table's identity sequence in
    /// one statement per batch: as many as the batch has keys new to the table.
    private var keyPool: ArraySlice<Int64> = []

    private func allocateKeys(_ count: Int) throws {
        guard count > 0 else { return }
        let rows = try store.server.query("SELECT nextval(pg_get_serial_sequence($1, $2)) FROM generate_series(1, $3)",
                                          [.text(Columns.table), .text(Columns.surrogateKey), .integer(Int64(count))])
        keyPool += rows.compactMap { $0.first?.int64 }
    }

    private func nextKey() throws -> Int64 {
        if keyPool.isEmpty { try allocateKeys(1) }
        return keyPool.removeFirst()
    }

    private static func found(_ row: ArraySlice<SQLValue>) -> ServerFoundRow {
        let r = Array(row)
        return ServerFoundRow(row: StoredRow(key: r[0].int64 ?? 0, extra: r[2].int64, also: r[3].int64), hash: r[1].int64 ?? 0,
                     previous: r.dropFirst(4).map(\.int64))
    }

    /// Marks every look-up stale from now on (a row was renamed or deleted under it).
    func invalidate() { stale = true }

    var isWaiting: Bool { !inserts.isEmpty || !updates.isEmpty }
    var waitingBytes: Int { inserts.count + updates.count }

    /// Sends the waiting rows: new ones into the table, changed ones over their rows.
    func flush() throws {
        if !inserts.isEmpty {
            try store.server.copy(into: Columns.table, columns: insertColumns, text: inserts.take())
            store.grownTables.insert(Columns.table)
        }
        if !updates.isEmpty {
            let stage = try store.staging(Columns.table, columns: updateColumns)
            try store.server.copy(into: stage, columns: updateColumns, text: updates.take())
            // Analysed first: without statistics the planner may scan the whole table for a few rows.
            try store.server.execute("ANALYZE \(stage); \(replaceSQL(stage)); TRUNCATE \(stage)")
        }
    }

    /// Writes the staged rows over the stored rows of their natural keys, keeping each
    /// row's surrogate key. A fact is placed by its contact (Citus shards by it, and
    /// changes no row's contact in place): a row whose contact is unchanged is updated
    /// where it is, and one whose contact changed is written anew with its old key, its
    /// old place deleted. Any other table's rows are written over by their surrogate key
    /// (`ON CONFLICT … DO UPDATE`: Citus updates a table on every worker, a reference
    /// table, from a local staging table only so).
    private func replaceSQL(_ stage: String) -> String {
        let (table, key, natural) = (Columns.table, Columns.surrogateKey, naturalKey)
        let columns = updateColumns.joined(separator: ", ")
        let staged = updateColumns.map { "s.\($0)" }.joined(separator: ", ")
        guard updateColumns.contains("contact_key") else {
            let set = updateColumns.filter { $0 != natural }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            return """
                INSERT INTO \(table) AS t (\(key), \(columns)) SELECT d.\(key), \(staged) FROM \(stage) s JOIN \(table) d ON d.\(natural) = s.\(natural)
                ON CONFLICT (\(key)) DO UPDATE SET \(set)
                """
        }
        let set = updateColumns.filter { $0 != natural && $0 != "contact_key" }.map { "\($0) = s.\($0)" }.joined(separator: ", ")
        let moved = "d.contact_key IS DISTINCT FROM s.contact_key"
        return """
            UPDATE \(table) d SET \(set) FROM \(stage) s WHERE d.\(natural) = s.\(natural) AND NOT (\(moved));
            INSERT INTO \(table) (\(key), \(columns)) SELECT d.\(key), \(staged) FROM \(stage) s JOIN \(table) d ON d.\(natural) = s.\(natural) WHERE \(moved);
            DELETE FROM \(table) d USING \(stage) s WHERE d.\(natural) = s.\(natural) AND \(moved)
            """
    }

    // MARK: A record

    func bind(_ record: PreparedRecord) throws {
        for i in 0..<record.valueCount {
            let value = record.value(i)
            if (value.tag == .text || value.tag == .reference) && value.dimension != .messageType && PostgresStore.holdsNUL(record.bytes(of: value)) {
                throw WarehouseError("line \(record.line): \(i < columnNames.count ? columnNames[i] : "a value") holds a NUL byte (0x00), which PostgreSQL cannot store; nothing of this file was loaded")
            }
            switch value.tag {
            case .date: try store.dimensions.noteDate(Int(value.payload))
            case .reference: referenceKeys[i] = try store.dimensions.key(value.dimension, record.bytes(of: value), hash: value.keyHash)
            default: break
            }
        }
    }

    func key(_ record: PreparedRecord, _ column: Columns) -> Int64? {
        record.value(column.rawValue).tag == .reference ? referenceKeys[column.rawValue] : nil
    }

    func bindExtra(_ i: Int, _ value: Int64?) { extras[i] = value }

    func rekey(_ key: String) {
        keyOverride = key
        looked = false
    }

    func find(_ record: PreparedRecord) throws {
        looked = true
        if var override = keyOverride {
            found = try override.withUTF8 { try lookUp($0, hash: KeyCache.hash($0), prefetched: false) }
            foundHash = nil
        } else {
            let bytes = record.bytes(keyColumn)
            let hash = KeyCache.hash(bytes)
            found = try lookUp(bytes, hash: hash, prefetched: true)
            foundHash = hash
        }
    }

    private func lookUp(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, prefetched usable: Bool) throws -> ServerFoundRow? {
        if usable && !stale && !writtenKeys.contains(hash) {
            if tableWasEmpty == true { return nil }
            if let index = prefetched.key(key, hash: hash) { return index >= 0 ? foundRows[Int(index)] : nil }
        }
        try store.leaveBulk()
        try store.flush()
        return try lookUpOne(key)
    }

    private func lookUpOne(_ key: UnsafeBufferPointer<UInt8>) throws -> ServerFoundRow? {
        let rows = try store.server.query("SELECT \(lookupColumns) FROM \(Columns.table) WHERE \(naturalKey) = $1",
                                          [.text(String(decoding: key, as: UTF8.self))])
        return rows.first.map { Self.found($0[...]) }
    }

    func write(_ record: PreparedRecord) throws -> Written {
        defer { looked = false; keyOverride = nil; foundHash = nil }
        if !looked { try find(record) }
        let hash = Int64(bitPattern: record.hash)
        let written: Written
        if looksUp {
            let isStub = fillsStubs && found?.row.extra == 0
            if found != nil, !isStub, found?.hash == hash { return .unchanged }
            written = found == nil || isStub ? .inserted : .updated
        } else {
            if let found, found.hash == hash { return .unchanged }
            written = found == nil ? .inserted : .updated
        }
        if let found {
            writtenKey = found.row.key
            append(record, to: &updates, key: nil, hash: hash)
            onReplace?(found.previous, extras)
        } else {
            writtenKey = explicitKeys ? try nextKey() : 0
            append(record, to: &inserts, key: explicitKeys ? writtenKey : nil, hash: hash)
        }
        if var override = keyOverride {
            override.withUTF8 { writtenKeys.insert(KeyCache.hash($0)) }
        } else {
            writtenKeys.insert(foundHash ?? KeyCache.hash(record.bytes(keyColumn)))
        }
        return written
    }

    /// The record as a COPY row: values in column order (references as their keys), extras, hash, load.
    private func append(_ record: PreparedRecord, to text: inout CopyText, key: Int64?, hash: Int64) {
        if let key { text.int(key) }
        for i in 0..<record.valueCount {
            let value = record.value(i)
            if i == keyColumn, let keyOverride { text.text(keyOverride); continue }
            switch value.tag {
            case .null: text.null()
            case .int, .date: text.int(value.payload)
            case .text: text.text(record.bytes(of: value))
            case .reference: text.int(referenceKeys[i])
            }
        }
        for extra in extras { text.int(extra) }
        text.int(hash)
        text.int(store.loadID)
        text.endRow()
    }
}

/// A stored row a look-up found: the row, its `row_hash`, and its `previous` columns.
struct ServerFoundRow {
    var row: StoredRow
    var hash: Int64
    var previous: [Int64?]
}

/// What the store asks of each of its upserts.
protocol ServerRowWriter: AnyObject {
    func lookAhead(_ batch: PreparedBatch) throws
    func prefetch(_ batch: PreparedBatch) throws
    func invalidate()
    func flush() throws
    var isWaiting: Bool { get }
    var waitingBytes: Int { get }
}
