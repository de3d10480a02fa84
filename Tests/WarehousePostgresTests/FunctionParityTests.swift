import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

/// Each report function over the same inputs on SQLite (SQLFunctions.swift) and on
/// PostgreSQL (Schema/postgresql/functions.sql), the results compared as csv and json
/// print them: edge cases first, then seeded random inputs.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
final class FunctionParityTests {
    let pg: TestSchema
    let sqlite: Database

    init() throws {
        pg = try TestSchema()
        sqlite = try sqliteWithFunctions()
    }

    /// A column type on PostgreSQL for values of one kind.
    enum Kind: String { case integer = "bigint", real = "double precision", text }

    /// Both stores' rendered result of `select` over a table `t(g, x)` holding `values`
    /// (g: the group, a small integer), or the error each gave.
    func both(_ select: String, _ values: [(Int64, SQLValue)], kind: Kind) throws -> (sqlite: String, postgres: String) {
        try sqlite.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (g INTEGER, x)")
        try pg.session.execute("DROP TABLE IF EXISTS t; CREATE TABLE t (g bigint, x \(kind.rawValue))")
        try insertIntoT(values.map { [SQLValue.integer($0.0), $0.1] }, sqlite: sqlite, postgres: pg.session)
        return (outcome { try self.sqlite.rows(select) }, outcome { try self.pg.session.query(select) })
    }

    /// One scalar call on both stores, its arguments as SQL literals (PostgreSQL's typed).
    func scalar(_ call: (_ literal: (SQLValue, Kind) -> String) -> String) -> (sqlite: String, postgres: String) {
        let sqliteSQL = "SELECT " + call { value, _ in Self.literal(value) }
        // A real as text for PostgreSQL: a bare 0.1 or -0.0 there is a numeric (which has no -0).
        let pgSQL = "SELECT " + call { value, kind in
            if case let .real(v) = value { return "'\(v.description)'::\(kind.rawValue)" }
            return Self.literal(value) + "::" + kind.rawValue
        }
        return (outcome { try self.sqlite.rows(sqliteSQL) }, outcome { try self.pg.session.query(pgSQL) })
    }

