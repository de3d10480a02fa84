/// The users export: one row per user of the workspace, stored in `dim_user`
/// by User ID, with the user's teams in `bridge_user_team`.
enum Users: ExportDefinition {
    /// The export's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, firstName, lastName, email, role, team

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("User ID", .key)
            case .firstName: ("First Name", .text)
            case .lastName: ("Last Name", .text)
            case .email: ("Email", .text)
            case .role: ("Role", .text)
            /// Several team names separated by `;`.
            case .team: ("Team", .raw)
            }
        }
    }

    /// `dim_user`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "dim_user"
        static let surrogateKey = "user_key"
        case user_id, first_name, last_name, email, role, teams, in_users_export
    }

    static let identifiedBy: [Column] = [.id, .email]

    static func form(_ columns: ColumnPositions<Column>) -> String? { nil }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        let teams = String(decoding: r[.team], as: UTF8.self)
            .split(separator: ";").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        w.text(Stored.user_id, r[.id])
        w.text(Stored.first_name, r[.firstName])
        w.text(Stored.last_name, r[.lastName])
        w.text(Stored.email, r[.email])
        w.text(Stored.role, r[.role])
        w.text(Stored.teams, teams.joined(separator: ";"))
        w.int(Stored.in_users_export, 1)
    }

    /// A user a conversation or message referred to before is a stub row
    /// (`in_users_export` 0): filling it in counts as an insert. A written
    /// user's teams replace the ones stored.
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        try store.dimensionWriter(Stored.self, key: .user_id, dimension: .user,
                                  mode: .lookUp(extra: .in_users_export, stub: true)) { record, key in
            let teams = String(decoding: record.bytes(Stored.teams.rawValue), as: UTF8.self).split(separator: ";")
            try store.setTeams(ofUser: key, teams.map(String.init))
        }
    }
}
