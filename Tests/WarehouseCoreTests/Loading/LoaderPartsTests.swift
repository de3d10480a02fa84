import Foundation
import Testing
@testable import WarehouseCore

/// The parts the loader's two threads share: the dimension cache, the record
/// hash, and the indexes a bulk file loads without.
@Suite struct LoaderPartsTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func withBytes<T>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var s = s
        return s.withUTF8(body)
    }

    @Test func keyCacheFindsWhatWasSetThroughItsGrowth() {
        var cache = KeyCache()
        for i in 0..<5_000 {
            withBytes("contact-\(i)") { cache.set($0, hash: KeyCache.hash($0), key: Int64(i * 7)) }
        }
        for i in 0..<5_000 {
            #expect(withBytes("contact-\(i)") { cache.key($0, hash: KeyCache.hash($0)) } == Int64(i * 7))
        }
        #expect(withBytes("contact-5000") { cache.key($0, hash: KeyCache.hash($0)) } == nil)
        // The empty value is a value like another.
        withBytes("") { cache.set($0, hash: KeyCache.hash($0), key: 99) }
        #expect(withBytes("") { cache.key($0, hash: KeyCache.hash($0)) } == 99)
    }

    @Test func keyCacheTellsApartTwoValuesWithOneHash() {
        var cache = KeyCache()
        withBytes("a") { cache.set($0, hash: 42, key: 1) }
        withBytes("b") { cache.set($0, hash: 42, key: 2) }
        #expect(withBytes("a") { cache.key($0, hash: 42) } == 1)
        #expect(withBytes("b") { cache.key($0, hash: 42) } == 2)
        #expect(withBytes("c") { cache.key($0, hash: 42) } == nil)
    }

    func hash(_ build: (inout RecordHash) -> Void) -> UInt64 {
        var h = RecordHash()
        build(&h)
        return h.finish()
    }

    @Test func recordHashFollowsEveryByteAndTheirLengths() {
        let base = withBytes("Refund processed. It may take 5–7 business days.") { b in hash { $0.bytes(b) } }
        #expect(base == withBytes("Refund processed. It may take 5–7 business days.") { b in hash { $0.bytes(b) } })
        #expect(base != withBytes("Refund processed. It may take 5–8 business days.") { b in hash { $0.bytes(b) } })
        // Bytes moved from one value to the next make another record.
        let ab = hash { h in withBytes("ab") { h.bytes($0) }; withBytes("c") { h.bytes($0) } }
        let abc = hash { h in withBytes("a") { h.bytes($0) }; withBytes("bc") { h.bytes($0) } }
        #expect(ab != abc)
        // Trailing zero bytes count.
        #expect(withBytes("x") { b in hash { $0.bytes(b) } } != withBytes("x\u{0}") { b in hash { $0.bytes(b) } })
    }

    @Test func aBulkConversationsFileThatFailsKeepsTheIndexesAndOneThatLoadsRebuildsThem() throws {
        let w = try dir.warehouse()
        let loader = try Loader(warehouse: w)
        loader.maxRecordBytes = 4096
        func indexes() throws -> [String] {
            try w.db.rows("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'fact_conversation' AND sql IS NOT NULL ORDER BY name")
                .map(\.description)
        }
        let before = try indexes()
        #expect(before.count == 7)  // by contact, the two per anchor and the four per user (schema 5)
        let rows = (1...50).map { conversation("\($0)", "2025-03-01 09:00:00", "2025-03-01 10:00:00", contact: "c\($0 % 7)") }
        let broken = legacyConversationHeader + "\n" + rows.joined(separator: "\n") + "\n"
            + "99,2025-03-01 09:00:00,2025-03-01 10:00:00,c1,u1,1,1,,,\"never closed" + String(repeating: "x,", count: 10_000) + "\n"
        #expect(loader.load(path: try dir.write("bad.csv", broken)).error != nil)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 0)
        #expect(try indexes() == before)
        let s = loader.load(path: try dir.write("ok.csv", legacyConversationHeader + "\n" + rows.joined(separator: "\n") + "\n"))
        #expect(s.inserted == 50)
        #expect(try indexes() == before)
        // The first conversation of each contact is marked, the others are not.
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation WHERE is_new_contact = 1") == 7)
        // All start together: the smallest ID is first, all-digit IDs compared as numbers (7 before 14).
        #expect(try w.db.text("SELECT conversation_id FROM fact_conversation c JOIN dim_contact USING (contact_key) WHERE contact_id = 'c0' AND is_new_contact = 1") == "7")
        #expect(try w.db.rows("PRAGMA integrity_check").map(\.description) == ["[ok]"])
    }
}

@Suite struct PackedRowsTests {
    func read(_ text: String, columns: Int) throws -> [[String]] {
        var rows: [[String]] = []
        try PackedRows.forEach(text, columns: columns) { key, values in
            rows.append([String(decoding: key, as: UTF8.self)] + values.map { $0.map(String.init) ?? "NULL" })
        }
        return rows
    }

    @Test func rowsComeBackWhateverTheirKeysHold() throws {
        let text = "3:a b 5 N\n" + "4:1:2\n -9223372036854775808 9223372036854775807\n" + "0: -1 0\n" + "7:😀\u{00FC}: N N\n"
        #expect(try read(text, columns: 2) == [["a b", "5", "NULL"], ["1:2\n", "-9223372036854775808", "9223372036854775807"],
                                                ["", "-1", "0"], ["😀ü:", "NULL", "NULL"]])
        #expect(try read("", columns: 2).isEmpty)
    }

    @Test func aMalformedTextIsAnErrorNotATrap() {
        for bad in ["3:ab 1\n", "2:ab 1", "2:ab x\n", "2:ab\n", "9:ab 1\n", "x:ab 1\n", "2:ab 1 2\n", "-1:ab 1\n"] {
            #expect(throws: WarehouseError.self, "\(bad.debugDescription)") { try read(bad, columns: 1) }
        }
    }
}