    static func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case let .integer(v): return "(\(v))"
        case let .real(v): return "(\(v.description))"  // the shortest text that reads back as v
        case let .text(s): return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        case .blob: return "NULL"
        }
    }

    func expectSame(_ results: (sqlite: String, postgres: String), _ what: @autoclosure () -> String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(results.sqlite == results.postgres, "\(what())", sourceLocation: sourceLocation)
    }

    // MARK: Rank statistics

    static let aggregates = ["median(x)", "p90(x)", "round_half(median(x))", "count(x)"]
    static let percents: [Double] = [0.5, 1, 14, 25, 33.3, 50, 75, 90, 99, 99.9, 100]

    func rankStatistics(_ values: [SQLValue], kind: Kind, label: String) throws {
        let rows = values.enumerated().map { (Int64($0.offset % 3), $0.element) }
        var calls = Self.aggregates + Self.percents.map { "percentile(x, \($0))" }
        if kind == .integer { calls.append("count_distinct(x)") }
        calls += Self.percents.map { "rank_value(rank_values(x), \($0))" }
        let select = "SELECT " + calls.joined(separator: ", ") + " FROM t"
        expectSame(try both(select, rows, kind: kind), "\(label): \(values)")
        let grouped = "SELECT g, " + calls.joined(separator: ", ") + " FROM t GROUP BY g ORDER BY g"
        expectSame(try both(grouped, rows, kind: kind), "\(label), grouped: \(values)")
        // rank_value(rank_values(x), P) is percentile(x, P), on each store.
        let percentiles = "SELECT g, " + Self.percents.map { "percentile(x, \($0))" }.joined(separator: ", ") + " FROM t GROUP BY g ORDER BY g"
        let twoSteps = "SELECT g, " + Self.percents.map { "rank_value(rank_values(x), \($0))" }.joined(separator: ", ") + " FROM t GROUP BY g ORDER BY g"
        #expect(outcome { try self.sqlite.rows(percentiles) } == outcome { try self.sqlite.rows(twoSteps) }, "\(label), SQLite: \(values)")
        #expect(outcome { try self.pg.session.query(percentiles) } == outcome { try self.pg.session.query(twoSteps) }, "\(label), PostgreSQL: \(values)")
    }

    @Test func rankStatisticsOnEdgeCases() throws {
        let integers: [[Int64?]] = [
            [], [nil], [nil, nil], [7], [7, nil], [1, 2], [2, 4], [-3, -4], [5, 5, 5, 1], [1, 1, 2, 2],
            Array(1...50).map { $0 }, Array((1...50).reversed()), Array(1...10).map { $0 * 10 }, Array(1...11),
            [0, 0, 0, 3600], [-1_000_000_007, 1_000_000_009, 0], [4_503_599_627_370_495, 4_503_599_627_370_493],
        ]
        for values in integers {
            try rankStatistics(values.map { $0.map(SQLValue.integer) ?? .null }, kind: .integer, label: "integers")
        }
        let reals: [[Double?]] = [[], [nil], [0.5], [0.1, 0.2], [1.5, 2.5, nil], [-0.5, 0.5], [1e300, -1e300, 3], [2.0, 4.0]]
        for values in reals {
            try rankStatistics(values.map { $0.map(SQLValue.real) ?? .null }, kind: .real, label: "reals")
        }
    }

    @Test func nearestRankIsNotPercentileDisc() throws {
        // n = 50, P = 14: nearest rank ceil(14 · 50 / 100) = 7; percentile_disc(0.14) takes the 8th.
        let rows = (1...50).map { (Int64(0), SQLValue.integer(Int64($0))) }
        let results = try both("SELECT percentile(x, 14) FROM t", rows, kind: .integer)
        expectSame(results, "P = 14")
        #expect(results.postgres.hasPrefix("c0\n7\n"))
        #expect(try pg.session.scalar("SELECT percentile_disc(0.14) WITHIN GROUP (ORDER BY x) FROM t") == .integer(8))
    }

    @Test func aPercentOutsideItsRangeIsTheSameError() throws {
        let rows = [(Int64(0), SQLValue.integer(1)), (0, .null)]
        for p in ["0", "-1", "100.5", "NULL"] {
            let results = try both("SELECT percentile(x, \(p)) FROM t", rows, kind: .integer)
            expectSame(results, "P = \(p)")
            #expect(results.sqlite.hasPrefix("error: percentile(x, P): P must be a number above 0 and at most 100"))
        }
        // No row: no P to check, on both.
        expectSame(try both("SELECT percentile(x, 0) FROM t", [], kind: .integer), "no rows")
        for p in ["0", "-1", "100.5", "NULL"] {
            let results = try both("SELECT rank_value(rank_values(x), \(p)) FROM t", rows, kind: .integer)
            expectSame(results, "rank_value, P = \(p)")
            #expect(results.sqlite.hasPrefix("error: rank_value(values, P): P must be a number above 0 and at most 100"))
        }
        let none = try both("SELECT rank_value(rank_values(x), 0) FROM t", [], kind: .integer)
        expectSame(none, "rank_value, no rows")
        #expect(none.sqlite == rendered([[.null]]))
    }

    @Test func rankValueIsExactOnLargeIntegers() throws {
        // Beyond 2^53 percentile ranks doubles; rank_values keeps integers, on both stores.
        let values: [Int64] = [9_007_199_254_740_993, 9_007_199_254_740_992, Int64.max, Int64.min, 9_007_199_254_740_995]
        let rows = values.map { (Int64(0), SQLValue.integer($0)) }
        let results = try both("SELECT " + [1.0, 25, 50, 75, 100].map { "rank_value(rank_values(x), \($0))" }.joined(separator: ", ") + " FROM t",
                               rows, kind: .integer)
        expectSame(results, "large integers")
        #expect(results.sqlite == rendered([[Int64.min, 9_007_199_254_740_992, 9_007_199_254_740_993, 9_007_199_254_740_995, Int64.max].map(SQLValue.integer)]))
    }

    @Test func rankStatisticsOnRandomInputs() throws {
        var random = SeededRandom(seed: 20_260_105)
        for round in 0..<120 {
            let count = Int.random(in: 1...60, using: &random)
            let spread: Int64 = [3, 100, 100_000][round % 3]
            let integers: [SQLValue] = (0..<count).map { _ in
                Int.random(in: 0..<8, using: &random) == 0 ? .null : .integer(Int64.random(in: -spread...spread, using: &random))
            }
            try rankStatistics(integers, kind: .integer, label: "random integers \(round)")
            if round % 4 == 0 {
                let reals: [SQLValue] = (0..<count).map { _ in
                    let eighths = Double(Int.random(in: -800...800, using: &random)) / 8
                    return round % 8 == 0 ? .real(Double.random(in: -1000...1000, using: &random)) : .real(eighths)
                }
                try rankStatistics(reals, kind: .real, label: "random reals \(round)")
            }
        }
    }

    // MARK: Rounding

    @Test func divRoundOnEdgeCases() throws {
        let pairs: [(Int64, Int64)] = [(7, 2), (-7, 2), (7, -2), (-7, -2), (1, 2), (-1, 2), (5, 2), (-5, 2), (0, 5), (0, -5),
                                       (1, 3), (2, 3), (-2, 3), (1, 0), (0, 0), (1, 8), (3, 8), (-3, 8), (99_999, 100_000),
                                       (Int64(1) << 50, 3), (1_000_000_007, 7)]
        for (a, b) in pairs {
            expectSame(scalar { "div_round(\($0(.integer(a), .integer)), \($0(.integer(b), .integer)))" }, "div_round(\(a), \(b))")
            for digits in 0...3 {
                expectSame(scalar { "div_round(\($0(.integer(a), .integer)), \($0(.integer(b), .integer)), \(digits))" },
                           "div_round(\(a), \(b), \(digits))")
            }
        }
        for (a, b, digits) in [(SQLValue.null, SQLValue.integer(2), "2"), (.integer(2), .null, "2"), (.integer(7), .integer(2), "NULL")] {
            expectSame(scalar { "div_round(\($0(a, .integer)), \($0(b, .integer)), \(digits))" }, "div_round(\(a), \(b), \(digits))")
        }
        for digits in ["-1", "10"] {
            let results = scalar { "div_round(\($0(.integer(1), .integer)), \($0(.integer(3), .integer)), \(digits))" }
            expectSame(results, "digits \(digits)")
            #expect(results.sqlite == "error: div_round: digits must be 0 to 9")
        }
        // A sum and a count, as the reports divide them: PostgreSQL's sum(bigint) is a numeric.
        let rows = [Int64(1), 2, 2, nil, 7].map { (Int64(0), $0.map(SQLValue.integer) ?? .null) }
        expectSame(try both("SELECT div_round(sum(x), count(x)), div_round(100 * sum(x), count(*), 2) FROM t", rows, kind: .integer), "sum / count")
        // Reals: SQLite's double-precision steps.
        for (a, b) in [(2.5, 1.0), (-2.5, 1.0), (0.5, 1.0), (1.0, 3.0), (0.125, 1.0), (1e300, 10), (1e-300, 3), (7.0, 0.0), (-0.0, 3.0), (-1.0, 3.0)] {
            for digits in 0...2 {
                expectSame(scalar { "div_round(\($0(.real(a), .real)), \($0(.real(b), .real)), \(digits))" }, "div_round(\(a), \(b), \(digits))")
            }
        }
    }

    @Test func roundHalfOnEdgeCases() throws {
        for value in [Int64(0), 1, -1, 41, -9_007_199_254_740_993] {
            expectSame(scalar { "round_half(\($0(.integer(value), .integer)))" }, "round_half(\(value))")
        }
        for value in [0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 1e15 + 0.5, 3.7, -3.7, 0.0] {
            expectSame(scalar { "round_half(\($0(.real(value), .real)))" }, "round_half(\(value))")
        }
        expectSame(scalar { "round_half(\($0(.null, .real)))" }, "round_half(NULL)")
    }

    @Test func roundingOnRandomInputs() throws {
        var random = SeededRandom(seed: 77)
        for _ in 0..<300 {
            let a = Int64.random(in: -100_000...100_000, using: &random)
            let b = Int64.random(in: -60...60, using: &random)
            let digits = Int.random(in: 0...4, using: &random)
            expectSame(scalar { "div_round(\($0(.integer(a), .integer)), \($0(.integer(b), .integer)), \(digits))" },
                       "div_round(\(a), \(b), \(digits))")
            let x = Double(Int.random(in: -4000...4000, using: &random)) / 4
            expectSame(scalar { "round_half(\($0(.real(x), .real)))" }, "round_half(\(x))")
        }
    }

    // MARK: Time

    static let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe",
                        "America/St_Johns", "Pacific/Chatham", "Asia/Tokyo"]

    @Test func localTimeAcrossDaylightSavingChanges() throws {
        // Each change of 2024 and 2025 in Berlin (01:00 UTC) and New York (07:00 and 06:00 UTC), a second and an hour either side.
        let changes: [Int64] = [1_711_846_800, 1_729_990_800, 1_743_296_400, 1_761_440_400,
                                1_710_054_000, 1_730_613_600, 1_741_503_600, 1_762_063_200]
        var instants: [Int64] = [0, -1, 86_399, 951_782_400, 1_704_067_199, 1_704_067_200, -86_400 * 365 * 20]
        for change in changes { instants += [change - 3600, change - 1, change, change + 1, change + 3600] }
        for zone in Self.zones {
            for ts in instants {
                expectSame(scalar { "local_time(\($0(.integer(ts), .integer)), \($0(.text(zone), .text)))" }, "local_time(\(ts), \(zone))")
            }
        }
        expectSame(scalar { "local_time(\($0(.null, .integer)), 'UTC')" }, "local_time(NULL, UTC)")
        expectSame(scalar { "local_time(0, \($0(.null, .text)))" }, "local_time(0, NULL)")
        // Beyond year 9999: NULL on both.
        expectSame(scalar { "local_time(\($0(.integer(253_402_300_800 + 86_400 * 3), .integer)), 'UTC')" }, "year 10000")
        expectSame(scalar { "local_time(\($0(.integer(253_402_300_799), .integer)), 'America/New_York')" }, "9999 in New York")
        // An unknown zone is an error on both (the words differ: each store's own).
        let unknown = scalar { "local_time(0, \($0(.text("Mars/Olympus"), .text)))" }
        #expect(unknown.sqlite.hasPrefix("error: unknown time zone 'Mars/Olympus'") && unknown.postgres.hasPrefix("error: time zone \"Mars/Olympus\" not recognized"))
    }

    @Test func localTimeOnRandomInstants() throws {
        var random = SeededRandom(seed: 4242)
        for _ in 0..<300 {
            let ts = Int64.random(in: 631_152_000...2_082_758_400, using: &random)  // 1990 to 2036
            let zone = Self.zones.randomElement(using: &random) ?? "UTC"
            expectSame(scalar { "local_time(\($0(.integer(ts), .integer)), \($0(.text(zone), .text)))" }, "local_time(\(ts), \(zone))")
        }
    }

    static let localTimes = ["2024-01-01 00:00:00", "2023-12-31 23:59:59", "2021-01-03", "2020-12-31 10:00:00", "2024-02-29 12:00:00",
                             "2000-02-29", "1999-12-31 23:00:00", "2026-12-28 08:00:00", "2027-01-01", "1970-01-01 00:00:00", "0001-01-01"]

    @Test func periodsAndWeekdays() throws {
        for local in Self.localTimes {
            for by in ["'day'", "'week'", "'month'", "NULL"] {
                expectSame(scalar { "period_start(\($0(.text(local), .text)), \(by))" }, "period_start(\(local), \(by))")
            }
            expectSame(scalar { "weekday(\($0(.text(local), .text)))" }, "weekday(\(local))")
        }
        expectSame(scalar { "period_start(\($0(.null, .text)), 'week'), weekday(\($0(.null, .text)))" }, "NULL")
        for (call, message) in [("period_start('2024-01', 'day')", "period_start: '2024-01' is not a local time"),
                                ("period_start('2024-01-01', 'year')", "period_start: by must be day, week or month, not 'year'"),
                                ("period_start('yesterday!', 'week')", "period_start: 'yesterday!' is not a local time"),
                                ("weekday('today')", "weekday: 'today' is not a local time")] {
            let results = scalar { _ in call }
            expectSame(results, call)
            #expect(results.sqlite == "error: " + message)
        }
        // Weeks across the turn of each year from 1990 to 2040, and random days.
        var random = SeededRandom(seed: 1990)
        var days: [Int] = []
        for year in 1990...2040 { days += (-4...4).map { CivilTime.days(year: year, month: 1, day: 1) + $0 } }
        days += (0..<200).map { _ in Int.random(in: 0...25_000, using: &random) }
        for day in days {
            let local = CivilTime.formatDate(days: day) + " 12:34:56"
            expectSame(scalar { "period_start(\($0(.text(local), .text)), 'week'), weekday(\($0(.text(local), .text)))" }, local)
        }
    }

    // MARK: Natural ID order

    static let ids = ["a10", "a9", "10", "9", "007", "7", "07", "0", "00", "000", "0001", "1", "B", "b", "", "Z", "z", "_a",
                      " 1", "1 ", "-1", "1.0", "18446744073709551616", "18446744073709551615", "99999999999999999999999",
                      "٣", "é", "e\u{301}", "日本", "a\\b", "a'b", "A", "10a", "a 10"]

    /// Each ID's natural_id_key on both stores, in hex: the same bytes, so a key made by one
    /// store orders with the other's.
    func naturalKeys(_ ids: [String?]) throws -> (sqlite: String, postgres: String) {
        let rows = ids.enumerated().map { (Int64($0.offset), $0.element.map(SQLValue.text) ?? .null) }
        _ = try both("SELECT 1", rows, kind: .text)
        return (outcome { try self.sqlite.rows("SELECT g, hex(natural_id_key(x)) FROM t ORDER BY g") },
                outcome { try self.pg.session.query("SELECT g, upper(encode(natural_id_key(x), 'hex')) FROM t ORDER BY g") })
    }

    func naturalOrder(_ ids: [String?], descending: Bool = false) throws -> (sqlite: String, postgres: String) {
        let rows = ids.enumerated().map { (Int64($0.offset), $0.element.map(SQLValue.text) ?? .null) }
        let direction = descending ? "DESC" : "ASC"
        let sqliteOrder = "SELECT x FROM t ORDER BY x COLLATE natural_id \(direction), g"
        let pgOrder = "SELECT x FROM t ORDER BY natural_id_key(x) \(direction), g"
        _ = try both("SELECT 1", rows, kind: .text)
        return (outcome { try self.sqlite.rows(sqliteOrder) }, outcome { try self.pg.session.query(pgOrder) })
    }

    @Test func naturalIDOrderOnMixedIDs() throws {
        let ids: [String?] = Self.ids + [nil, "7"]
        for descending in [false, true] {
            let results = try naturalOrder(ids.shuffled(), descending: descending)
            expectSame(results, "descending: \(descending)")
        }
        let ascending = try naturalOrder(["a10", "a9", "10", "9", "007", "7", "B", "b", ""])
        #expect(ascending.postgres == rendered([["007"], ["7"], ["9"], ["10"], [""], ["B"], ["a10"], ["a9"], ["b"]].map { $0.map(SQLValue.text) }))
        // The same keys on both stores, byte for byte; NULL's is the empty key.
        let keys = try naturalKeys(ids)
        expectSame(keys, "natural_id_key of each ID")
        #expect(try pg.session.query("SELECT encode(natural_id_key('007'), 'hex'), natural_id_key(NULL) = ''::bytea")
                == [[.text("000000000137303037"), .integer(1)]])
        // The same order as NaturalID.less, the order the loader and the server use.
        let sorted = Self.ids.sorted(by: NaturalID.less)
        #expect(try naturalOrder(Self.ids.shuffled()).postgres == rendered(sorted.map { [.text($0)] }))
    }

    @Test func naturalIDOrderOnRandomIDs() throws {
        var random = SeededRandom(seed: 31337)
        let alphabet = Array("0123456789aAbB_-é")
        let ids: [String?] = (0..<400).map { i in
            switch i % 4 {
            case 0: return String(repeating: "0", count: Int.random(in: 0...3, using: &random)) + String(UInt64.random(in: 0...UInt64.max, using: &random) >> UInt64.random(in: 0...63, using: &random))
            case 1: return String((0..<Int.random(in: 0...6, using: &random)).map { _ in alphabet.randomElement(using: &random) ?? "a" })
            case 2: return String(Int.random(in: 0...200, using: &random))
            default: return Int.random(in: 0..<20, using: &random) == 0 ? nil : "u" + String(Int.random(in: 0...99, using: &random))
            }
        }
        expectSame(try naturalOrder(ids), "400 random IDs")
        expectSame(try naturalKeys(ids), "400 random IDs' keys")
        // SQLite's ORDER BY natural_id_key(x) is its ORDER BY x COLLATE natural_id.
        for direction in ["ASC", "DESC"] {
            #expect(try sqlite.rows("SELECT x FROM t ORDER BY natural_id_key(x) \(direction), g")
                    == sqlite.rows("SELECT x FROM t ORDER BY x COLLATE natural_id \(direction), g"), "\(direction)")
        }
        expectSame(try naturalOrder(ids, descending: true), "400 random IDs, descending")
    }
}
