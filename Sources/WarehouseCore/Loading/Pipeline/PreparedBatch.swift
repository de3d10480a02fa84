import Foundation

/// The dimensions a record refers to by natural value; the loader's writing
/// side turns each reference into the dimension's key.
enum Dimension: UInt8, CaseIterable {
    case contact, user, team, channel, category, source, messageType

    var index: Int { Int(rawValue) }
}

/// Records of one file as the reading thread prepares them: each record's values
/// in the order its upsert binds them, with its hash, plus the records that were
/// rejected. The writing thread binds them without parsing anything again.
final class PreparedBatch {
    enum Tag: UInt8 { case null, int, text, date, reference }

    struct Value {
        var tag: Tag
        var dimension: Dimension = .contact
        /// Length of a text or a reference, in bytes.
        var count: Int32 = 0
        /// The integer, the date key, or the offset of the bytes in `bytes`.
        var payload: Int64 = 0
        /// A reference's hash (its dimension cache is keyed by it).
        var keyHash: UInt64 = 0
    }

    struct Record {
        var line: Int
        var values: Range<Int>
        var hash: UInt64
    }

    struct Reject {
        var line: Int
        var reason: String
        var text: String
    }

    var bytes: [UInt8] = []
    var values: [Value] = []
    var records: [Record] = []
    var rejects: [Reject] = []
    /// How far into the source the reading thread was after this batch (`RecordSource.progress`).
    var progress = 0
    /// Why reading the file failed after the records before it; set on its last batch.
    var failure: Error?

    init() {
        bytes.reserveCapacity(1 << 20)
        values.reserveCapacity(Self.records * 16)
        records.reserveCapacity(Self.records)
    }

    /// Records a batch holds at most (a batch is also closed at about 1 MiB of text).
    static let records = 2048
    static let textBytes = 1 << 20

    var isFull: Bool { records.count + rejects.count >= Self.records || bytes.count >= Self.textBytes }

    func clear() {
        bytes.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        records.removeAll(keepingCapacity: true)
        rejects.removeAll(keepingCapacity: true)
        progress = 0
        failure = nil
    }
}

/// Appends one record's values to a batch, each under the name of the stored
/// column it goes to, hashing them as it goes: the hash tells a reloaded record
/// whose values did not change from a changed one.
struct RecordWriter {
    let batch: PreparedBatch
    /// The reading thread's own zone (a zone memoises offsets: it is not shared).
    let zone: WorkspaceZone
    private(set) var hash = RecordHash()
    /// Where the current record's values start in `batch.values`.
    private var recordStart = 0
    /// Whether the current record names no contact (a fact's blank Contact ID).
    private(set) var lacksContact = false

    init(batch: PreparedBatch, zone: WorkspaceZone) {
        self.batch = batch
        self.zone = zone
    }

    mutating func start() {
        hash = RecordHash()
        recordStart = batch.values.count
        lacksContact = false
    }

    /// Stops at once when a kind writes a value under a column other than the
    /// one at its position: the statement would bind it to the wrong column.
    @inline(__always)
    private func expect<Column: StoredColumns>(_ column: Column) {
        precondition(batch.values.count - recordStart == column.rawValue,
                     "\(Column.table).\(column) written at position \(batch.values.count - recordStart), declared at \(column.rawValue)")
    }

    /// Checks that the record has a value for each of the `count` stored columns of `table`.
    func finish(columns count: Int, of table: String) {
        precondition(batch.values.count - recordStart == count,
                     "\(table): \(batch.values.count - recordStart) values written for \(count) columns")
    }

    mutating func null<Column: StoredColumns>(_ column: Column) { expect(column); null() }
    mutating func int<Column: StoredColumns>(_ column: Column, _ value: Int64?) { expect(column); int(value) }
    mutating func text<Column: StoredColumns>(_ column: Column, _ bytes: UnsafeBufferPointer<UInt8>) { expect(column); text(bytes) }
    mutating func text<Column: StoredColumns>(_ column: Column, _ value: String?) { expect(column); text(value) }
    /// Text in a column added after records were first stored (a damaged ID
    /// as exported): NULL adds nothing to the record's hash, so a record
    /// stored before the column existed still compares equal to itself.
    mutating func laterText<Column: StoredColumns>(_ column: Column, _ value: UnsafeBufferPointer<UInt8>?) {
        expect(column)
        guard let value, !value.isEmpty else { return batch.values.append(.init(tag: .null)) }
        text(value)
    }
    mutating func reference<Column: StoredColumns>(_ column: Column, _ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>) {
        expect(column); reference(dimension, bytes)
    }
    mutating func reference<Column: StoredColumns>(_ column: Column, _ dimension: Dimension, _ value: String) {
        expect(column); reference(dimension, value)
    }
    /// An instant in `column` (`…_ts`) and the columns after it: `…_local` and, `withDate`, `…_date_key` and `…_hour`.
    mutating func instant<Column: StoredColumns>(_ column: Column, _ t: Int64?, withDate: Bool) {
        expect(column); instant(t, withDate: withDate)
    }

