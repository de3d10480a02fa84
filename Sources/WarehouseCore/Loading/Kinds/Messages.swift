/// The messages export: one row per message, stored in `fact_message` by
/// Message ID. Older files stop after `Content` (no `Channel ID`, `Type`,
/// `Sub Type`): the legacy form. A message carries no conversation ID; the
/// writing side links it (`MessageLinks`).
enum Messages: ExportDefinition {
    /// The export's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, time, senderID, senderType, contact, contentType, messageType, content, channel, type, subType

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("Message ID", .key)
            case .time: ("Date & Time", .requiredTimestamp)
            case .senderID: ("Sender ID", .people)
            case .senderType: ("Sender Type", .text)
            case .contact: ("Contact ID", .id)
            case .contentType: ("Content Type", .text)
            case .messageType: ("Message Type", .text)
            case .content: ("Content", .raw)
            case .channel: ("Channel ID", .id)
            case .type: ("Type", .text)
            case .subType: ("Sub Type", .text)
            }
        }
    }

    /// `fact_message`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "fact_message"
        static let surrogateKey = "message_key"
        case message_id, sent_ts, sent_local, sent_date_key, sent_hour, contact_key, source_key
        case sender_id, sender_user_key, message_type_key, channel_key, content_raw, content_text
        case message_id_as_exported
    }

    static let identifiedBy: [Column] = [.id, .senderType]
    static let unlike = ["Failure Reason"]

    static func form(_ columns: ColumnPositions<Column>) -> String? {
        columns.has(.channel) ? "current" : "legacy"
    }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        let source = senderType(r[.senderType])
        let sender = r[.senderID]
        // An ID a spreadsheet damaged: the message is kept by its contact, minute and content.
        let identity = try r.messageIdentity(.id, contact: .contact, time: .time, content: .content)
        if let identity { w.text(Stored.message_id, identity) } else { w.text(Stored.message_id, r[.id]) }
        w.instant(Stored.sent_ts, r.int(.time), withDate: true)
        w.reference(Stored.contact_key, .contact, r[.contact])
        w.reference(Stored.source_key, .source, source)
        w.text(Stored.sender_id, sender)
        if source == "user" { w.reference(Stored.sender_user_key, .user, sender) } else { w.null(Stored.sender_user_key) }
        w.reference(Stored.message_type_key, .messageType, messageTypeValue([r[.contentType], r[.messageType], r[.type], r[.subType]]))
        w.reference(Stored.channel_key, .channel, r[.channel])
        let raw = r[.content]
        w.text(Stored.content_raw, raw)
        w.text(Stored.content_text, raw.isEmpty ? nil : MessageContent.text(of: raw))
        w.laterText(Stored.message_id_as_exported, identity == nil ? nil : r[.id])
    }

    /// A message is linked to its conversation as it is written (the link is
    /// derived, not part of the record: bound without hashing); the store
    /// counts it in the daily summary and its conversation's linked messages.
    /// A message kept by contact, minute and content (its ID damaged) is left
    /// out when it is stored with its ID already; one with an intact ID takes
    /// over the row kept for it.
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        let upsert = try store.upsert(Stored.self, key: .message_id, extra: [.conversation_key], mode: .unlessUnchanged)
        return { record in
            try upsert.bind(record)
            let contact = upsert.key(record, .contact_key)
            let id = record.bytes(Stored.message_id.rawValue)
            let sent = record.int(Stored.sent_ts.rawValue)!
            if ContactIdentity.isIdentity(id) {
                store.note(.damagedID)
                let print = ContactIdentity.contentPrint(record.bytes(Stored.content_raw.rawValue))
                if let contact, try store.intactMessage(.messages, contact: contact, sent: sent, contentPrint: print) { return .unchanged }
                store.identityWritten(.messages)
            } else if try store.holdsIdentities(.messages) {
                let identity = ContactIdentity.message(contact: record.bytes(Stored.contact_key.rawValue), sent: sent,
                                                       content: record.bytes(Stored.content_raw.rawValue))
                try store.takeOver(.messages, identity: identity, id: String(decoding: id, as: UTF8.self))
            }
            let link = try contact.flatMap { try store.conversation(ofMessageFrom: $0, at: record.int(Stored.sent_ts.rawValue)!) }
            upsert.bindExtra(0, link)
            let dateKey = Int(record.int(Stored.sent_date_key.rawValue)!)
            let written = try upsert.write(record)
            switch written {
            case .unchanged: break
            case .updated: store.messageReplaced(date: dateKey)
            case .inserted:
                store.messageInserted(date: dateKey, source: upsert.key(record, .source_key)!, channel: upsert.key(record, .channel_key),
                                      sender: record.bytes(Stored.sender_id.rawValue), user: upsert.key(record, .sender_user_key),
                                      conversation: link)
            }
            return written
        }
    }

    /// A Sender Type in lower case (Unicode case mapping only when it is not plain lower-case ASCII).
    static func senderType(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// Content Type, Message Type, Type and Sub Type, trimmed, as one reference
    /// value: each part's length (4 bytes) then its bytes.
    static func messageTypeValue(_ parts: [UnsafeBufferPointer<UInt8>]) -> String {
        var bytes: [UInt8] = []
        for part in parts {
            withUnsafeBytes(of: UInt32(part.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: part)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
