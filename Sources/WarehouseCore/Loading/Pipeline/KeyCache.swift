import Foundation

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

/// A set of key hashes (`KeyCache.hash`, already well mixed: used as they are),
/// open addressing. The PostgreSQL store asks it twice a record; Swift's
/// `Set<UInt64>`, which hashes each again, took 6 % of a messages load's time.
struct KeyHashSet {
    private var slots = [UInt64](repeating: 0, count: 1024)
    private var count = 0

    /// 0 marks a free slot, so the hash 0 is kept as 1.
    @inline(__always)
    private static func stored(_ hash: UInt64) -> UInt64 { hash == 0 ? 1 : hash }

    /// The slot holding `h` (a stored value), or the free slot where it would go.
    @inline(__always)
    private func slot(_ h: UInt64) -> (index: Int, found: Bool) {
        slots.withUnsafeBufferPointer { table in
            let mask = table.count - 1
            var i = Int(truncatingIfNeeded: h) & mask
            while table[i] != 0 {
                if table[i] == h { return (i, true) }
                i = (i + 1) & mask
            }
            return (i, false)
        }
    }

    func contains(_ hash: UInt64) -> Bool { slot(Self.stored(hash)).found }

    mutating func insert(_ hash: UInt64) {
        let h = Self.stored(hash)
        let (i, found) = slot(h)
        guard !found else { return }
        slots[i] = h
        count += 1
        if count * 4 > slots.count * 3 {
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count * 2)
            count = 0
            for h in old where h != 0 { insert(h) }
        }
    }
}
