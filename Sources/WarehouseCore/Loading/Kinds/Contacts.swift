/// The contacts export: one row per contact, stored in `dim_contact` by
/// ContactID. Every column it does not declare is a custom field of the
/// workspace, kept as a JSON object.
enum Contacts: ExportDefinition {
    /// The export's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, lastInteraction, created
        case firstName, lastName, phone, email, country, language, tags, status, lifecycle, assignee, channels

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("ContactID", .key)
            case .lastInteraction: ("LastInteractionTime", .timestamp)
            case .created: ("DateTimeCreated", .timestamp)
            case .firstName: ("FirstName", .raw)
            case .lastName: ("LastName", .raw)
            case .phone: ("PhoneNumber", .raw)
            case .email: ("Email", .raw)
            case .country: ("Country", .raw)
            case .language: ("Language", .raw)
            case .tags: ("Tags", .raw)
            case .status: ("Status", .raw)
            case .lifecycle: ("Lifecycle", .raw)
            case .assignee: ("Assignee", .people)
            case .channels: ("Channels", .text)
            }
        }
    }

    /// `dim_contact`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "dim_contact"
        static let surrogateKey = "contact_key"
        case contact_id, first_name, last_name, phone_number, email, country, language, tags, status, lifecycle
        case assignee_user_key, last_interaction_ts, last_interaction_local, created_ts, created_local, channels
        case custom_fields, in_contacts_export
    }

    static let identifiedBy: [Column] = [.id]
    static let unlike = ["Message ID", "Conversation ID"]

    static func form(_ columns: ColumnPositions<Column>) -> String? { nil }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        var customFields: [(String, String)] = []
        for (name, value) in r.undeclared() where !FieldParsing.trimmed(value).isEmpty {
            customFields.append((name, String(decoding: value, as: UTF8.self)))
        }
        w.text(Stored.contact_id, r[.id])
        w.text(Stored.first_name, r[.firstName])
        w.text(Stored.last_name, r[.lastName])
        w.text(Stored.phone_number, r[.phone])
        w.text(Stored.email, r[.email])
        w.text(Stored.country, r[.country])
        w.text(Stored.language, r[.language])
        w.text(Stored.tags, r[.tags])
        w.text(Stored.status, r[.status])
        w.text(Stored.lifecycle, r[.lifecycle])
        w.reference(Stored.assignee_user_key, .user, r[.assignee])
        w.instant(Stored.last_interaction_ts, r.int(.lastInteraction), withDate: false)
        w.instant(Stored.created_ts, r.int(.created), withDate: false)
        w.text(Stored.channels, r[.channels])
        w.text(Stored.custom_fields, customFields.isEmpty ? nil : JSONText.object(customFields))
        w.int(Stored.in_contacts_export, 1)
    }

    /// A contact a conversation or message referred to before is a stub row
    /// (`in_contacts_export` 0): filling it in counts as an insert.
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        try store.dimensionWriter(Stored.self, key: .contact_id, dimension: .contact,
                                  mode: .lookUp(extra: .in_contacts_export, stub: true))
    }
}
