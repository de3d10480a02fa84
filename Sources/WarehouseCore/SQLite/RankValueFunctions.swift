import CSQLite
import Foundation

/// `rank_values(x)` and `rank_value(values, P)`: `percentile(x, P)` in two steps,
/// `rank_value(rank_values(x), P)`, the value at the nearest rank ceil(P·n/100) of
/// the sorted non-NULL values (NULL when there are none).
///
/// Why two: the aggregate takes one argument. PostgreSQL collects the values of a
/// one-argument aggregate in place (`array_append`); one of two arguments, as
/// `percentile(x, P)`, copies its state on every row there, quadratic in the
/// group's size. So the report library says this, which both stores run in one
/// pass (Schema/postgresql/functions.sql makes the same two functions over an
/// array), and `percentile` stays for ad hoc SQL.
///
/// `rank_values(x)` is a blob of what it collected: a tag byte (1: integers,
/// 2: reals; any real among the values makes them all reals, as `percentile` does)
/// and the values, 8 bytes each in the machine's order (the blob lives inside one
/// statement). Integers stay exact (PostgreSQL's bigint[] is too); results are as
/// `percentile`'s wherever it is exact, below 2^53. `rank_value` checks P as
/// `percentile` does, once there are values to rank: over no rows both are NULL.
enum RankValueFunctions {
    static func register(on db: Database) {
        let deterministic = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        sqlite3_create_function_v2(db.handle, "rank_values", 1, deterministic, nil, nil, collectStep, collectFinal, nil)
        sqlite3_create_function_v2(db.handle, "rank_value", 2, deterministic, nil, rankValue, nil, nil, nil)
    }

    static let integersTag: UInt8 = 1
    static let realsTag: UInt8 = 2

    /// The non-NULL values seen: integers while there has been no real, then reals.
    final class Collected {
        var integers: [Int64] = []
        var reals: [Double]?
    }

    /// The aggregate's state, kept in its context (made on the first step).
    private static func state(_ context: OpaquePointer?) -> Collected? {
        let size = Int32(MemoryLayout<UnsafeMutableRawPointer?>.size)
        guard let slot = sqlite3_aggregate_context(context, size)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self) else { return nil }
        if let existing = slot.pointee { return Unmanaged<Collected>.fromOpaque(existing).takeUnretainedValue() }
        let fresh = Collected()
        slot.pointee = Unmanaged.passRetained(fresh).toOpaque()
        return fresh
    }

    private static let collectStep: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let v = argv?[0] else { return }
        guard let state = state(context) else { return sqlite3_result_error_nomem(context) }
        switch sqlite3_value_type(v) {
        case SQLITE_NULL: return
        case SQLITE_INTEGER:
            if state.reals != nil { state.reals!.append(Double(sqlite3_value_int64(v))) } else { state.integers.append(sqlite3_value_int64(v)) }
        default:
            if state.reals == nil {
                state.reals = state.integers.map(Double.init)
                state.integers = []
            }
            state.reals!.append(sqlite3_value_double(v))
        }
    }

    /// The blob of the values; NULL when no row came (no step made a state).
    private static let collectFinal: @convention(c) (OpaquePointer?) -> Void = { context in
        guard let slot = sqlite3_aggregate_context(context, 0)?
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self), let pointer = slot.pointee else {
            return sqlite3_result_null(context)
        }
        slot.pointee = nil
        let state = Unmanaged<Collected>.fromOpaque(pointer).takeRetainedValue()
        var blob: [UInt8]
        if let reals = state.reals {
            blob = [realsTag]
            reals.withUnsafeBytes { blob += $0 }
        } else {
            blob = [integersTag]
            state.integers.withUnsafeBytes { blob += $0 }
        }
        blob.withUnsafeBytes { sqlite3_result_blob(context, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
    }

    /// The values of a `rank_values` blob, or nil when it is not one.
    static func decode(_ bytes: UnsafeRawBufferPointer) -> (integers: [Int64]?, reals: [Double]?)? {
        guard let tag = bytes.first, (bytes.count - 1) % 8 == 0 else { return nil }
        let values = UnsafeRawBufferPointer(rebasing: bytes[1...])
        switch tag {
        case integersTag:
            return ((0..<values.count / 8).map { values.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self) }, nil)
        case realsTag:
            return (nil, (0..<values.count / 8).map { values.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) })
        default:
            return nil
        }
    }

    private static let rankValue: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, argv in
        guard let argv else { return }
        let (values, p) = (argv[0], argv[1])
        if sqlite3_value_type(values) == SQLITE_NULL { return sqlite3_result_null(context) }
        guard sqlite3_value_type(values) == SQLITE_BLOB,
              let decoded = decode(UnsafeRawBufferPointer(start: sqlite3_value_blob(values), count: Int(sqlite3_value_bytes(values)))) else {
            return sqlite3_result_error(context, "rank_value(values, P): values must be rank_values(x)", -1)
        }
        guard sqlite3_value_type(p) == SQLITE_INTEGER || sqlite3_value_type(p) == SQLITE_FLOAT,
              case let percent = sqlite3_value_double(p), percent > 0, percent <= 100 else {
            return sqlite3_result_error(context, "rank_value(values, P): P must be a number above 0 and at most 100", -1)
        }
        if var integers = decoded.integers {
            guard !integers.isEmpty else { return sqlite3_result_null(context) }
            let rank = SQLFunctions.nearestRank(percent: percent, count: integers.count)
            sqlite3_result_int64(context, SQLFunctions.select(&integers, rank: rank - 1))
        } else if var reals = decoded.reals {
            guard !reals.isEmpty else { return sqlite3_result_null(context) }
            let rank = SQLFunctions.nearestRank(percent: percent, count: reals.count)
            sqlite3_result_double(context, SQLFunctions.select(&reals, rank: rank - 1))
        }
    }
}
