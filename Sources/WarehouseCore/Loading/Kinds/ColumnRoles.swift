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
        // Every ID column is declared as one (`key`, `id`, `people`): its type says it.
        Set(Column.allCases.compactMap { column -> String? in
            let (name, type) = column.spec
            return type == .key || type == .id || type == .people ? Header.normalise(name) : nil
        })
    }
}
