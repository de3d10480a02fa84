/// What loading one file did.
public struct LoadSummary: Sendable {
    public struct Reject: Sendable, Equatable {
        public let line: Int
        public let reason: String
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
    /// The first rejects (all of them are in the `rejected_rows` table).
    public var rejects: [Reject] = []
    /// Why the file was refused or failed; nil when it loaded.
    public var error: String?
    public var seconds: Double = 0
    /// Where the time went: the steps of the load in order, with their seconds.
    public var steps: [Step] = []

    public struct Step: Sendable {
        public let name: String
        public let seconds: Double
    }

    public var succeeded: Bool { error == nil }

    public init(path: String) { self.path = path }
}
