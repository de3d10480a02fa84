/// A spreadsheet saves every row as wide as the file's widest (SPEC 1, "Exports
/// after a spreadsheet"): one record with an extra field gives the header, and
/// every other row, an empty last field. Short rows come back padded with empty
/// fields too, and nothing can tell them from the original.
///
/// So a header line's trailing columns with no name are no columns: the header
/// is the named ones, empty fields under the others are ignored, and a value
/// under one was an extra field: its record is rejected as one with the wrong
/// number of fields, in the same words, counting up to its last value.
enum RowPadding {
    /// How many of a header line's names come before the trailing ones that are
    /// blank (nothing but spaces).
    static func namedCount(_ names: [String]) -> Int {
        var count = names.count
        while count > 0 && names[count - 1].trimmingSpaces.isEmpty { count -= 1 }
        return count
    }

    /// Why a record whose field count is not the header's is rejected: `wrong
    /// number of fields: 31, header has 30`. When the header line ended in
    /// `unnamedColumns` columns with no name, blank fields after the header's
    /// named columns are padding and are not counted: nil when nothing else is
    /// there. Called only for a record whose count differs, so a native file
    /// pays nothing for it.
    static func fieldCountMismatch(_ fields: RecordFields, header: Int, unnamedColumns: Int) -> String? {
        var count = fields.count
        if unnamedColumns > 0 {
            while count > header && FieldParsing.trimmed(fields.field(count - 1)).isEmpty { count -= 1 }
            if count == header { return nil }
        }
        return "wrong number of fields: \(count), header has \(header)"
    }
}
