/// The channels file: a small mapping a user writes by hand (exports carry
/// channel IDs only), stored in `dim_channel` by Channel ID.
enum Channels: ExportDefinition {
    /// The file's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, name, type

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("Channel ID", .key)
            case .name: ("Channel Name", .text)
            case .type: ("Channel Type", .text)
            }
        }
    }

    /// `dim_channel`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "dim_channel"
        static let surrogateKey = "channel_key"
        case channel_id, channel_name, channel_type, in_channels_export
    }

    static let identifiedBy: [Column] = [.id, .name]

    static func form(_ columns: ColumnPositions<Column>) -> String? { nil }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        w.text(Stored.channel_id, r[.id])
        w.text(Stored.channel_name, r[.name])
        w.text(Stored.channel_type, r[.type])
        w.int(Stored.in_channels_export, 1)
    }

    /// A channel a message or conversation referred to before is a stub row
    /// (`in_channels_export` 0): filling it in counts as an insert.
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        try store.dimensionWriter(Stored.self, key: .channel_id, dimension: .channel,
                                  mode: .lookUp(extra: .in_channels_export, stub: true))
    }
}
