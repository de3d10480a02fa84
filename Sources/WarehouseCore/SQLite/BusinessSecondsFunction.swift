import CSQLite
import Foundation

/// `business_seconds(a, b, schedules [, team_key])`: the business seconds between the UTC
/// instants a and b (SPEC §9; `BusinessCalendar`) under the schedule of the team with
/// key `team_key`, or the workspace's when the team has none of its own or the key is
/// NULL. `schedules` is what `--business-hours` binds to `:business_hours` (`Schedules`).
/// NULL when a or b is NULL, b < a, or no schedule applies.
///
/// The schedules are parsed once per connection and value (kept beside the text they
/// came from), and the last call's answer is kept: a report that sums, counts and takes
/// the median of one conversation's duration calls it with the same arguments several
/// times in a row, and pays for it once.
enum BusinessSecondsFunction {
    final class State {
        var text: [UInt8] = []
        var workspace: BusinessCalendar?
        var teams: [Int64: BusinessCalendar] = [:]
        // The last call: its arguments and answer.
        var last: (a: Int64, b: Int64, team: Int64?, seconds: Int64?)?
    }

    static func register(on db: Database) {
        let state = State()
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        for arguments: Int32 in [3, 4] {
            // One reference per registration, each let go by its destructor.
            sqlite3_create_function_v2(db.handle, "business_seconds", arguments, flags, Unmanaged.passRetained(state).toOpaque(), call, nil, nil, { box in
                if let box { Unmanaged<State>.fromOpaque(box).release() }
            })
        }
    }

    private static let call: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, argc, argv in
        guard let argv else { return }
        let (a, b, value) = (argv[0], argv[1], argv[2])
        if sqlite3_value_type(a) == SQLITE_NULL || sqlite3_value_type(b) == SQLITE_NULL || sqlite3_value_type(value) == SQLITE_NULL {
            return sqlite3_result_null(context)
        }
        let state = Unmanaged<State>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
        let start = sqlite3_value_int64(a), end = sqlite3_value_int64(b)
        let team: Int64? = argc == 4 && sqlite3_value_type(argv[3]) != SQLITE_NULL ? sqlite3_value_int64(argv[3]) : nil
        if let last = state.last, last.a == start, last.b == end, last.team == team {
            return result(context, last.seconds)
        }
        // The schedules, parsed again only when the value differs from the last one's.
        let count = Int(sqlite3_value_bytes(value))
        let bytes = sqlite3_value_text(value).map { UnsafeBufferPointer(start: $0, count: count) }
        if let bytes, !state.text.elementsEqual(bytes) {
            do {
                let schedules = try Schedules(text: String(decoding: bytes, as: UTF8.self))
                (state.workspace, state.teams) = try schedules.calendars()
                state.text = Array(bytes)
                state.last = nil
            } catch {
                state.text = []
                return sqlite3_result_error(context, "business_seconds: \(error)", -1)
            }
        }
        guard let calendar = team.flatMap({ state.teams[$0] }) ?? state.workspace else {
            state.last = (start, end, team, nil)
            return sqlite3_result_null(context)
        }
        do {
            let seconds = try calendar.seconds(from: start, to: end)
            state.last = (start, end, team, seconds)
            result(context, seconds)
        } catch {
            sqlite3_result_error(context, "business_seconds: the instants must be in the years 1 to 9999 and less than \(BusinessCalendar.maxDays) days apart", -1)
        }
    }

    private static func result(_ context: OpaquePointer?, _ seconds: Int64?) {
        if let seconds { sqlite3_result_int64(context, seconds) } else { sqlite3_result_null(context) }
    }
}
