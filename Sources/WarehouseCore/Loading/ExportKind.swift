/// The kinds of export file, recognised from the header row (never the file name).
public enum ExportKind: String, CaseIterable, Sendable {
    case conversations
    case messages
    case contacts
    case users
    case channels
    case failedMessages = "failed_messages"

    /// The header columns that identify the kind, as a person reads them.
    public var keyColumns: String {
        switch self {
        case .conversations: return "Conversation ID + DateTime Conversation Started"
        case .messages: return "Message ID + Sender Type (no Failure Reason)"
        case .contacts: return "ContactID (no Message ID or Conversation ID)"
        case .users: return "User ID + Email"
        case .channels: return "Channel ID + Channel Name"
        case .failedMessages: return "Message ID + Failure Reason"
        }
    }

    /// The column that holds the record's natural key.
    var naturalKey: String {
        switch self {
        case .conversations: return "conversationid"
        case .messages, .failedMessages: return "messageid"
        case .contacts: return "contactid"
        case .users: return "userid"
        case .channels: return "channelid"
        }
    }

    /// Recognises a header; the checks run in this order so that, for example,
    /// a failed-messages file is never taken for a messages file.
    public static func recognise(_ header: Header) -> ExportKind? {
        let has = header.contains
        if has("messageid") && has("failurereason") { return .failedMessages }
        if has("messageid") && has("sendertype") { return .messages }
        if has("conversationid") && has("datetimeconversationstarted") { return .conversations }
        if has("userid") && has("email") { return .users }
        if has("channelid") && has("channelname") { return .channels }
        if has("contactid") && !has("messageid") && !has("conversationid") { return .contacts }
        return nil
    }

    public static var kindList: String {
        allCases.map { "\($0.rawValue) (\($0.keyColumns))" }.joined(separator: "; ")
    }
}

/// A file's header row: its column names as written, and a lookup by
/// normalised name (case, spaces, underscores and a BOM ignored, so
/// `Contact ID`, `ContactID` and ` contact id ` are one column).
public struct Header {
    public let names: [String]
    private let positions: [String: Int]

    public init(_ names: [String]) {
        self.names = names.map { $0.trimmingSpaces }
        var positions: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            let key = Header.normalise(name)
            if positions[key] == nil { positions[key] = i }
        }
        self.positions = positions
    }

    public static func normalise(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter {
            $0 != "\u{FEFF}" && $0 != "_" && !$0.properties.isWhitespace
        }.map(Character.init))
    }

    public func contains(_ normalised: String) -> Bool { positions[normalised] != nil }
    public func index(_ normalised: String) -> Int? { positions[normalised] }
    public var count: Int { names.count }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace || c == "\u{FEFF}" { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
