/// What loading one file did.
public struct LoadSummary: Sendable {
    public struct Reject: Sendable, Equatable {
        public let line: Int
        public let reason: String

        public init(line: Int, reason: String) { (self.line, self.reason) = (line, reason) }
    }

    public let path: String
    public var fileName: String { path.split(separator: "/").last.map(String.init) ?? path }
    public var kind: ExportKind?
    /// `current` or `legacy` for conversations and messages.
    public var form: String?
    public var rowsRead = 0
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    public var rejected = 0
    /// The first rejects (those stored are in the `rejected_rows` table).
    public var rejects: [Reject] = []
    /// The rejects stored in `rejected_rows`: every one, unless the loader
    /// stores only so many (`Loader.rejectsStored`, the server's requests).
    public var rejectsKept = 0
    /// Why the file was refused or failed, and whose fault it was; nil when it loaded.
    public var failure: LoadFailure?
    /// The failure's message (naming the file); nil when it loaded.
    public var error: String? { failure?.message }
    public var seconds: Double = 0
    /// Where the time went: the steps of the load in order, with their seconds.
    public var steps: [Step] = []

    // What the file was, when it is not a native export (SPEC 1, "Exports after a spreadsheet").
    /// The encoding the file was read in when it was not UTF-8 (`Windows-1252`, `UTF-16LE`).
    public var encoding: String?
    /// The field separator when it was not a comma (`;`, `tab`).
    public var separator: String?
    /// Fields of a UTF-8 file that were not UTF-8 (read as Windows-1252), and the line of the first.
    public var fieldsReadAsWindows1252 = 0
    public var firstLineReadAsWindows1252: Int?
    /// How the file's timestamps were written when they were not the export's
    /// own form (`dates day-first, no seconds`, `spreadsheet serial numbers`).
    public var timestampForm: String?
    /// Records kept under their contact and time because a spreadsheet damaged their ID.
    public var damagedIDs = 0
    /// Records kept under their contact and time: those with a damaged ID, and those sent without one (a webhook event).
    public var keptByContactAndTime = 0
    /// Conversation IDs that stood for two conversations (another contact and another start): both kept.
    public var collisions = 0

    /// What a person should know about how the file was read, one sentence each.
    public var notes: [String] {
        var notes: [String] = []
        if let encoding { notes.append("read as \(encoding), not UTF-8") }
        if fieldsReadAsWindows1252 > 0 {
            let fields = fieldsReadAsWindows1252 == 1 ? "1 field" : "\(fieldsReadAsWindows1252) fields"
            notes.append("\(fields) not UTF-8 (the first on line \(firstLineReadAsWindows1252 ?? 0)), read as Windows-1252")
        }
        if let separator { notes.append("fields separated by \(separator)") }
        if let timestampForm { notes.append(timestampForm) }
        if damagedIDs > 0 {
            notes.append("\(damagedIDs) record\(damagedIDs == 1 ? "" : "s") with an ID a spreadsheet damaged (like 7.6383E+18), kept by contact and time; "
                + "to get their IDs back, download the export again and load it without opening it in a spreadsheet")
        }
        if collisions > 0 {
            notes.append("warning: \(collisions) Conversation ID\(collisions == 1 ? "" : "s") stood for two conversations (another contact, another start): both kept")
        }
        return notes
    }

    public struct Step: Sendable {
        public let name: String
        public let seconds: Double
    }

    public var succeeded: Bool { failure == nil }

    public init(path: String) { self.path = path }
}
