import CSQLite
import Foundation

/// The SQL functions and collation the report library is written with, registered
/// on every warehouse connection so ad hoc SQL can use them too:
///
/// - `median(x)`: the middle value of the non-NULL `x`, or the mean of the two
///   middle ones when their count is even; NULL when there are none.
/// - `p90(x)`, `percentile(x, P)`: nearest rank, the value at rank ceil(P·n/100).
/// - `rank_values(x)`, `rank_value(values, P)`: `percentile(x, P)` in two steps, an
///   aggregate of one argument and a scalar (`RankValueFunctions`).
/// - `count_distinct(x)`: how many distinct non-NULL integers `x` holds, as
///   `count(DISTINCT x)`, in one pass when they come in ascending order (as a
///   grouping that reads an index on the group and `x` gives them).
/// - `div_round(a, b [, digits])`: a / b rounded half away from zero, exactly for
///   integers; NULL when b is 0 or NULL. An integer for 0 digits.
/// - `round_half(x)`: x rounded half away from zero to an integer.
/// - `local_time(ts, zone)`: the UTC instant `ts` as wall time in an IANA zone,
///   `YYYY-MM-DD HH:MM:SS`; NULL when either is NULL.
/// - `period_start(local, by)`: the day (`YYYY-MM-DD`), week (its Monday's date)
///   or month (`YYYY-MM`) of a local time.
/// - `weekday(local)`: 1 = Monday … 7 = Sunday, of a local time or date.
/// - `business_seconds(a, b, schedules [, team_key])`: business seconds between two
///   instants (`BusinessSecondsFunction`).
/// - collation `natural_id`: all-digit IDs compare as numbers, before other text.
/// - `natural_id_key(id)`: a blob whose byte order is that collation's
///   (`NaturalID.key`): `ORDER BY natural_id_key(id)` orders as `ORDER BY id COLLATE
///   natural_id` does, and is what PostgreSQL can say too.
///
/// `Schema/postgresql/functions.sql` makes the same functions on PostgreSQL, with
/// the same results (the parity tests run both over the same inputs).
enum SQLFunctions {
    static func register(on db: Database) {
        let h = db.handle
        let deterministic = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        sqlite3_create_function_v2(h, "median", 1, deterministic, nil, nil, rankStep, medianFinal, nil)
        sqlite3_create_function_v2(h, "p90", 1, deterministic, nil, nil, rankStep, p90Final, nil)
        sqlite3_create_function_v2(h, "percentile", 2, deterministic, nil, nil, rankStep, percentileFinal, nil)
        sqlite3_create_function_v2(h, "count_distinct", 1, deterministic, nil, nil, distinctStep, distinctFinal, nil)
        sqlite3_create_function_v2(h, "div_round", 2, deterministic, nil, divRound, nil, nil, nil)
        sqlite3_create_function_v2(h, "div_round", 3, deterministic, nil, divRound, nil, nil, nil)
        sqlite3_create_function_v2(h, "round_half", 1, deterministic, nil, roundHalf, nil, nil, nil)
        sqlite3_create_function_v2(h, "period_start", 2, deterministic, nil, periodStart, nil, nil, nil)
        sqlite3_create_function_v2(h, "weekday", 1, deterministic, nil, weekday, nil, nil, nil)
        let zones = Unmanaged.passRetained(ZoneCache()).toOpaque()
        sqlite3_create_function_v2(h, "local_time", 2, deterministic, zones, localTime, nil, nil, { box in
            if let box { Unmanaged<ZoneCache>.fromOpaque(box).release() }
        })
        BusinessSecondsFunction.register(on: db)
        RankValueFunctions.register(on: db)
        sqlite3_create_collation_v2(h, "natural_id", SQLITE_UTF8, nil, naturalCompare, nil)
        sqlite3_create_function_v2(h, "natural_id_key", 1, deterministic, nil, naturalIDKey, nil, nil, nil)
    }

    // MARK: Rank statistics

    /// The non-NULL values an aggregate has seen (and, for `percentile`, its P).
    final class Values {
        var values: [Double] = []
        var allIntegers = true
        var percent: Double?
    }

