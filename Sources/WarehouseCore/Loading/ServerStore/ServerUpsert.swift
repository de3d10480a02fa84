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
    private let mode: UpsertMode<Columns>
    private let keyColumn: Int
    private let naturalKey: String
    /// New rows name their surrogate key (a dimension's: its writer needs the key at once).
    private let explicitKeys: Bool
    /// The stored row's columns a look-up reads: its key, `row_hash`, the mode's extra and `also`, then `previous`.
    private let lookupColumns: String
    /// Columns of a replaced row the store is told of (`onReplace`).
    private let previous: [String]
    /// Called when a record replaces a stored row: the row's `previous` columns, and the record's extras.
    var onReplace: ((_ previous: [Int64?], _ extras: [Int64?]) -> Void)?
    private let insertColumns: [String]
    private let updateColumns: [String]

    // What the current batch's look-up found.
    private var prefetched = KeyCache()
    private var foundRows: [Found] = []
    /// The hashes of the keys the unit wrote: their look-up is stale (a hash
    /// shared by two keys only sends the other to the slow path).
    private var writtenKeys = Set<UInt64>()
    /// Whether the table was empty when the unit began (nil: not asked yet).
    private var tableWasEmpty: Bool?
    /// Set once a row was renamed or deleted under the look-ups: every key is then read again.
    private var stale = false

    // The current record.
    private var referenceKeys: [Int64]
    private var extras: [Int64?]
    private var found: Found?
    private var looked = false
    private var keyOverride: String?
    private(set) var writtenKey: Int64 = 0
    var stored: StoredRow? { found?.row }

    // Rows waiting to be sent.
    private var inserts = CopyText(capacity: 1 << 16)
    private var updates = CopyText(capacity: 1 << 16)

    private struct Found {
        var row: StoredRow
        var hash: Int64
        var previous: [Int64?]
    }

    init(store: PostgresStore, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>, explicitKeys: Bool, previous: [String]) {
        self.store = store
        self.mode = mode
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
        updateColumns = Columns.names + extra.map(\.rawValue) + ["row_hash", "load_id"]
        insertColumns = (explicitKeys ? [Columns.surrogateKey] : []) + updateColumns
    }

    // MARK: A batch

    /// Reads the stored rows of the batch's keys, in one statement: each row comes
    /// back with the position of its key in the batch's list, not the key itself.
    /// (A look-up per key: LATERAL, kept a subquery by `OFFSET 0`. Joined plainly, the
    /// planner hashed the whole of `dim_contact` for each batch of a contacts file,
    /// 60–80 ms a batch: a reload of 100,000 contacts 3.5 s against 0.7 s.)
    func prefetch(_ batch: PreparedBatch) throws {
        if tableWasEmpty == nil {
            tableWasEmpty = try store.server.int64("SELECT count(*) FROM (SELECT 1 FROM \(Columns.table) LIMIT 1) t") == 0
        }
        prefetched = KeyCache()
        foundRows.removeAll(keepingCapacity: true)
        // Keys new to the unit: into an empty table, each is a new row.
        var newToUnit = 0
        var keys: [String] = []
        var slots: [(start: Int, count: Int)] = []
        batch.bytes.withUnsafeBufferPointer { arena in
            for record in batch.records {
                let value = batch.values[record.values.lowerBound + keyColumn]
                guard value.tag == .text else { continue }
                let bytes = UnsafeBufferPointer(start: arena.baseAddress! + Int(value.payload), count: Int(value.count))
                guard !PostgresStore.holdsNUL(bytes) else { continue }  // refused when written
                let hash = KeyCache.hash(bytes)
                guard prefetched.key(bytes, hash: hash) == nil else { continue }
                prefetched.set(bytes, hash: hash, key: -1)
                if !writtenKeys.contains(hash) { newToUnit += 1 }
                guard tableWasEmpty == false else { continue }
                keys.append(String(decoding: bytes, as: UTF8.self))
                slots.append((Int(value.payload), Int(value.count)))
            }
        }
        guard !keys.isEmpty else {
            if explicitKeys { try allocateKeys(newToUnit) }
            return
        }
        let rows = try store.server.query("""
            SELECT k.n, t.* FROM unnest($1::text[]) WITH ORDINALITY AS k(id, n)
            CROSS JOIN LATERAL (SELECT \(lookupColumns) FROM \(Columns.table) WHERE \(naturalKey) = k.id OFFSET 0) t
            """, [ServerArray.text(keys)])
        batch.bytes.withUnsafeBufferPointer { arena in
            for row in rows {
                guard let n = row[0].int64, n >= 1, Int(n) <= slots.count else { continue }
                let slot = slots[Int(n) - 1]
                let bytes = UnsafeBufferPointer(start: arena.baseAddress! + slot.start, count: slot.count)
                let hash = KeyCache.hash(bytes)
                prefetched.set(bytes, hash: hash, key: Int64(foundRows.count))
                foundRows.append(Self.found(row.dropFirst()))
                if !writtenKeys.contains(hash) { newToUnit -= 1 }
            }
        }
        if explicitKeys { try allocateKeys(newToUnit) }
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

    private static func found(_ row: ArraySlice<SQLValue>) -> Found {
        let r = Array(row)
        return Found(row: StoredRow(key: r[0].int64 ?? 0, extra: r[2].int64, also: r[3].int64), hash: r[1].int64 ?? 0,
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
        }
        if !updates.isEmpty {
            let stage = try store.staging(Columns.table, columns: updateColumns)
            try store.server.copy(into: stage, columns: updateColumns, text: updates.take())
            let set = updateColumns.filter { $0 != naturalKey }.map { "\($0) = s.\($0)" }.joined(separator: ", ")
            // Analysed first: without statistics the planner may scan the whole table for a few rows.
            try store.server.execute("""
                ANALYZE \(stage);
                UPDATE \(Columns.table) t SET \(set) FROM \(stage) s WHERE t.\(naturalKey) = s.\(naturalKey);
                TRUNCATE \(stage)
                """)
        }
    }

    // MARK: A record

    func bind(_ record: PreparedRecord) throws {
        for i in 0..<record.valueCount {
            let value = record.value(i)
            if (value.tag == .text || value.tag == .reference) && value.dimension != .messageType && PostgresStore.holdsNUL(record.bytes(of: value)) {
                throw WarehouseError("line \(record.line): \(Columns(rawValue: i).map(\.name) ?? "a value") holds a NUL byte (0x00), which PostgreSQL cannot store; nothing of this file was loaded")
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
        } else {
            let bytes = record.bytes(keyColumn)
            found = try lookUp(bytes, hash: KeyCache.hash(bytes), prefetched: true)
        }
    }

    private func lookUp(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, prefetched usable: Bool) throws -> Found? {
        if usable && !stale && !writtenKeys.contains(hash) {
            if tableWasEmpty == true { return nil }
            if let index = prefetched.key(key, hash: hash) { return index >= 0 ? foundRows[Int(index)] : nil }
        }
        try store.flush()
        let rows = try store.server.query("SELECT \(lookupColumns) FROM \(Columns.table) WHERE \(naturalKey) = $1",
                                          [.text(String(decoding: key, as: UTF8.self))])
        return rows.first.map { Self.found($0[...]) }
    }

    func write(_ record: PreparedRecord) throws -> Written {
        defer { looked = false; keyOverride = nil }
        if !looked { try find(record) }
        let hash = Int64(bitPattern: record.hash)
        let written: Written
        switch mode {
        case .lookUp(_, let stub, _):
            let isStub = stub && found?.row.extra == 0
            if found != nil, !isStub, found?.hash == hash { return .unchanged }
            written = found == nil || isStub ? .inserted : .updated
        case .unlessUnchanged:
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
            override.withUTF8 { note($0) }
        } else {
            note(record.bytes(keyColumn))
        }
        return written
    }

    private func note(_ key: UnsafeBufferPointer<UInt8>) {
        writtenKeys.insert(KeyCache.hash(key))
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

/// What the store asks of each of its upserts.
protocol ServerRowWriter: AnyObject {
    func prefetch(_ batch: PreparedBatch) throws
    func invalidate()
    func flush() throws
    var isWaiting: Bool { get }
    var waitingBytes: Int { get }
}
