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
