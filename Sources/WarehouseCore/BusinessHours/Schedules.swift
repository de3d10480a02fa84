import Foundation

/// Every schedule a report in business hours counts by, as one text value: what
/// `--business-hours` binds to `:business_hours` and `business_seconds(a, b,
/// :business_hours, team_key)` reads. Carrying the schedules in the parameter,
/// rather than reading the tables from inside the function, costs one parse per
/// statement and can never be out of date.
///
///     {"entries":[{"holidays":[20812],"windows":[[1,540,480],…]},{"team":3,…}],"zone":"Europe/Berlin"}
///
/// `windows` are [weekday, opens (minutes), length (minutes)]; `holidays` day numbers
/// (`CivilTime`); an entry without `team` is the workspace's.
public struct Schedules: Codable, Equatable, Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var team: Int64?
        public var windows: [[Int]]
        public var holidays: [Int]

        init(team: Int64?, windows: [BusinessWindow], holidays: [Int]) {
            self.team = team
            self.windows = windows.map { [$0.weekday, $0.opens, $0.minutes] }
            self.holidays = holidays.sorted()
        }
    }

    public var zone: String
    public var entries: [Entry]

    public var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    public init(zone: String, entries: [Entry]) {
        self.zone = zone
        self.entries = entries
    }

    /// The schedules of a `:business_hours` value; an error says what is wrong with it.
    public init(text: String) throws {
        do {
            self = try JSONDecoder().decode(Schedules.self, from: Data(text.utf8))
        } catch {
            throw WarehouseError("not a business-hours value (as --business-hours binds to :business_hours)")
        }
    }

    /// The calendars of the entries: by team key, and the workspace's.
    public func calendars() throws -> (workspace: BusinessCalendar?, teams: [Int64: BusinessCalendar]) {
        var workspace: BusinessCalendar?
        var teams: [Int64: BusinessCalendar] = [:]
        for entry in entries {
            let windows = try entry.windows.map { w -> BusinessWindow in
                guard w.count == 3, (1...7).contains(w[0]), (0..<1440).contains(w[1]), (1...1440).contains(w[2]) else {
                    throw WarehouseError("not a business-hours value: a window is [weekday 1-7, opens 0-1439, minutes 1-1440]")
                }
                return BusinessWindow(weekday: w[0], opens: w[1], minutes: w[2])
            }
            // Its own zone object: a calendar memoises offsets, and each is used by one statement at a time.
            let calendar = BusinessCalendar(zone: try WorkspaceZone(zone), schedule: try WeeklySchedule(windows), holidays: Set(entry.holidays))
            if let team = entry.team { teams[team] = calendar } else { workspace = calendar }
        }
        return (workspace, teams)
    }
}
