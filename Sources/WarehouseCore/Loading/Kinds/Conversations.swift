/// The conversations export: one row per closed conversation, stored in
/// `fact_conversation` by Conversation ID. The current form has 30 columns,
/// the legacy form the first 13; both load (a column a file lacks is NULL).
enum Conversations: ExportDefinition {
    /// The export's columns, in the order their values are checked.
    enum Column: Int, ExportColumns {
        case id, started, resolved, firstResponse, firstAssignment, lastAssignment
        case firstResponseTime, resolutionTime, timeToFirstAssignment, firstAssignmentToFirstResponse
        case lastAssignmentToResponse, firstAssignmentToClose, lastAssignmentToClose, averageResponseTime
        case outgoing, incoming, assignments, responses
        case contact, assignee, firstAssignee, lastAssignee, closedBy, firstResponseBy
        case category, summary, closedBySource, closedByTeam, openedBySource, openedByChannel

        var spec: (name: String, type: FieldType) {
            switch self {
            case .id: ("Conversation ID", .key)
            case .started: ("DateTime Conversation Started", .timestamp)
            case .resolved: ("DateTime Conversation Resolved", .timestamp)
            case .firstResponse: ("DateTime First Response", .timestamp)
            case .firstAssignment: ("First Assignment Timestamp", .timestamp)
            case .lastAssignment: ("Last Assignment Timestamp", .timestamp)
            case .firstResponseTime: ("First Response Time", .duration)
            case .resolutionTime: ("Resolution Time", .duration)
            case .timeToFirstAssignment: ("Time to First Assignment", .duration)
            case .firstAssignmentToFirstResponse: ("First Assignment to First Response Time", .duration)
            case .lastAssignmentToResponse: ("Last Assignment to Response Time", .duration)
            case .firstAssignmentToClose: ("First Assignment to Close Time", .duration)
            case .lastAssignmentToClose: ("Last Assignment to Close Time", .duration)
            case .averageResponseTime: ("Average Response Time", .duration)
            case .outgoing: ("Number of Outgoing Messages", .count)
            case .incoming: ("Number of Incoming Messages", .count)
            case .assignments: ("Number of Assignments", .count)
            case .responses: ("Number of Responses", .count)
            case .contact: ("Contact ID", .id)
            case .assignee: ("Assignee", .people)
            case .firstAssignee: ("First Assignee", .people)
            case .lastAssignee: ("Last Assignee", .people)
            case .closedBy: ("Closed By", .people)
            case .firstResponseBy: ("First Response By", .people)
            case .category: ("Conversation Category", .text)
            case .summary: ("Closing Note Summary", .raw)
            case .closedBySource: ("Closed By Source", .text)
            case .closedByTeam: ("Closed By Team", .text)
            case .openedBySource: ("Opened By Source", .text)
            case .openedByChannel: ("Opened By Channel", .id)
            }
        }
    }

    /// `fact_conversation`'s columns, in the order they are bound.
    enum Stored: Int, StoredColumns {
        static let table = "fact_conversation"
        static let surrogateKey = "conversation_key"
        case conversation_id, export_form, contact_key
        case started_ts, started_local, started_date_key, started_hour
        case resolved_ts, resolved_local, resolved_date_key, resolved_hour
        case first_response_ts, first_response_local
        case assignee_user_key, first_assignee_user_key, last_assignee_user_key, closed_by_user_key, first_response_by_user_key
        case outgoing_messages, incoming_messages, category_key, closing_note_summary
        case closed_by_source, closed_by_team_key, opened_by_source, opened_by_channel_key
        case first_assignment_ts, first_assignment_local, last_assignment_ts, last_assignment_local
        case first_response_seconds, first_response_is_derived, resolution_seconds, resolution_is_derived
        case time_to_first_assignment_seconds, first_assignment_to_first_response_seconds, last_assignment_to_response_seconds
        case first_assignment_to_close_seconds, last_assignment_to_close_seconds, average_response_seconds
        case number_of_assignments, number_of_responses
        case conversation_id_as_exported
    }

    static let identifiedBy: [Column] = [.id, .started]

    /// A file with any column of the current form beyond the legacy 13 is `current`.
    static func form(_ columns: ColumnPositions<Column>) -> String? {
        columns.has(.firstAssignee) || columns.has(.closedByTeam) || columns.has(.openedBySource) || columns.has(.responses)
            ? "current" : "legacy"
    }