    /// An aggregate's state object, kept in its context (made on the first step).
    private static func aggregateState<State: AnyObject>(_ context: OpaquePointer?, create make: () -> State) -> State? {
        let size = Int32(MemoryLayout<UnsafeMutableRawPointer?>.size)
        guard let slot = sqlite3_aggregate_context(context, size)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self) else { return nil }
        if let existing = slot.pointee { return Unmanaged<State>.fromOpaque(existing).takeUnretainedValue() }
        let fresh = make()
        slot.pointee = Unmanaged.passRetained(fresh).toOpaque()
        return fresh
    }

    /// Takes an aggregate's state out of its context, releasing it (nil when no step made one).
    private static func finish<State: AnyObject>(_ context: OpaquePointer?, as _: State.Type = State.self) -> State? {
        guard let slot = sqlite3_aggregate_context(context, 0)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self), let pointer = slot.pointee else { return nil }
        slot.pointee = nil
        return Unmanaged<State>.fromOpaque(pointer).takeRetainedValue()
    }

    private static let rankStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, argc, argv in
        guard let state = aggregateState(context, create: Values.init), let argv else { return }
        if argc == 2, state.percent == nil {
            let p = argv[1]
            guard sqlite3_value_type(p) == SQLITE_INTEGER || sqlite3_value_type(p) == SQLITE_FLOAT,
                  case let percent = sqlite3_value_double(p), percent > 0, percent <= 100 else {
                sqlite3_result_error(context, "percentile(x, P): P must be a number above 0 and at most 100", -1)
                return
            }
            state.percent = percent
        }
        let v = argv[0]
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: return
        case SQLITE_INTEGER: state.values.append(Double(sqlite3_value_int64(v)))
        default:
            state.allIntegers = false
            state.values.append(sqlite3_value_double(v))
        }
    }

    private static func resultNumber(_ context: OpaquePointer?, _ v: Double, integral: Bool) {
        if integral, v == v.rounded(), abs(v) < 9e15 {
            sqlite3_result_int64(context, Int64(v))
        } else {
            sqlite3_result_double(context, v)
        }
    }

    private static let medianFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        guard let state = finish(context, as: Values.self), !state.values.isEmpty else { return sqlite3_result_null(context) }
        let n = state.values.count
        let upper = select(&state.values, rank: n / 2)
        // After the selection every value before n / 2 is at most `upper`: the largest of them
        // is the lower middle.
        let median = n % 2 == 1 ? upper : (state.values[..<(n / 2)].max()! + upper) / 2
        resultNumber(context, median, integral: state.allIntegers)
    }

    /// The value at 0-based `rank` of `values` in ascending order, found by
    /// quickselect (Hoare's FIND) instead of a sort, reordering `values` so that
    /// those before `rank` are at most it and those after at least it. The pivots
    /// are pseudo-random (a fixed seed: the same result every time) and equal
    /// values are set aside in one step, so many equal durations (first
    /// responses of 0 s) cost no more than distinct ones. `overview` takes two
    /// medians of 300,000 values: 244–253 ms with sorts, 203–210 ms with this.
    static func select<Value: Comparable>(_ values: inout [Value], rank k: Int) -> Value {
        precondition(values.indices.contains(k))
        var random: UInt64 = 0x9E37_79B9_7F4A_7C15
        return values.withUnsafeMutableBufferPointer { v in
            var low = 0, high = v.count - 1
            while low < high {
                random ^= random << 13; random ^= random >> 7; random ^= random << 17  // xorshift64
                let pivot = v[low + Int(random % UInt64(high - low + 1))]
                // Three parts: [low, less) below the pivot, [less, i) equal, (greater, high] above.
                var less = low, i = low, greater = high
                while i <= greater {
                    if v[i] < pivot {
                        v.swapAt(less, i); less += 1; i += 1
                    } else if v[i] > pivot {
                        v.swapAt(i, greater); greater -= 1
                    } else {
                        i += 1
                    }
                }
                if k < less { high = less - 1 } else if k > greater { low = greater + 1 } else { return pivot }
            }
            return v[k]
        }
    }

    /// Nearest rank: the value at rank ceil(P·n/100), 1-based.
    static func nearestRank(percent: Double, count n: Int) -> Int {
        // A small tolerance keeps exact products (90 × 10 / 100 = 9) from rounding up.
        let rank = Int((percent * Double(n) / 100 - 1e-9).rounded(.up))
        return min(max(rank, 1), n)
    }

    private static func percentileResult(_ context: OpaquePointer?, percent: Double?) {
        guard let state = finish(context, as: Values.self), !state.values.isEmpty else { return sqlite3_result_null(context) }
        let rank = nearestRank(percent: percent ?? state.percent ?? 90, count: state.values.count)
        resultNumber(context, select(&state.values, rank: rank - 1), integral: state.allIntegers)
    }

    private static let p90Final: @convention(c) (OpaquePointer?) -> Void = { context in
        percentileResult(context, percent: 90)
    }

    private static let percentileFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        percentileResult(context, percent: nil)
    }

    // MARK: Distinct count

    /// The integers a `count_distinct` has seen: in `ascending` while each is
    /// larger than the one before (a duplicate of the last is skipped there),
    /// in `set` from the first that is not. `count(DISTINCT)` puts every value
    /// in a temporary index instead: user_performance's grouping of 300,000
    /// conversations by closer, read in the closer index's order, took
    /// 150–170 ms of CPU with it and 126–129 ms with this (means of 5, the
    /// process's start included).
    final class DistinctIntegers {
        var ascending: [Int64] = []
        var set: Set<Int64>?
    }

    private static let distinctStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let v = argv?[0] else { return }
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: return
        case SQLITE_INTEGER: break
        default: return sqlite3_result_error(context, "count_distinct(x): x must be an integer", -1)
        }
        guard let state = aggregateState(context, create: DistinctIntegers.init) else { return sqlite3_result_error_nomem(context) }
        let x = sqlite3_value_int64(v)
        if state.set != nil {
            state.set!.insert(x)
        } else if let last = state.ascending.last, x <= last {
            if x < last {
                state.set = Set(state.ascending)
                state.set!.insert(x)
                state.ascending = []
            }
        } else {
            state.ascending.append(x)
        }
    }

    private static let distinctFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        let state = finish(context, as: DistinctIntegers.self)
        sqlite3_result_int64(context, Int64(state?.set?.count ?? state?.ascending.count ?? 0))
    }

    // MARK: Rounding

    /// a / b rounded half away from zero to `digits` decimals, exactly.
    static func divideRounded(_ a: Int64, _ b: Int64, digits: Int) -> (scaled: Int64, scale: Int64)? {
        guard b != 0 else { return nil }
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let (numerator, overflow) = a.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        let negative = (numerator < 0) != (b < 0)
        let (n, d) = (numerator.magnitude, b.magnitude)
        let q = (2 * n + d) / (2 * d)
        return (negative ? -Int64(q) : Int64(q), scale)
    }

    private static let divRound: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, argc, argv in
        guard let argv else { return }
        let (a, b) = (argv[0], argv[1])
        if sqlite3_value_type(a) == SQLITE_NULL || sqlite3_value_type(b) == SQLITE_NULL { return sqlite3_result_null(context) }
        let digits = argc == 3 ? Int(sqlite3_value_int64(argv[2])) : 0
        guard (0...9).contains(digits) else { return sqlite3_result_error(context, "div_round: digits must be 0 to 9", -1) }
        if sqlite3_value_type(a) == SQLITE_INTEGER && sqlite3_value_type(b) == SQLITE_INTEGER,
           let (scaled, scale) = divideRounded(sqlite3_value_int64(a), sqlite3_value_int64(b), digits: digits) {
            return digits == 0 ? sqlite3_result_int64(context, scaled) : sqlite3_result_double(context, Double(scaled) / Double(scale))
        }
        let divisor = sqlite3_value_double(b)
        guard divisor != 0 else { return sqlite3_result_null(context) }
        let scale = pow(10, Double(digits))
        let rounded = (sqlite3_value_double(a) / divisor * scale).rounded(.toNearestOrAwayFromZero) / scale
        // A real beyond the integers (1e300, an infinity) stays a real: Int64(_:) would trap.
        guard digits == 0, abs(rounded) < 9.2e18 else { return sqlite3_result_double(context, rounded) }
        sqlite3_result_int64(context, Int64(rounded))
    }

    private static let roundHalf: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let v = argv?[0] else { return }
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: sqlite3_result_null(context)
        case SQLITE_INTEGER: sqlite3_result_int64(context, sqlite3_value_int64(v))
        default:
            let rounded = sqlite3_value_double(v).rounded(.toNearestOrAwayFromZero)
            guard abs(rounded) < 9.2e18 else { return sqlite3_result_double(context, rounded) }
            sqlite3_result_int64(context, Int64(rounded))
        }
    }

    // MARK: Time

    final class ZoneCache {
        var zones: [String: WorkspaceZone] = [:]
    }

    private static let localTime: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let argv else { return }
        let (ts, name) = (argv[0], argv[1])
        if sqlite3_value_type(ts) == SQLITE_NULL || sqlite3_value_type(name) == SQLITE_NULL { return sqlite3_result_null(context) }
        let cache = Unmanaged<ZoneCache>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
        let identifier = String(cString: sqlite3_value_text(name))
        let zone: WorkspaceZone
        if let cached = cache.zones[identifier] {
            zone = cached
        } else {
            do { zone = try WorkspaceZone(identifier) } catch {
                return sqlite3_result_error(context, "\(error)", -1)
            }
            cache.zones[identifier] = zone
        }
        CivilTime.withFormatted(wallSeconds: zone.wallTime(utc: sqlite3_value_int64(ts))) { bytes in
            guard let start = bytes.baseAddress else { return sqlite3_result_null(context) }  // beyond year 9999
            sqlite3_result_text(context, UnsafeRawPointer(start).assumingMemoryBound(to: CChar.self),
                                Int32(bytes.count), SQLITE_TRANSIENT)
        }
    }

    private static let periodStart: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let argv else { return }
        let (local, by) = (argv[0], argv[1])
        guard sqlite3_value_type(local) != SQLITE_NULL, let text = sqlite3_value_text(local) else { return sqlite3_result_null(context) }
        let value = String(cString: text)
        let unit = sqlite3_value_type(by) == SQLITE_NULL ? "day" : String(cString: sqlite3_value_text(by))
        guard value.utf8.count >= 10 else { return sqlite3_result_error(context, "period_start: '\(value)' is not a local time", -1) }
        let period: String
        switch unit {
        case "day": period = String(value.prefix(10))
        case "month": period = String(value.prefix(7))
        case "week":
            let parts = value.prefix(10).split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { return sqlite3_result_error(context, "period_start: '\(value)' is not a local time", -1) }
            let days = CivilTime.days(year: parts[0], month: parts[1], day: parts[2])
            period = CivilTime.formatDate(days: days - (CivilTime.weekday(days: days) - 1))
        default:
            return sqlite3_result_error(context, "period_start: by must be day, week or month, not '\(unit)'", -1)
        }
        sqlite3_result_text(context, period, -1, SQLITE_TRANSIENT)
    }

    /// The day number of a local time's or date's leading `YYYY-MM-DD`, or nil.
    static func dayNumber(_ value: String) -> Int? {
        let parts = value.prefix(10).split(separator: "-").compactMap { Int($0) }
        guard value.utf8.count >= 10, parts.count == 3 else { return nil }
        return CivilTime.days(year: parts[0], month: parts[1], day: parts[2])
    }

    /// `dayNumber` of text that starts with `YYYY-MM-DD` (as every local time and date
    /// the warehouse makes), read from its bytes without making a String; nil for any
    /// other text, which `dayNumber` reads. The heatmap's weekday of each local hour:
    /// 66.7 ms with `dayNumber` alone, against 62.6 ms with `strftime('%w')` before.
    static func isoDayNumber(_ text: UnsafeRawBufferPointer) -> Int? {
        guard text.count >= 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard (48...57).contains(text[i]) else { return nil }
                n = n * 10 + Int(text[i] - 48)
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        return CivilTime.days(year: year, month: month, day: day)
    }

    private static let weekday: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let v = argv?[0], sqlite3_value_type(v) != SQLITE_NULL, let text = sqlite3_value_text(v) else { return sqlite3_result_null(context) }
        if let days = isoDayNumber(UnsafeRawBufferPointer(start: text, count: Int(sqlite3_value_bytes(v)))) {
            return sqlite3_result_int64(context, Int64(CivilTime.weekday(days: days)))
        }
        let value = String(cString: text)
        guard let days = dayNumber(value) else { return sqlite3_result_error(context, "weekday: '\(value)' is not a local time", -1) }
        sqlite3_result_int64(context, Int64(CivilTime.weekday(days: days)))
    }

    // MARK: Collation

    private static let naturalCompare: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeRawPointer?, Int32, UnsafeRawPointer?) -> Int32 = { _, n1, p1, n2, p2 in
        let a = UnsafeRawBufferPointer(start: p1, count: Int(n1))
        let b = UnsafeRawBufferPointer(start: p2, count: Int(n2))
        return NaturalID.compare(a, b)
    }

    /// The key of the value's text (an ID column holds text); NULL's is the empty key,
    /// first ascending and last descending, where SQLite orders NULL.
    private static let naturalIDKey: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let v = argv?[0], sqlite3_value_type(v) != SQLITE_NULL, let text = sqlite3_value_text(v) else {
            return sqlite3_result_zeroblob(context, 0)
        }
        let id = UnsafeRawBufferPointer(start: text, count: Int(sqlite3_value_bytes(v)))
        let length = NaturalID.keyLength(id)
        guard let key = sqlite3_malloc64(UInt64(length)) else { return sqlite3_result_error_nomem(context) }
        _ = NaturalID.writeKey(id, into: UnsafeMutableRawBufferPointer(start: key, count: length))
        sqlite3_result_blob64(context, key, UInt64(length), sqlite3_free)  // SQLite frees it
    }
}
