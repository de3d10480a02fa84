import Foundation

/// Records given as named fields (export column names to values in the
/// export's formats), such as the objects of a JSON body or a webhook event
/// mapped to export columns. The header is every name the records use, in the
/// order first seen (names are matched as header names are: `Contact ID` and
/// `contact_id` are one column); a record without a name has it blank. A
/// record's position is its index among the records, from 0.
public final class NamedFieldsSource: RecordSource {
    public let name: String
    let header: Header
    private let records: [[(String, String)]]
    /// Each column's position in `header`, by normalised name.
    private let columns: [String: Int]
    private var index = -1
    /// The current record's values, one after another.
    private var bytes: UnsafeMutablePointer<UInt8> = .allocate(capacity: 4096)
    private var capacity = 4096
    private var starts: UnsafeMutablePointer<Int>
    private var ends: UnsafeMutablePointer<Int>
    private var problem: String?

    /// Records that carry no natural key (a webhook event has no Conversation
    /// ID): a conversation with a blank ID is identified by its contact and
    /// the minute it started, as one whose ID a spreadsheet damaged, until a
    /// record with its ID takes it over (SPEC 1 and 6).
    public let withoutIDs: Bool

    /// Named records are sent live, typed by a program (`RecordSource.isLive`).
    var isLive: Bool { true }

    /// Records known to be unreadable before they are loaded (a JSON value
    /// that cannot stand in a column), by index, with the reason: each is
    /// rejected with that reason, as a malformed line of a file is.
    public var problems: [Int: String] = [:]

    /// Where each record came from when several batches are loaded as one
    /// (`combining`): its batch's name and its index there, for the rejects.
    private var origins: [(name: String, index: Int)]?

    /// `name` is what the load log and the rejects call this batch of records.
    public init(name: String, records: [[(name: String, value: String)]], withoutIDs: Bool = false) {
        self.name = name
        self.withoutIDs = withoutIDs
        self.records = records.map { $0.map { ($0.name, $0.value) } }
        var names: [String] = [], columns: [String: Int] = [:]
        for record in records {
            for (column, _) in record where columns[Header.normalise(column)] == nil {
                columns[Header.normalise(column)] = names.count
                names.append(column)
            }
        }
        header = Header(names)
        self.columns = columns
        starts = .allocate(capacity: max(names.count, 1))
        ends = .allocate(capacity: max(names.count, 1))
    }

    /// Several batches as one source (one load unit: the server's group of
    /// requests of one kind). A record's position is its place in the whole;
    /// its rejects name its own batch and its index there (`origin`).
    public static func combining(_ batches: [NamedFieldsSource], name: String) -> NamedFieldsSource {
        let combined = NamedFieldsSource(name: name, records: batches.flatMap { $0.records.map { $0.map { (name: $0.0, value: $0.1) } } },
                                         withoutIDs: batches.contains { $0.withoutIDs })
        var origins: [(name: String, index: Int)] = []
        for batch in batches {
            for (index, problem) in batch.problems { combined.problems[origins.count + index] = problem }
            origins += batch.records.indices.map { (batch.name, $0) }
        }
        combined.origins = origins
        return combined
    }

    func origin(_ position: Int) -> (name: String, line: Int)? {
        guard let origins, origins.indices.contains(position) else { return nil }
        return (origins[position].name, origins[position].index)
    }

    /// How many records it holds.
    public var count: Int { records.count }

    deinit {
        bytes.deallocate()
        starts.deallocate()
        ends.deallocate()
    }

    /// Reads from the first record again.
    func rewind() {
        index = -1
        problem = nil
    }

    func next() throws -> Bool {
        index += 1
        guard index < records.count else { return false }
        let record = records[index]
        let size = record.reduce(0) { $0 + $1.1.utf8.count }
        if size > capacity {
            bytes.deallocate()
            capacity = size
            bytes = .allocate(capacity: capacity)
        }
        var ranges = [Range<Int>?](repeating: nil, count: header.count)
        var end = 0
        problem = nil
        for (column, value) in record {
            let i = columns[Header.normalise(column)]!
            if ranges[i] != nil { problem = "the column \(column) is given twice" }
            let n = value.utf8.count
            _ = UnsafeMutableBufferPointer(start: bytes + end, count: n).initialize(from: value.utf8)
            ranges[i] = end..<(end + n)
            end += n
        }
        for i in 0..<header.count {
            starts[i] = ranges[i]?.lowerBound ?? 0
            ends[i] = ranges[i]?.upperBound ?? 0
        }
        return true
    }

    var fields: RecordFields {
        RecordFields(base: UnsafePointer(bytes), starts: starts, ends: ends, count: header.count)
    }

    var position: Int { index }
    var malformation: String? { problem ?? problems[index] }
    var progress: (done: Int, total: Int) { (max(index, 0), records.count) }
    var exportBytes: Int? { nil }

    /// A digest of the records as given (names and values), so a batch loaded twice is recognisable in the log.
    var sha256: String? {
        let digest = SHA256Digester()
        for record in records {
            for (column, value) in record {
                Array("\(column.utf8.count):\(column)\(value.utf8.count):\(value)".utf8).withUnsafeBytes(digest.update)
            }
            [UInt8(0x0A)].withUnsafeBytes(digest.update)
        }
        return digest.hexDigest()
    }

    var recordText: String { fields.csvText }

    /// The same records, from the first.
    func reopened() throws -> (any RecordSource)? {
        NamedFieldsSource(name: name, records: records.map { $0.map { (name: $0.0, value: $0.1) } }, withoutIDs: withoutIDs)
    }
}