    private mutating func null() {
        batch.values.append(.init(tag: .null))
        hash.word(0)
    }

    private mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        batch.values.append(.init(tag: .int, payload: value))
        hash.word(1)
        hash.word(UInt64(bitPattern: value))
    }

    /// A date key: bound as an integer; the writing side makes sure `dim_date` has it.
    private mutating func date(_ key: Int) {
        batch.values.append(.init(tag: .date, payload: Int64(key)))
        hash.word(1)
        hash.word(UInt64(key))
    }

    private mutating func appendBytes(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64 {
        let offset = Int64(batch.bytes.count)
        batch.bytes.append(contentsOf: bytes)
        return offset
    }

    /// Text from bytes; empty is NULL.
    private mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return null() }
        let offset = appendBytes(bytes)
        batch.values.append(.init(tag: .text, count: Int32(bytes.count), payload: offset))
        hash.word(2)
        hash.bytes(bytes)
    }

    /// Text from a string; nil or empty is NULL.
    private mutating func text(_ value: String?) {
        guard var value, !value.isEmpty else { return null() }
        value.withUTF8 { text($0) }
    }

    /// A reference to a dimension by its natural value; empty is NULL, except for
    /// a message source (a blank Sender Type is a source of its own).
    private mutating func reference(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty || dimension == .source else {
            if dimension == .contact { lacksContact = true }
            return null()
        }
        let keyHash = KeyCache.hash(bytes)
        let offset = appendBytes(bytes)
        batch.values.append(.init(tag: .reference, dimension: dimension, count: Int32(bytes.count), payload: offset, keyHash: keyHash))
        hash.word(3 + UInt64(dimension.rawValue))
        hash.word(keyHash)
    }

    private mutating func reference(_ dimension: Dimension, _ value: String) {
        var value = value
        value.withUTF8 { reference(dimension, $0) }
    }

    /// An instant as UTC seconds and local wall time text and, `withDate`, the local
    /// date key and hour.
    private mutating func instant(_ t: Int64?, withDate: Bool) {
        guard let t else {
            null(); null()
            if withDate { null(); null() }
            return
        }
        let wall = zone.wallTime(utc: t)
        int(t)
        CivilTime.withFormatted(wallSeconds: wall) { text($0) }
        if withDate {
            let days = CivilTime.dayNumber(seconds: wall)
            date(CivilTime.dateKey(days: days))
            int((wall - Int64(days) * 86400) / 3600)
        }
    }
}

/// One prepared record, as the writing thread reads it: pointers into its
/// batch, valid while the batch is being written.
struct PreparedRecord {
    let values: UnsafePointer<PreparedBatch.Value>
    let valueCount: Int
    let bytes: UnsafePointer<UInt8>?
    let line: Int
    let hash: UInt64

    @inline(__always)
    func value(_ i: Int) -> PreparedBatch.Value { values[i] }

    @inline(__always)
    func bytes(of value: PreparedBatch.Value) -> UnsafeBufferPointer<UInt8> {
        guard value.tag == .text || value.tag == .reference, let bytes else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: bytes + Int(value.payload), count: Int(value.count))
    }

    /// The bytes of value `i` (empty when NULL).
    func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> { bytes(of: value(i)) }

    /// The integer of value `i` (nil when NULL).
    func int(_ i: Int) -> Int64? {
        let v = value(i)
        return v.tag == .int || v.tag == .date ? v.payload : nil
    }
}

extension PreparedBatch {
    /// Calls `body` with each record and each reject, in file order.
    func forEach(record body: (PreparedRecord) throws -> Void, reject: (Reject) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { arena in
            try values.withUnsafeBufferPointer { values in
                var nextReject = 0
                for record in records {
                    while nextReject < rejects.count && rejects[nextReject].line < record.line {
                        try reject(rejects[nextReject]); nextReject += 1
                    }
                    try body(PreparedRecord(values: values.baseAddress! + record.values.lowerBound, valueCount: record.values.count,
                                            bytes: arena.baseAddress, line: record.line, hash: record.hash))
                }
                while nextReject < rejects.count { try reject(rejects[nextReject]); nextReject += 1 }
            }
        }
    }
}
