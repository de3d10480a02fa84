import Foundation
import WarehouseCore

/// A respond.io webhook event (Integrations > Webhooks), as far as its shape is known
/// (the samples in Tests/Fixtures/webhooks): `event_type`, `event_id` (not always present), `contact {id,
/// …, assignee {id, name, email} or {} or null}`, and for `conversation.closed`
/// a `conversation {category, summary, openedTime, openedBySource, closedTime,
/// closedBy, closedBySource, firstResponseTime, resolutionTime,
/// incomingMessageCount, outgoingMessageCount, assigneeTeam, lastAssignmentTime}`.
/// The event has no conversation ID.
///
/// Units, which respond.io does not document:
/// - an instant (`openedTime`, `closedTime`, `lastAssignmentTime`) is epoch
///   seconds, or milliseconds when above 10^11 (10^11 seconds is the year 5138);
/// - a duration (`firstResponseTime`, `resolutionTime`) is seconds — in the
///   samples `resolutionTime` is `closedTime − openedTime` in seconds even where
///   the instants are milliseconds — unless `resolutionTime` is that difference
///   in milliseconds (within 2 s), and not in seconds: then both durations are
///   milliseconds. A fraction of a second is rounded to the nearest.
struct RespondIOEvent {
    let type: String
    let id: String?

    static let conversationClosed = "conversation.closed"

    init(_ body: JSONValue) throws {
        guard case .object = body else { throw WarehouseError("a webhook event is a JSON object, not \(body.kindName)") }
        guard case .string(let type)? = body["event_type"], !type.isEmpty else {
            throw WarehouseError("the event has no event_type")
        }
        self.type = type
        switch body["event_id"] {
        case .string(let s)? where !s.isEmpty: id = s
        case .number(let n)?: id = n
        default: id = nil
        }
    }

    /// A `conversation.closed` event as a conversation record under the export's
    /// column names; `Conversation ID` blank, so that it is identified by its
    /// contact and start minute until an export or event brings the ID.
    static func conversationRecord(_ event: JSONValue) throws -> [(name: String, value: String)] {
        guard case .object? = event["conversation"] else { throw WarehouseError("a conversation.closed event without its conversation object") }
        let conversation = event["conversation"] ?? .null
        let contact = event["contact"] ?? .null
        let opened = try instant(conversation["openedTime"], "conversation.openedTime")
        let closed = try instant(conversation["closedTime"], "conversation.closedTime")
        var firstResponse = try seconds(conversation["firstResponseTime"], "conversation.firstResponseTime")
        var resolution = try seconds(conversation["resolutionTime"], "conversation.resolutionTime")
        if let r = resolution, let o = opened, let c = closed {
            let elapsed = c - o
            if abs(r / 1000 - elapsed) <= 2, abs(r - elapsed) > 2 {
                resolution = r / 1000
                firstResponse = firstResponse.map { $0 / 1000 }
            }
        }
        func whole(_ s: Double?) -> String { s.map { String(Int64($0.rounded())) } ?? "" }
        return [
            ("Conversation ID", ""),
            ("Contact ID", try identifier(contact["id"], "contact.id")),
            ("DateTime Conversation Started", opened.map(iso) ?? ""),
            ("DateTime Conversation Resolved", closed.map(iso) ?? ""),
            ("Assignee", try identifier(contact["assignee"]?["id"], "contact.assignee.id")),
            ("Closed By", try identifier(conversation["closedBy"]?["id"], "conversation.closedBy.id")),
            ("Closed By Source", try text(conversation["closedBySource"])),
            ("Opened By Source", try text(conversation["openedBySource"])),
            ("Conversation Category", try text(conversation["category"])),
            ("Closing Note Summary", try text(conversation["summary"])),
            ("First Response Time", whole(firstResponse)),
            ("Resolution Time", whole(resolution)),
            ("Number of Incoming Messages", try count(conversation["incomingMessageCount"], "conversation.incomingMessageCount")),
            ("Number of Outgoing Messages", try count(conversation["outgoingMessageCount"], "conversation.outgoingMessageCount")),
            ("Closed By Team", try text(conversation["assigneeTeam"])),
            ("Last Assignment Timestamp", try instant(conversation["lastAssignmentTime"], "conversation.lastAssignmentTime").map(iso) ?? ""),
        ]
    }

    /// Epoch seconds (milliseconds above 10^11) as a number or digits; nil when absent.
    static func instant(_ value: JSONValue?, _ field: String) throws -> Double? {
        let number: Double
        switch value {
        case nil, .null?: return nil
        case .string(let s)? where s.isEmpty: return nil
        case .number(let n)?: guard let d = Double(n) else { throw WarehouseError("\(field): not a time: \(n)") }; number = d
        case .string(let s)?: guard let d = Double(s) else { throw WarehouseError("\(field): not epoch seconds or milliseconds: \(s)") }; number = d
        case let other?: throw WarehouseError("\(field): not a time: \(other.kindName)")
        }
        guard number.isFinite, number >= 0, number < 1e15 else { throw WarehouseError("\(field): not a time: \(number)") }
        return (number > 1e11 ? number / 1000 : number).rounded(.down)
    }

    static func seconds(_ value: JSONValue?, _ field: String) throws -> Double? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)? where s.isEmpty: return nil
        case .number(let n)?, .string(let n)?:
            guard let d = Double(n), d.isFinite, d >= 0, d < 1e13 else { throw WarehouseError("\(field): not a duration: \(n)") }
            return d
        case let other?: throw WarehouseError("\(field): not a duration: \(other.kindName)")
        }
    }

    static func count(_ value: JSONValue?, _ field: String) throws -> String {
        switch value {
        case nil, .null?: return ""
        case .number(let n)?, .string(let n)?:
            guard n.isEmpty || IngestRecords.exactInteger(n) != nil else { throw WarehouseError("\(field): not a count: \(n)") }
            return IngestRecords.exactInteger(n) ?? ""
        case let other?: throw WarehouseError("\(field): not a count: \(other.kindName)")
        }
    }

    /// An ID as its digits: a string, or a number while it is exact.
    static func identifier(_ value: JSONValue?, _ field: String) throws -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return IngestRecords.isUnreplacedVariable(s) ? "" : s
        case .number(let n)?:
            switch IngestRecords.text(.number(n), isIdentifier: true) {
            case .success(let digits): return digits
            case .failure(let problem): throw WarehouseError("\(field): \(problem.reason)")
            }
        case let other?: throw WarehouseError("\(field): not an ID: \(other.kindName)")
        }
    }

    static func text(_ value: JSONValue?) throws -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let s)?: return IngestRecords.isUnreplacedVariable(s) ? "" : s
        case .number(let n)?: return n
        case .bool(let b)?: return b ? "true" : "false"
        case let other?: return other.text
        }
    }

    /// `2025-03-11T09:00:00Z`: an instant the loader takes as it is named.
    static func iso(_ seconds: Double) -> String {
        CivilTime.format(wallSeconds: Int64(seconds)).replacingOccurrences(of: " ", with: "T") + "Z"
    }
}
