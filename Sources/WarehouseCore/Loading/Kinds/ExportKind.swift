/// The kinds of export file, recognised from the header row (never the file
/// name). Each kind is said once, in its own file (`Conversations.swift`, …).
public enum ExportKind: String, CaseIterable, Sendable {
    case conversations
    case messages
    case contacts
    case users
    case channels
    case failedMessages = "failed_messages"

    /// The header columns that identify the kind, as a person reads them.
    public var keyColumns: String {
        let unlike = definition.unlike
        return definition.identifyingNames.joined(separator: " + ")
            + (unlike.isEmpty ? "" : " (no \(unlike.joined(separator: " or ")))")
    }

    /// The file that says everything about the kind.
    var definition: any ExportDefinition.Type {
        switch self {
        case .conversations: return Conversations.self
        case .messages: return Messages.self
        case .contacts: return Contacts.self
        case .users: return Users.self
        case .channels: return Channels.self
        case .failedMessages: return FailedMessages.self
        }
    }

    /// Recognises a header by each kind's identifying columns (in its own
    /// file), tried in this order so that, for example, a failed-messages file
    /// is never taken for a messages file.
    public static func recognise(_ header: Header) -> ExportKind? {
        [.failedMessages, .messages, .conversations, .users, .channels, .contacts].first { kind in
            kind.definition.identifyingNames.allSatisfy { header.contains(Header.normalise($0)) }
                && !kind.definition.unlike.contains { header.contains(Header.normalise($0)) }
        }
    }

    public static var kindList: String {
        allCases.map { "\($0.rawValue) (\($0.keyColumns))" }.joined(separator: "; ")
    }
}

/// An export kind, said once: its columns by name and how each is parsed
/// (`Column`), the columns it is stored in (`Stored`), how a parsed record maps
/// onto them (`prepare`, on the reading thread, with no database), and how a
/// record is written and what that changes beyond its row (`writer`, on the
/// writing thread, through the store).
protocol ExportDefinition {
    associatedtype Column: ExportColumns
    associatedtype Stored: StoredColumns
    /// A header with all of these columns, and none of `unlike`, is of this kind.
    static var identifiedBy: [Column] { get }
    /// Header names that say a file is of another kind.
    static var unlike: [String] { get }
    /// `current` or `legacy`, for a kind with two forms; nil otherwise.
    static func form(_ columns: ColumnPositions<Column>) -> String?
    static func prepare(_ record: ParsedRecord<Column>, _ w: inout RecordWriter) throws
    static func writer(_ store: any RecordStore) throws -> (PreparedRecord) throws -> Written
}

/// How one source of one kind loads: `prepare` reads a record into values on
/// the reading thread; `write` writes them on the writing thread.
struct KindHandler {
    let form: String?
    let prepare: RecordPipeline.Prepare
    let write: (PreparedRecord) throws -> Written
}

extension ExportDefinition {
    static var unlike: [String] { [] }
    static var identifyingNames: [String] { identifiedBy.map(\.spec.name) }

    /// The handler for a source with `header`; refuses a source that lacks a
    /// required column. `survey` answers what the source's records cannot tell
    /// alone; `withoutIDs`: the source's records may have a blank key
    /// (`RecordSource.withoutIDs`).
    static func handler(_ kind: ExportKind, header: Header, store: any RecordStore, survey: SourceSurvey? = nil,
                        withoutIDs: Bool = false) throws -> KindHandler {
        let columns = ColumnPositions<Column>(header: header)
        try columns.checkRequired(kind)
        let form = Self.form(columns)
        let parsed = ParsedRecord(columns, form: form, survey: survey, keyMayBeBlank: withoutIDs)
        let (storedCount, table) = (Stored.allCases.count, Stored.table)
        return KindHandler(form: form, prepare: { fields, w in
            try parsed.parse(fields, zone: w.zone)
            try Self.prepare(parsed, &w)
            w.finish(columns: storedCount, of: table)
        }, write: try writer(store))
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
        // ASCII names (every export's), byte by byte: the same result, without
        // looking up each character's Unicode properties (a request of
        // `warehouse serve` normalises every name it is given).
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(name.utf8.count)
            for b in name.utf8 where b != 0x5F && b != 0x20 && !(0x09...0x0D).contains(b) {
                bytes.append((0x41...0x5A).contains(b) ? b + 0x20 : b)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(name.lowercased().unicodeScalars.filter {
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
