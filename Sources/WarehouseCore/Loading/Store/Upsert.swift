/// The SQL of an upsert on a natural key that replaces every column.
func upsertSQL(table: String, columns: [String], conflict: String) -> String {
    let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
    let updates = columns.filter { $0 != conflict }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders)) "
        + "ON CONFLICT(\(conflict)) DO UPDATE SET \(updates)"
}

/// What writing a record did.
enum Written { case unchanged, inserted, updated }

/// How a kind's records are written by their natural key.
enum UpsertMode<Columns: StoredColumns> {
    /// Looks the key up first and writes unless the stored record is identical;
    /// the stored row's surrogate key and `extra` column come back to the kind
    /// (a conversation's old contact). With `stub`, `extra` is the flag a
    /// dimension row made from a reference has at 0 (`in_contacts_export`…):
    /// filling such a stub in counts as an insert. `also`: a second column the
    /// look-up returns (a conversation's start, to tell two conversations
    /// that share an ID).
    case lookUp(extra: Columns, stub: Bool, also: Columns? = nil)
    /// Writes unless the stored record is identical (same `row_hash`), without
    /// giving the kind the stored row. (SQLite does it in one statement: it sets
    /// the last insert rowid on an insert and leaves it on the upsert's update,
    /// so with it set to 0 (no row has rowid 0) beforehand, a rowid afterwards
    /// means an insert. One statement instead of a look-up and a write: 200,000
    /// new messages, 3.80 s against 3.89 s.)
    case unlessUnchanged
}

/// A kind's upsert: its stored columns (`Columns`), then values the writing
/// side works out (`extra`: a message's conversation, for example; not part of
/// the record's hash), then `row_hash` and `load_id`. Binds a prepared
/// record's values in place (the batch outlives the step), references as their
/// dimension keys.
final class Upsert<Columns: StoredColumns>: RecordUpsert {
    private unowned let store: SQLiteStore
    private let db: Database
    private let dimensions: DimensionKeys
    private let statement: Statement
    private let lookup: Statement?
    private let mode: UpsertMode<Columns>
    private let extraCount: Int32
    /// How many stored columns the kind has (`Columns.allCases.count`, counted once).
    private let columnCount: Int32
    /// The natural key's value position.
    private let keyColumn: Int
    /// The keys of the current record's references, by value position.
    private var referenceKeys = [Int64](repeating: 0, count: Columns.allCases.count)
    /// The stored row found by the look-up (its key, and the mode's extra and `also` columns).
    private(set) var stored: StoredRow?
    /// Whether `stored` is the look-up of the record being written.
    private var found = false
    private var storedHash: Int64 = 0
    /// The key the record is written under when not its own (`rekey`).
    private var keyOverride: String?

    init(store: SQLiteStore, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>) throws {
        self.store = store
        db = store.db
        dimensions = store.dimensions
        self.mode = mode
        extraCount = Int32(extra.count)
        columnCount = Int32(Columns.allCases.count)
        keyColumn = key.rawValue
        let conflict = String(describing: key)
        let sql = upsertSQL(table: Columns.table, columns: Columns.names + extra.map(\.rawValue) + ["row_hash", "load_id"], conflict: conflict)
        switch mode {
        case .lookUp(let extraColumn, _, let also):
            statement = try db.cachedStatement(sql)
            lookup = try db.cachedStatement("SELECT \(Columns.surrogateKey), coalesce(row_hash, 0), \(extraColumn.name), \(also?.name ?? "NULL") FROM \(Columns.table) WHERE \(conflict) = ?")
        case .unlessUnchanged:
            statement = try db.cachedStatement(sql + " WHERE \(Columns.table).row_hash IS NOT excluded.row_hash")
            lookup = nil
        }
    }

    /// Binds the record's values; a kind then binds its extras and writes.
    func bind(_ record: PreparedRecord) throws {
        var index: Int32 = 1
        for i in 0..<record.valueCount {
            let value = record.value(i)
            switch value.tag {
            case .null: statement.bindNull(index)
            case .int: statement.bindInt(index, value.payload)
            case .date:
                try dimensions.noteDate(Int(value.payload))
                statement.bindInt(index, value.payload)
            case .text: statement.bindStaticText(index, record.bytes(of: value))
            case .reference:
                let key = try dimensions.referenceKey(value.dimension, record.bytes(of: value), hash: value.keyHash)
                referenceKeys[i] = key
                statement.bindInt(index, key)
            }
            index += 1
        }
    }

    /// The dimension key a reference column got in `bind`; nil when NULL.
    func key(_ record: PreparedRecord, _ column: Columns) -> Int64? {
        record.value(column.rawValue).tag == .reference ? referenceKeys[column.rawValue] : nil
    }

    /// Binds extra value `i` (0-based, in the order the kind named them).
    func bindExtra(_ i: Int, _ value: Int64?) {
        let index = columnCount + Int32(i) + 1
        if let value { statement.bindInt(index, value) } else { statement.bindNull(index) }
    }

    /// Looks the record's key (or the one `rekey` gave it) up, for a look-up
    /// upsert: `stored` is then the row it would replace. `write` does it when
    /// the kind has not.
    func find(_ record: PreparedRecord) throws {
        guard let lookup else { return }
        lookup.reset()
        if let keyOverride {
            lookup.bindText(1, keyOverride)
        } else {
            lookup.bindText(1, record.bytes(keyColumn))
        }
        storedHash = 0
        stored = nil
        if try lookup.step() {
            stored = StoredRow(key: lookup.int64(at: 0), extra: lookup.isNull(at: 2) ? nil : lookup.int64(at: 2),
                               also: lookup.isNull(at: 3) ? nil : lookup.int64(at: 3))
            storedHash = lookup.int64(at: 1)
        }
        lookup.reset()
        found = true
    }

    /// Writes the bound record under `key` instead of its own natural key
    /// (a conversation whose ID another conversation holds).
    func rekey(_ key: String) {
        keyOverride = key
        statement.bindText(Int32(keyColumn) + 1, key)
        found = false
    }

    /// Writes the bound record (unless identical to the stored one) under the store's load unit.
    func write(_ record: PreparedRecord) throws -> Written {
        let index = columnCount + extraCount + 1
        let hash = Int64(bitPattern: record.hash)
        statement.bindInt(index, hash)
        statement.bindInt(index + 1, store.loadID)
        defer { statement.reset(); found = false; keyOverride = nil }
        guard case .lookUp(_, let stub, _) = mode else {
            db.lastInsertRowID = 0
            try statement.run()
            guard db.changes > 0 else { return .unchanged }
            return db.lastInsertRowID != 0 ? .inserted : .updated
        }
        if !found { try find(record) }
        let isStub = stub && stored?.extra == 0
        if stored != nil, !isStub, storedHash == hash { return .unchanged }
        try statement.run()
        return stored == nil || isStub ? .inserted : .updated
    }

    /// The key of the row the last `write` wrote (for a look-up upsert).
    var writtenKey: Int64 { stored?.key ?? db.lastInsertRowID }
}

/// The stored row a look-up upsert found: its key, and the mode's extra and `also` columns.
struct StoredRow {
    let key: Int64
    let extra: Int64?
    let also: Int64?
}
