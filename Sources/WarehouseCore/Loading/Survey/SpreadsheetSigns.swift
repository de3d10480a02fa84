/// Signs that a source went through a spreadsheet, which make IDs that end in
/// zeros evidence of damage even when there are few of them (SPEC 1: "the
/// zeros rule needs at least 5 such IDs in the column, or another sign of a
/// spreadsheet in the same file"). A respond.io export is UTF-8 with commas,
/// its IDs plain digits and its timestamps `YYYY-MM-DD HH:MM:SS`; each sign is
/// something only a program that rewrote the file writes:
/// - the source was read as Windows-1252 or UTF-16, its fields are
///   separated by `;` or tabs, or its header ends in columns with no name (a
///   spreadsheet pads every row to the widest);
/// - an ID in scientific notation (`7.6383E+18`) or with a trailing `.0`
///   (`5312010.0`), in any ID or people column;
/// - a timestamp in a spreadsheet's form (`26/03/2025 12:16`, a serial number);
/// - a duration written back as a time of day (`12:01:37 AM`).
///
/// Records sent live were typed by a program, not a spreadsheet: their IDs are
/// never asked about (`SourceSurvey`).
struct SpreadsheetSigns {
    /// Header positions of the ID and people columns.
    let ids: [Int]
    /// Header positions of the timestamp columns.
    let timestamps: [Int]
    /// Header positions of the duration columns.
    let durations: [Int]

    /// The sign a whole source shows by how it was written, if any.
    static func ofSource(_ source: any RecordSource) -> String? {
        if let encoding = source.encoding { return "it was written as \(encoding)" }
        if let separator = source.separator { return "its fields are separated by \(separator)" }
        if source.unnamedColumns > 0 { return "its header ends in columns with no name" }
        return nil
    }

    /// The sign `fields` show, described with `line`, if any.
    func of(_ fields: RecordFields, line: Int) -> String? {
        for position in ids {
            let f = FieldParsing.trimmed(fields.field(position))
            guard !f.isEmpty else { continue }
            if ZeroPaddedIDs.isScientific(f) {
                return "an ID in scientific notation ('\(String(decoding: f, as: UTF8.self))' on line \(line))"
            }
            if FieldParsing.withoutPointZero(f).count != f.count {
                return "an ID with a trailing .0 ('\(String(decoding: f, as: UTF8.self))' on line \(line))"
            }
        }
        for position in timestamps {
            let f = FieldParsing.trimmed(fields.field(position))
            guard !f.isEmpty, FieldParsing.timestamp(f) == nil, SpreadsheetTimestamp.read(f) != nil else { continue }
            return "a timestamp in a spreadsheet's form ('\(String(decoding: f, as: UTF8.self))' on line \(line))"
        }
        for position in durations {
            let f = FieldParsing.trimmed(fields.field(position))
            guard !f.isEmpty, FieldParsing.clockTimeDuration(f) != nil else { continue }
            return "a duration written as a time of day ('\(String(decoding: f, as: UTF8.self))' on line \(line))"
        }
        return nil
    }
}
