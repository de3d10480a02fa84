/// Many rows of a text key and integer columns, sent by the server as one text
/// value: `string_agg` of `PackedRows.row(…)`, read back by `forEach`. A batch's
/// look-up returns 2,000 rows; as rows, decoding them (a message each, and a
/// value each) took the connection's thread 7 s of an unchanged reload of 3
/// million messages, more than the reading of the file. Making the text costs the
/// server about 0.3–1.5 µs a row, less than decoding the rows costs the client: the
/// whole of `fact_conversation` is read so too, a range of keys at a time
/// (`PostgresStore.forEachPackedConversation`).
///
/// A row is `<bytes of key>:<key>` then ` <integer>` or ` N` (NULL) for each
/// column, then a newline. The key's length is in bytes, so it may hold any
/// character; the database's encoding is UTF-8 (`PostgresWarehouse` creates a
/// warehouse only in such a database), as the connection's is.
enum PackedRows {
    /// The SQL of one packed row: `key` a text column, `columns` integer expressions.
    static func row(key: String, columns: [String]) -> String {
        (["octet_length(\(key))::text", "':'", key]
            + columns.map { "' ' || coalesce((\($0))::text, 'N')" }
            + ["E'\\n'"]).joined(separator: " || ")
    }

    /// The SQL of a statement's packed rows: its `FROM … WHERE …` after them (NULL when none).
    static func select(key: String, columns: [String], from rest: String) -> String {
        "SELECT string_agg(\(row(key: key, columns: columns)), '') \(rest)"
    }

    /// Calls `body` with each row's key bytes and its columns (the same array,
    /// filled again for each row). A malformed text is an error.
    static func forEach(_ packed: String, columns: Int,
                        _ body: (UnsafeBufferPointer<UInt8>, [Int64?]) throws -> Void) throws {
        var text = packed
        var values = [Int64?](repeating: nil, count: columns)
        try text.withUTF8 { bytes in
            var i = 0
            func fail() -> WarehouseError { WarehouseError("the server's packed rows are malformed at byte \(i)") }
            func number() throws -> Int64? {
                if i < bytes.count && bytes[i] == UInt8(ascii: "N") { i += 1; return nil }
                var negative = false
                if i < bytes.count && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
                let start = i
                var n: Int64 = 0
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                    n = n &* 10 &- Int64(bytes[i] - 0x30)  // negative, to hold Int64.min
                    i += 1
                }
                guard i > start else { throw fail() }
                return negative ? n : -n
            }
            while i < bytes.count {
                guard let length = try number(), length >= 0, i < bytes.count, bytes[i] == UInt8(ascii: ":"),
                      i + 1 + Int(length) <= bytes.count else { throw fail() }
                let key = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<(i + 1 + Int(length))])
                i += 1 + Int(length)
                for c in 0..<columns {
                    guard i < bytes.count, bytes[i] == UInt8(ascii: " ") else { throw fail() }
                    i += 1
                    values[c] = try number()
                }
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\n") else { throw fail() }
                i += 1
                try body(key, values)
            }
        }
    }
}
