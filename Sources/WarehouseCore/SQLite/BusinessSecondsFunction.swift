import CSQLite
import Foundation

/// `business_seconds(a, b, schedules [, team_key])`: the business seconds between the UTC
/// instants a and b (SPEC §9; `BusinessCalendar`) under the schedule of the team with
/// key `team_key`, or the workspace's when the team has none of its own or the key is
/// NULL. `schedules` is what `--business-hours` binds to `:business_hours` (`Schedules`).
/// NULL when a or b is NULL, b < a, or no schedule applies.
///
/// The schedules of a statement are kept with its `schedules` argument (SQLite's auxiliary
/// data, which lives as long as the argument's value in that statement), parsed once per
/// connection and value; and the last two answers are kept: a report that sums, counts and
/// takes the median of a conversation's first response and resolution calls it with the
/// same arguments several times in a row, and pays for each once.
enum BusinessSecondsFunction {
    /// The calendars of one `schedules` value, and the last answers.
    final class Calendars {
        let workspace: BusinessCalendar?
        let teams: [Int64: BusinessCalendar]
        var last: (a: Int64, b: Int64, team: Int64, seconds: Int64?) = (0, -1, .min, nil)
        var before: (a: Int64, b: Int64, team: Int64, seconds: Int64?) = (0, -1, .min, nil)

        init(_ schedules: Schedules) throws {
            (workspace, teams) = try schedules.calendars()
        }
    }

    /// A connection's last parsed value, so that each statement does not parse it again.
    final class Connection {
        var text: [UInt8] = []
        var calendars: Calendars?
    }

    static func register(on db: Database) {
        let connection = Connection()
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        for arguments: Int32 in [3, 4] {
            // One reference per registration, each let go by its destructor.
            sqlite3_create_function_v2(db.handle, "business_seconds", arguments, flags, Unmanaged.passRetained(connection).toOpaque(), call, nil, nil, { box in
                if let box { Unmanaged<Connection>.fromOpaque(box).release() }
            })
        }
    }

    private static let release: @convention(c) (UnsafeMutableRawPointer?) -> Void = { box in
        if let box { Unmanaged<Calendars>.fromOpaque(box).release() }
    }

    /// The calendars of the statement's `schedules` argument, when it has none kept yet.
    private static func calendars(_ context: OpaquePointer?, _ value: OpaquePointer?) throws -> Calendars {
        let connection = Unmanaged<Connection>.fromOpaque(sqlite3_user_data(context)).takeUnretainedValue()
        guard let text = sqlite3_value_text(value) else { throw WarehouseError("no memory for the schedules") }
        let count = Int(sqlite3_value_bytes(value))
        let bytes = UnsafeBufferPointer(start: text, count: count)
        let calendars: Calendars
        if let parsed = connection.calendars, connection.text.count == count,
           connection.text.withUnsafeBufferPointer({ $0.baseAddress.map { memcmp($0, text, count) == 0 } ?? (count == 0) }) {
            calendars = parsed
        } else {
            calendars = try Calendars(try Schedules(text: String(decoding: bytes, as: UTF8.self)))
            (connection.text, connection.calendars) = (Array(bytes), calendars)
        }
        // SQLite may let it go at once (then the next call finds none and takes the connection's).
        sqlite3_set_auxdata(context, 2, Unmanaged.passRetained(calendars).toOpaque(), release)
        return calendars
    }

    private static let call: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, argc, argv in
        guard let argv else { return }
        let (a, b, value) = (argv[0], argv[1], argv[2])
        if sqlite3_value_type(a) == SQLITE_NULL || sqlite3_value_type(b) == SQLITE_NULL || sqlite3_value_type(value) == SQLITE_NULL {
            return sqlite3_result_null(context)
        }
        let start = sqlite3_value_int64(a), end = sqlite3_value_int64(b)
        let team: Int64 = argc == 4 && sqlite3_value_type(argv[3]) != SQLITE_NULL ? sqlite3_value_int64(argv[3]) : .min
        // The statement's calendars, borrowed without counting references: a call is a few
        // dozen nanoseconds, and a report makes several a conversation.
        if let kept = sqlite3_get_auxdata(context, 2) {
            Unmanaged<Calendars>.fromOpaque(kept)._withUnsafeGuaranteedRef { answer(context, $0, start, end, team) }
            return
        }
        do {
            answer(context, try Self.calendars(context, value), start, end, team)
        } catch {
            sqlite3_result_error(context, "business_seconds: \(error)", -1)
        }
    }

    private static func answer(_ context: OpaquePointer?, _ calendars: Calendars, _ start: Int64, _ end: Int64, _ team: Int64) {
        if calendars.last.a == start, calendars.last.b == end, calendars.last.team == team {
            return result(context, calendars.last.seconds)
        }
        if calendars.before.a == start, calendars.before.b == end, calendars.before.team == team {
            swap(&calendars.last, &calendars.before)
            return result(context, calendars.last.seconds)
        }
        let calendar = team == .min || calendars.teams.isEmpty ? calendars.workspace : calendars.teams[team] ?? calendars.workspace
        var seconds: Int64?
        if let calendar {
            do { seconds = try calendar.seconds(from: start, to: end) } catch {
                return sqlite3_result_error(context, "business_seconds: the instants must be in the years 1 to 9999", -1)
            }
        }
        calendars.before = calendars.last
        calendars.last = (start, end, team, seconds)
        result(context, seconds)
    }

    private static func result(_ context: OpaquePointer?, _ seconds: Int64?) {
        if let seconds { sqlite3_result_int64(context, seconds) } else { sqlite3_result_null(context) }
    }
}
