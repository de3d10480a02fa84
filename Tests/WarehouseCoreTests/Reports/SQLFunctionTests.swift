import Foundation
import Testing
@testable import WarehouseCore

@Suite struct SQLFunctionTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    /// A warehouse with a table `t(x)` holding `values`.
    func db(_ values: [SQLValue]) throws -> Database {
        let w = try dir.warehouse()
        try w.db.execute("CREATE TEMP TABLE t(x)")
        for v in values { try w.db.execute("INSERT INTO t VALUES (?)", [v]) }
        return w.db
    }

    func value(_ db: Database, _ sql: String) throws -> SQLValue {
        try db.scalar(sql) ?? .null
    }

    @Test func medianIsTheMiddleOrTheMeanOfTheTwoMiddle() throws {
        let odd = try db([5, 1, 3].map { .integer($0) })
        #expect(try value(odd, "SELECT median(x) FROM t") == .integer(3))
        let even = try db([4, 1, 3, 10].map { .integer($0) } + [.null])
        #expect(try value(even, "SELECT median(x) FROM t") == .real(3.5))
        #expect(try value(even, "SELECT round_half(median(x)) FROM t") == .integer(4))
        let twoEqual = try db([.integer(2), .integer(4)])
        #expect(try value(twoEqual, "SELECT median(x) FROM t") == .integer(3))
    }

    @Test func countDistinctCountsAsCountDistinctInAnyOrder() throws {
        // Ascending with repeats, then out of order (earlier values again), NULLs, by group.
        var generator = SystemRandomNumberGenerator()
        var cases: [[Int64]] = [[], [5], [1, 1, 2, 2, 2, 9], [1, 2, 3, 2, 1, 4], [3, 2, 1, 1], [.min, -1, 0, .max]]
        cases.append((0..<500).map { _ in Int64.random(in: -20...20, using: &generator) })
        cases.append((0..<500).map { Int64($0 / 3) } + [7, 600, 7])
        for values in cases {
            let db = try db(values.map { .integer($0) } + [.null])
            try db.execute("CREATE TEMP TABLE g AS SELECT x, x % 3 AS k FROM t")
            #expect(try value(db, "SELECT count_distinct(x) FROM t") == .integer(Int64(Set(values).count)))
            let grouped = "SELECT group_concat(n) FROM (SELECT k, %@ AS n FROM g GROUP BY k ORDER BY k)"
            #expect(try value(db, grouped.replacingOccurrences(of: "%@", with: "count_distinct(x)"))
                    == value(db, grouped.replacingOccurrences(of: "%@", with: "count(DISTINCT x)")))
        }
        let text = try db([.text("a")])
        #expect(throws: SQLiteError.self) { try text.scalar("SELECT count_distinct(x) FROM t") }
    }

    @Test func selectionFindsTheValueOfEachRankAsASortWould() {
        // Distinct values, many equal ones, sorted and reversed runs, one value: every rank.
        var generator = SystemRandomNumberGenerator()
        var cases: [[Double]] = [[7], [2, 2], (0..<50).map(Double.init), (0..<50).reversed().map(Double.init)]
        for size in [3, 10, 101, 1000] {
            cases.append((0..<size).map { _ in Double(Int.random(in: -1000...1000, using: &generator)) })
            cases.append((0..<size).map { _ in Double(Int.random(in: 0...3, using: &generator)) })
            cases.append((0..<size).map { _ in Double.random(in: -1...1, using: &generator) })
        }
        for values in cases {
            let sorted = values.sorted()
            for rank in stride(from: 0, to: values.count, by: values.count > 200 ? 37 : 1) {
                var work = values
                let found = SQLFunctions.select(&work, rank: rank)
                #expect(found == sorted[rank], "rank \(rank) of \(values.count)")
                #expect(work.sorted() == sorted)  // a reordering, nothing lost
                #expect(work[..<rank].allSatisfy { $0 <= found } && work[rank...].allSatisfy { $0 >= found })
            }
        }
    }

    @Test func percentilesAreNearestRank() throws {
        let ten = try db((1...10).map { .integer(Int64($0 * 10)) })
        #expect(try value(ten, "SELECT p90(x) FROM t") == .integer(90))          // rank ceil(9.0) = 9
        #expect(try value(ten, "SELECT percentile(x, 75) FROM t") == .integer(80)) // rank ceil(7.5) = 8
        #expect(try value(ten, "SELECT percentile(x, 100) FROM t") == .integer(100))
        #expect(try value(ten, "SELECT percentile(x, 1) FROM t") == .integer(10))
        let eleven = try db((1...11).map { .integer(Int64($0)) })
        #expect(try value(eleven, "SELECT p90(x) FROM t") == .integer(10))      // rank ceil(9.9) = 10
        // n = 6: rank 5.4; nearest rank takes the 6th (ceil), where rounding would take the 5th.
        let six = try db((1...6).map { .integer(Int64($0 * 10)) }.shuffled())
        #expect(try value(six, "SELECT p90(x) FROM t") == .integer(60))
        #expect(try value(six, "SELECT percentile(x, 90) FROM t") == .integer(60))
        #expect(SQLFunctions.nearestRank(percent: 90, count: 6) == 6)
        #expect(try value(six, "SELECT percentile(x, 80) FROM t") == .integer(50))   // rank ceil(4.8) = 5
        #expect(try value(six, "SELECT percentile(x, 50) FROM t") == .integer(30))   // rank 3.0 exactly: 3
        let one = try db([.integer(7)])
        #expect(try value(one, "SELECT p90(x) FROM t") == .integer(7))
        #expect(throws: SQLiteError.self) { try value(one, "SELECT percentile(x, 0) FROM t") }
    }

    @Test func nullsAreLeftOutAndNoValuesGiveNull() throws {
        let nulls = try db([.null, .null])
        for f in ["median(x)", "p90(x)", "percentile(x, 50)"] {
            #expect(try value(nulls, "SELECT \(f) FROM t") == .null)
        }
        let empty = try db([])
        #expect(try value(empty, "SELECT median(x) FROM t") == .null)
        let some = try db([.null, .integer(8), .null])
        #expect(try value(some, "SELECT median(x) FROM t") == .integer(8))
        #expect(try value(some, "SELECT p90(x) FROM t") == .integer(8))
    }

    @Test func medianWorksPerGroup() throws {
        let d = try dir.warehouse().db
        try d.execute("CREATE TEMP TABLE g(k, x); INSERT INTO g VALUES (1, 1), (1, 2), (2, 10), (1, 3), (2, NULL)")
        let rows = try d.rows("SELECT k, median(x) FROM g GROUP BY k ORDER BY k")
        #expect(rows == [[.integer(1), .integer(2)], [.integer(2), .integer(10)]])
    }

    @Test func roundingIsHalfAwayFromZero() throws {
        let d = try db([])
        #expect(try value(d, "SELECT div_round(5, 2)") == .integer(3))
        #expect(try value(d, "SELECT div_round(-5, 2)") == .integer(-3))
        #expect(try value(d, "SELECT div_round(7, 3)") == .integer(2))
        #expect(try value(d, "SELECT div_round(100 * 1, 800, 2)") == .real(0.13))   // 0.125
        #expect(try value(d, "SELECT div_round(100 * 1, 3, 2)") == .real(33.33))
        #expect(try value(d, "SELECT div_round(100 * 2, 3, 2)") == .real(66.67))
        #expect(try value(d, "SELECT div_round(1, 0)") == .null)
        #expect(try value(d, "SELECT div_round(NULL, 3)") == .null)
        #expect(try value(d, "SELECT round_half(2.5)") == .integer(3))
        #expect(try value(d, "SELECT round_half(-2.5)") == .integer(-3))
        #expect(try value(d, "SELECT round_half(2.4999)") == .integer(2))
    }

    @Test func localTimeFollowsTheZoneRules() throws {
        let d = try db([])
        // 2025-03-09 06:59:59 UTC is 01:59:59 EST; a second later it is 03:00:00 EDT.
        #expect(try value(d, "SELECT local_time(1741503599, 'America/New_York')") == .text("2025-03-09 01:59:59"))
        #expect(try value(d, "SELECT local_time(1741503600, 'America/New_York')") == .text("2025-03-09 03:00:00"))
        #expect(try value(d, "SELECT local_time(0, 'UTC')") == .text("1970-01-01 00:00:00"))
        #expect(try value(d, "SELECT local_time(0, NULL)") == .null)
        #expect(throws: SQLiteError.self) { try value(d, "SELECT local_time(0, 'Mars/Olympus')") }
    }

    @Test func periodsAreDaysMondaysAndMonths() throws {
        let d = try db([])
        #expect(try value(d, "SELECT period_start('2025-03-09 23:00:00', 'week')") == .text("2025-03-03"))  // a Sunday
        #expect(try value(d, "SELECT period_start('2025-03-10 00:00:00', 'week')") == .text("2025-03-10"))  // a Monday
        #expect(try value(d, "SELECT period_start('2025-01-01 10:00:00', 'week')") == .text("2024-12-30"))
        #expect(try value(d, "SELECT period_start('2025-03-09 23:00:00', 'month')") == .text("2025-03"))
        #expect(try value(d, "SELECT period_start('2025-03-09 23:00:00', 'day')") == .text("2025-03-09"))
        #expect(try value(d, "SELECT period_start(NULL, 'day')") == .null)
        #expect(throws: SQLiteError.self) { try value(d, "SELECT period_start('2025-03-09', 'year')") }
    }

    @Test func rankValueOfRankValuesIsThePercentile() throws {
        var generator = SystemRandomNumberGenerator()
        for n in [1, 2, 6, 10, 11, 50, 333] {
            let integers: [SQLValue] = (0..<n).map { _ in Int.random(in: 0..<6, using: &generator) == 0 ? .null : .integer(Int64.random(in: -500...5000, using: &generator)) }
            let mixed = integers.map { v -> SQLValue in if case let .integer(i) = v, i % 3 == 0 { return .real(Double(i) + 0.25) }; return v }
            for values in [integers, mixed] {
                let d = try db(values)
                for p in [0.5, 1, 14, 33.3, 50, 90, 99.9, 100] {
                    #expect(try value(d, "SELECT rank_value(rank_values(x), \(p)) FROM t") == value(d, "SELECT percentile(x, \(p)) FROM t"),
                            "P = \(p): \(values)")
                }
            }
        }
        let nulls = try db([.null, .null])
        #expect(try value(nulls, "SELECT rank_value(rank_values(x), 50) FROM t") == .null)
        let empty = try db([])
        #expect(try value(empty, "SELECT rank_value(rank_values(x), 0) FROM t") == .null)  // no values: no P to check
        let one = try db([.integer(7)])
        for p in ["0", "100.5", "NULL", "'90'"] {
            #expect(throws: SQLiteError.self) { try value(one, "SELECT rank_value(rank_values(x), \(p)) FROM t") }
        }
        #expect(throws: SQLiteError.self) { try value(one, "SELECT rank_value(x'0102', 50)") }
        #expect(throws: SQLiteError.self) { try value(one, "SELECT rank_value('1,2,3', 50)") }
    }

    @Test func naturalIDKeysOrderAsTheCollation() throws {
        let d = try db([])
        #expect(try value(d, "SELECT hex(natural_id_key('007'))") == .text("000000000137303037"))
        #expect(try value(d, "SELECT hex(natural_id_key('a7'))") == .text("016137"))
        #expect(try value(d, "SELECT typeof(natural_id_key(NULL)) || length(natural_id_key(NULL))") == .text("blob0"))
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789aZ_ é")
        let ids = (0..<300).map { i in
            i % 2 == 0 ? String(repeating: "0", count: Int.random(in: 0...2, using: &generator)) + String(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
                       : String((0..<Int.random(in: 0...5, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        for (a, b) in zip(ids, ids.shuffled(using: &generator)) {
            var (x, y) = (a, b)
            let order = x.withUTF8 { p in y.withUTF8 { q in NaturalID.compare(UnsafeRawBufferPointer(p), UnsafeRawBufferPointer(q)) } }
            let keys = x.withUTF8 { p in y.withUTF8 { q in (NaturalID.key(UnsafeRawBufferPointer(p)), NaturalID.key(UnsafeRawBufferPointer(q))) } }
            let keyOrder: Int32 = keys.0 == keys.1 ? 0 : (keys.0.lexicographicallyPrecedes(keys.1) ? -1 : 1)
            #expect(keyOrder == order, "\(a) vs \(b)")
        }
        let t = try db(ids.map { .text($0) } + [.null])
        for direction in ["ASC", "DESC"] {
            #expect(try t.rows("SELECT x FROM t ORDER BY natural_id_key(x) \(direction)") == t.rows("SELECT x FROM t ORDER BY x COLLATE natural_id \(direction)"))
        }
    }

    @Test func idsOrderAsNumbersWithTheNaturalIDCollation() throws {
        let d = try db(["10", "9", "100000000000000000000", "abc", "95000000000000000"].map { .text($0) })
        let ids = try d.rows("SELECT x FROM t ORDER BY x COLLATE natural_id").map { $0[0].description }
        #expect(ids == ["9", "10", "95000000000000000", "100000000000000000000", "abc"])
    }
}