    static func prepare(_ r: ParsedRecord<Column>, _ w: inout RecordWriter) throws {
        let startedTs = r.int(.started)
        // Blank in the export but both timestamps there: real elapsed seconds
        // (never negative: a start after the event leaves it NULL).
        func elapsed(_ to: Int64?) -> Int64? {
            guard let startedTs, let to, to >= startedTs else { return nil }
            return to - startedTs
        }
        let exportFRT = r.int(.firstResponseTime), exportRT = r.int(.resolutionTime)
        let derivedFRT = exportFRT == nil ? elapsed(r.int(.firstResponse)) : nil
        let derivedRT = exportRT == nil ? elapsed(r.int(.resolved)) : nil

        // An ID a spreadsheet damaged, or none (a webhook event): the
        // conversation is kept by its contact and the minute it started.
        let id = r[.id]
        let damaged = !id.isEmpty && r.idIsDamaged(.id)
        if id.isEmpty || damaged {
            guard !r[.contact].isEmpty, let startedTs else {
                throw RowReject(id.isEmpty
                    ? "no Conversation ID, and no Contact ID and start to know the conversation by"
                    : "Conversation ID '\(String(decoding: id, as: UTF8.self))' was damaged by a spreadsheet, and the row has no Contact ID and start to know the conversation by")
            }
            w.text(Stored.conversation_id, ContactIdentity.conversation(contact: r[.contact], started: startedTs))
        } else {
            w.text(Stored.conversation_id, id)
        }
        w.text(Stored.export_form, r.form)
        w.reference(Stored.contact_key, .contact, r[.contact])
        w.instant(Stored.started_ts, startedTs, withDate: true)
        w.instant(Stored.resolved_ts, r.int(.resolved), withDate: true)
        w.instant(Stored.first_response_ts, r.int(.firstResponse), withDate: false)
        w.reference(Stored.assignee_user_key, .user, r[.assignee])
        w.reference(Stored.first_assignee_user_key, .user, r[.firstAssignee])
        w.reference(Stored.last_assignee_user_key, .user, r[.lastAssignee])
        w.reference(Stored.closed_by_user_key, .user, r[.closedBy])
        w.reference(Stored.first_response_by_user_key, .user, r[.firstResponseBy])
        w.int(Stored.outgoing_messages, r.int(.outgoing))
        w.int(Stored.incoming_messages, r.int(.incoming))
        w.reference(Stored.category_key, .category, r[.category])
        w.text(Stored.closing_note_summary, r[.summary])
        w.text(Stored.closed_by_source, r[.closedBySource])
        w.reference(Stored.closed_by_team_key, .team, r[.closedByTeam])
        w.text(Stored.opened_by_source, r[.openedBySource])
        w.reference(Stored.opened_by_channel_key, .channel, r[.openedByChannel])
        w.instant(Stored.first_assignment_ts, r.int(.firstAssignment), withDate: false)
        w.instant(Stored.last_assignment_ts, r.int(.lastAssignment), withDate: false)
        w.int(Stored.first_response_seconds, exportFRT ?? derivedFRT)
        w.int(Stored.first_response_is_derived, derivedFRT == nil ? 0 : 1)
        w.int(Stored.resolution_seconds, exportRT ?? derivedRT)
        w.int(Stored.resolution_is_derived, derivedRT == nil ? 0 : 1)
        w.int(Stored.time_to_first_assignment_seconds, r.int(.timeToFirstAssignment))
        w.int(Stored.first_assignment_to_first_response_seconds, r.int(.firstAssignmentToFirstResponse))
        w.int(Stored.last_assignment_to_response_seconds, r.int(.lastAssignmentToResponse))
        w.int(Stored.first_assignment_to_close_seconds, r.int(.firstAssignmentToClose))
        w.int(Stored.last_assignment_to_close_seconds, r.int(.lastAssignmentToClose))
        w.int(Stored.average_response_seconds, r.int(.averageResponseTime))
        w.int(Stored.number_of_assignments, r.int(.assignments))
        w.int(Stored.number_of_responses, r.int(.responses))
        w.laterText(Stored.conversation_id_as_exported, damaged ? id : nil)
    }

    /// A written conversation touches its contact and, when it moved, its old
    /// contact: their messages are linked again and their first conversation
    /// decided again after the file's rows (`MessageLinks`, `NewContacts`).
    ///
    /// By contact and time (SPEC 1): a conversation kept by its contact and
    /// start is left out when that conversation is stored with its ID already;
    /// one with an intact ID takes over the row kept for it; and an ID held by
    /// a conversation of another contact that started at another time is a
    /// second conversation, kept under its ID, contact and start.
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written {
        let upsert = try store.upsert(Stored.self, key: .conversation_id, extra: [.is_new_contact],
                                      mode: .lookUp(extra: .contact_key, stub: false, also: .started_ts))
        return { record in
            try upsert.bind(record)
            let contact = upsert.key(record, .contact_key)
            let started = record.int(Stored.started_ts.rawValue)
            let id = record.bytes(Stored.conversation_id.rawValue)
            let byContact = ContactIdentity.isIdentity(id)
            if byContact {
                if record.value(Stored.conversation_id_as_exported.rawValue).tag != .null { store.note(.damagedID) }
                if let contact, let started, try store.intactConversation(contact: contact, started: started) { return .unchanged }
                store.identityWritten(.conversations)
            } else if let started, try store.holdsIdentities(.conversations) {
                let contactID = record.bytes(Stored.contact_key.rawValue)
                try store.takeOver(.conversations, identity: ContactIdentity.conversation(contact: contactID, started: started), id: String(decoding: id, as: UTF8.self))
            }
            try upsert.find(record)
            if !byContact, let stored = upsert.stored, let contact, let storedContact = stored.extra, storedContact != contact,
               let started, let storedStart = stored.also, started / 60 != storedStart / 60 {
                store.note(.collision)
                let contactID = record.bytes(Stored.contact_key.rawValue)
                upsert.rekey(String(decoding: id, as: UTF8.self) + ContactIdentity.conversation(contact: contactID, started: started))
                try upsert.find(record)
            }
            upsert.bindExtra(0, store.isFirstConversationSeen(contact: contact) ? 1 : 0)
            let written = try upsert.write(record)
            if written != .unchanged {
                store.conversationWritten(contact: contact, previousContact: upsert.stored?.extra)
            }
            return written
        }
    }
}
