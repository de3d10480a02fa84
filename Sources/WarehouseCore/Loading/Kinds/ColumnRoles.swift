/// What a column of an export kind holds, for sources that give values other
/// than as text (a JSON body's numbers, `warehouse serve`).
extension ExportKind {
    /// The kind's columns that hold an ID (a natural key, a user in a people
    /// column, a contact, sender or channel ID), by normalised header name. A
    /// number given for one must be exact: a JSON number past 2^53 has lost
    /// digits before it arrives.
    public var identifierColumns: Set<String> { definition.identifierNames }
}

extension ExportDefinition {
    static var identifierNames: Set<String> {
        Set(Column.allCases.compactMap { column -> String? in
            let (name, type) = column.spec
            let normalised = Header.normalise(name)
            let isID = type == .key || type == .id || type == .people
                || normalised.hasSuffix("id") || normalised == "openedbychannel"
            return isID ? normalised : nil
        })
    }
}

extension ExportKind {
    /// The kind's natural key columns (`Conversation ID`, `User ID`, …), as
    /// the export names them: a source of named fields that leaves one out
    /// gives it blank, so that the record is rejected for it (or, for records
    /// without IDs, identified otherwise) rather than stored without a key.
    public var naturalKeyColumns: [String] { definition.naturalKeyNames }
}

extension ExportDefinition {
    static var naturalKeyNames: [String] {
        Column.allCases.filter { $0.spec.type == .key }.map(\.spec.name)
    }
}
