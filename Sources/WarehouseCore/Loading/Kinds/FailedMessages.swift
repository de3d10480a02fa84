/// The failed messages export: one row per message that could not be
/// delivered, stored in `fact_failed_message` by Message ID.
enum FailedMessages: ExportDefinition {
    /// The export's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, time, contact, channel, senderType, senderID, reason

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("Message ID", .key)
            case .time: ("Date & Time", .timestamp)
            case .contact: ("Contact ID", .id)
            case .channel: ("Channel ID", .id)
            case .senderType: ("Sender Type", .text)
            case .senderID: ("Sender ID", .people)
            case .reason: ("Failure Reason", .raw)
            }
        }
    }

    /// `fact_failed_message`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "fact_failed_message"
        static let surrogateKey = "failed_message_key"
        case message_id, failed_ts, failed_local, failed_date_key, failed_hour, contact_key, channel_key
        case source_key, sender_id, sender_user_key, failure_reason
        case message_id_as_exported
    }

    static let identifiedBy: [Column] = [.id, .reason]

    static func form(_ columns: ColumnPositions<Column>) -> String? { nil }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        let source = Messages.senderType(r[.senderType])
        let sender = r[.senderID]
        // An ID a spreadsheet damaged: kept by contact, minute and failure reason (`ContactIdentity`).
        let identity = try r.messageIdentity(.id, contact: .contact, time: .time, content: .reason)
        if let identity { w.text(Stored.message_id, identity) } else { w.text(Stored.message_id, r[.id]) }
        w.instant(Stored.failed_ts, r.int(.time), withDate: true)
        w.reference(Stored.contact_key, .contact, r[.contact])
        w.reference(Stored.channel_key, .channel, r[.channel])
        if source.isEmpty { w.null(Stored.source_key) } else { w.reference(Stored.source_key, .source, source) }
        w.text(Stored.sender_id, sender)
        if source == "user" { w.reference(Stored.sender_user_key, .user, sender) } else { w.null(Stored.sender_user_key) }
        w.text(Stored.failure_reason, r[.reason])
        w.laterText(Stored.message_id_as_exported, identity == nil ? nil : r[.id])
    }

    /// Kept by contact, minute and failure reason when its ID was damaged, as a message is (`Messages.writer`).
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        let upsert = try store.upsert(Stored.self, key: .message_id, extra: [], mode: .unlessUnchanged)
        return { record in
            try upsert.bind(record)
            let id = record.bytes(Stored.message_id.rawValue)
            if ContactIdentity.isIdentity(id) {
                store.note(.damagedID)
                let print = ContactIdentity.contentPrint(record.bytes(Stored.failure_reason.rawValue))
                if let contact = upsert.key(record, .contact_key), let failed = record.int(Stored.failed_ts.rawValue),
                   try store.intactMessage(.failedMessages, contact: contact, sent: failed, contentPrint: print) { return .unchanged }
                store.identityWritten(.failedMessages)
            } else if try store.holdsIdentities(.failedMessages), let failed = record.int(Stored.failed_ts.rawValue) {
                let identity = ContactIdentity.message(contact: record.bytes(Stored.contact_key.rawValue), sent: failed,
                                                       content: record.bytes(Stored.failure_reason.rawValue))
                try store.takeOver(.failedMessages, identity: identity, id: String(decoding: id, as: UTF8.self))
            }
            return try upsert.write(record)
        }
    }
}
