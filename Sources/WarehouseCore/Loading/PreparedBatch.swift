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
    /// How far into the file the reading thread was after this batch.
    var bytesConsumed = 0
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
        bytesConsumed = 0
        failure = nil
    }
}

/// Appends one record's values to a batch, hashing them as it goes: the hash
/// tells a reloaded record whose values did not change from a changed one.
struct RecordWriter {
    let batch: PreparedBatch
    /// The reading thread's own zone (a zone memoises offsets: it is not shared).
    let zone: WorkspaceZone
    private(set) var hash = RecordHash()

    init(batch: PreparedBatch, zone: WorkspaceZone) {
        self.batch = batch
        self.zone = zone
    }

    mutating func start() { hash = RecordHash() }

    mutating func null() {
        batch.values.append(.init(tag: .null))
        hash.word(0)
    }

    mutating func int(_ value: Int64?) {
        guard let value else { return null() }
        batch.values.append(.init(tag: .int, payload: value))
        hash.word(1)
        hash.word(UInt64(bitPattern: value))
    }

    /// A date key: bound as an integer; the writing side makes sure `dim_date` has it.
    mutating func date(_ key: Int) {
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
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return null() }
        let offset = appendBytes(bytes)
        batch.values.append(.init(tag: .text, count: Int32(bytes.count), payload: offset))
        hash.word(2)
        hash.bytes(bytes)
    }

    /// Text from a string; nil or empty is NULL.
    mutating func text(_ value: String?) {
        guard var value, !value.isEmpty else { return null() }
        value.withUTF8 { text($0) }
    }

    /// A reference to a dimension by its natural value; empty is NULL, except for
    /// a message source (a blank Sender Type is a source of its own).
    mutating func reference(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty || dimension == .source else { return null() }
        let keyHash = KeyCache.hash(bytes)
        let offset = appendBytes(bytes)
        batch.values.append(.init(tag: .reference, dimension: dimension, count: Int32(bytes.count), payload: offset, keyHash: keyHash))
        hash.word(3 + UInt64(dimension.rawValue))
        hash.word(keyHash)
    }

    mutating func reference(_ dimension: Dimension, _ value: String) {
        var value = value
        value.withUTF8 { reference(dimension, $0) }
    }

    /// An instant as UTC seconds and local wall time text and, `withDate`, the local
    /// date key and hour.
    mutating func instant(_ t: Int64?, withDate: Bool) {
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

/// A 64-bit hash of a record's values, 8 bytes at a time (MurmurHash3's 64-bit
/// mixing and finaliser). FNV-1a byte by byte took 1.5 s of a 1.5-million-message load.
struct RecordHash {
    private var h: UInt64 = 0x243F_6A88_85A3_08D3
    private var length: UInt64 = 0

    @inline(__always)
    mutating func word(_ w: UInt64) {
        var k = w &* 0x87C3_7B91_1142_53D5
        k = (k << 31) | (k >> 33)
        k = k &* 0x4CF5_AD43_2745_937F
        h ^= k
        h = ((h << 27) | (h >> 37)) &* 5 &+ 0x52DC_E729
        length &+= 8
    }

    mutating func bytes(_ p: UnsafeBufferPointer<UInt8>) {
        guard let base = p.baseAddress else { return word(0) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = p.count
        while i + 8 <= n {
            word(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        word(tail ^ (UInt64(n) << 56))
    }

    func finish() -> UInt64 {
        var x = h ^ length
        x ^= x >> 33
        x = x &* 0xFF51_AFD7_ED55_8CCD
        x ^= x >> 33
        x = x &* 0xC4CE_B9FE_1A85_EC53
        x ^= x >> 33
        return x
    }
}

/// Dimension keys by natural value: an open-addressing table keyed by the
/// value's hash (made on the reading thread) and checked against its bytes, so
/// a look-up makes no String and no allocation. A slot holds all a look-up
/// reads but the bytes, in 32 bytes: with a field per array, a look-up among
/// 200,000 contacts had touched five cache lines.
struct KeyCache {
    private struct Slot {
        var hash: UInt64 = 0
        var key: Int64 = 0
        /// The value's bytes are arena[start ..< start + count]; count -1: a free slot.
        var start: Int = 0
        var count: Int = -1
    }

    private var slots: [Slot]
    private var arena: [UInt8] = []
    private var count = 0

    init() {
        slots = []
        resize(256)
    }

    private mutating func resize(_ capacity: Int) {
        let old = slots
        slots = Array(repeating: Slot(), count: capacity)
        for entry in old where entry.count >= 0 {
            var i = Int(truncatingIfNeeded: entry.hash) & (capacity - 1)
            while slots[i].count >= 0 { i = (i + 1) & (capacity - 1) }
            slots[i] = entry
        }
    }

    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = RecordHash()
        h.bytes(bytes)
        return h.finish()
    }

    /// The slot holding `bytes`, or the free slot where they would go.
    @inline(__always)
    private func slot(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (index: Int, found: Bool) {
        slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while table[i].count >= 0 {
                let entry = table[i]
                if entry.hash == hash && entry.count == bytes.count
                    && (bytes.isEmpty || arena.withUnsafeBufferPointer({ memcmp($0.baseAddress! + entry.start, bytes.baseAddress!, bytes.count) }) == 0) {
                    return (i, true)
                }
                i = (i + 1) & mask
            }
            return (i, false)
        }
    }

    func key(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int64? {
        let (i, found) = slot(bytes, hash: hash)
        return found ? slots[i].key : nil
    }

    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64, key: Int64) {
        let (i, found) = slot(bytes, hash: hash)
        if found { slots[i].key = key; return }
        slots[i] = Slot(hash: hash, key: key, start: arena.count, count: bytes.count)
        arena.append(contentsOf: bytes)
        count += 1
        if count * 2 > slots.count { resize(slots.count * 2) }
    }
}
