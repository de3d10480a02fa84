/// Binds one record's values to an upsert statement in column order while
/// hashing them (FNV-1a, 64 bits), so that a reloaded record whose values did
/// not change is recognised and left untouched.
struct RowBinder {
    let statement: Statement
    private(set) var index: Int32 = 0
    private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    init(_ statement: Statement) { self.statement = statement }

    @inline(__always)
    private mutating func mixByte(_ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    private mutating func mixInt(_ value: Int64) {
        var v = UInt64(bitPattern: value)
        for _ in 0..<8 { mixByte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    mutating func null() {
        index += 1
        statement.bindNull(index)
        mixByte(0)
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        index += 1
        statement.bindInt(index, value)
        mixByte(1); mixInt(value)
    }

    mutating func int(_ value: Int?) { int(value.map(Int64.init)) }

    /// Text from bytes; empty is NULL.
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return null() }
        index += 1
        statement.bindText(index, bytes)
        mixByte(2)
        for b in bytes { mixByte(b) }
        mixInt(Int64(bytes.count))
    }

    /// Text from a string; nil or empty is NULL.
    mutating func text(_ value: String?) {
        guard var value, !value.isEmpty else { return null() }
        value.withUTF8 { text($0) }
    }

    /// Binds the hash of everything bound so far as the next parameter (not hashed).
    mutating func bindHash() {
        index += 1
        statement.bindInt(index, Int64(bitPattern: hash))
    }

    /// Binds a value that is not part of the record's identity (not hashed).
    mutating func unhashed(_ value: Int64?) {
        index += 1
        if let value { statement.bindInt(index, value) } else { statement.bindNull(index) }
    }
}

/// The SQL of an upsert on a natural key that replaces every column.
func upsertSQL(table: String, columns: [String], conflict: String) -> String {
    let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
    let updates = columns.filter { $0 != conflict }.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
    return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(placeholders)) "
        + "ON CONFLICT(\(conflict)) DO UPDATE SET \(updates)"
}

/// An upsert that leaves an identical stored record (same `row_hash`) alone.
func upsertUnlessUnchangedSQL(table: String, columns: [String], conflict: String) -> String {
    upsertSQL(table: table, columns: columns, conflict: conflict)
        + " WHERE \(table).row_hash IS NOT excluded.row_hash"
}
