import Foundation
import Testing
@testable import WarehouseCore

/// Schedules as `warehouse hours set` takes them, kept in the warehouse, and given to
/// `business_seconds` in SQL.
@Suite struct BusinessHoursTests {
    @Test func windowsAreReadFromWordsQuotedOrNot() throws {
        let quoted = try WeeklySchedule(parsing: ["Mon-Fri 09:00-17:00", "Sat 10:00-14:00"])
        let words = try WeeklySchedule(parsing: ["Mon-Fri", "09:00-17:00", "sat", "10:00-14:00"])
        #expect(quoted == words)
        #expect(quoted.windows.count == 6)
        #expect(quoted.arguments == ["Mon-Fri 09:00-17:00", "Sat 10:00-14:00"])
        let split = try WeeklySchedule(parsing: ["Mon,Wed,Fri 09:00-12:00,13:00-17:00", "Fri-Sun 22:00-02:00"])
        #expect(split.arguments == ["Mon 09:00-12:00,13:00-17:00", "Wed 09:00-12:00,13:00-17:00", "Fri 09:00-12:00,13:00-17:00,22:00-02:00",
                                    "Sat-Sun 22:00-02:00"])
        #expect(try WeeklySchedule(parsing: ["daily 00:00-24:00"]).arguments == ["Mon-Sun 00:00-24:00"])
        #expect(try WeeklySchedule(parsing: ["Monday 9:00-17:00"]).arguments == ["Mon 09:00-17:00"])
    }

    @Test(arguments: [
        (["Mon-Fry 09:00-17:00"], "'Fry' is not a day"),
        (["Mon-Fri 25:00-17:00"], "'25:00' is not a time of day"),
        (["Mon-Fri 09:60-17:00"], "'09:60' is not a time of day"),
        (["Mon-Fri 24:00-06:00"], "cannot open at 24:00"),
        (["Mon-Fri 9-17"], "'9' is not a time"),
        (["Mon-Fri 09:00-09:00"], "opens and closes at the same time"),
        (["Mon-Fri"], "write a window as DAYS HH:MM-HH:MM"),
        (["09:00-17:00"], "write a window as DAYS HH:MM-HH:MM"),
        ([], "give the opening windows"),
        (["Mon-Fri 09:00-17:00", "Wed 16:00-18:00"], "Wed 09:00-17:00 and Wed 16:00-18:00 overlap"),
        (["Mon 22:00-06:00", "Tue 05:00-07:00"], "Mon 22:00-06:00 and Tue 05:00-07:00 overlap"),
        (["Sun 22:00-06:00", "Mon 05:00-07:00"], "Mon 05:00-07:00 and Sun 22:00-06:00 overlap"),
    ] as [([String], String)])
    func badWindowsAreOneClearError(arguments: [String], message: String) throws {
        let error = #expect(throws: WarehouseError.self) { try WeeklySchedule(parsing: arguments) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "")")
    }

    @Test func schedulesAndClosedDaysAreKeptAndReplaced() throws {
        let dir = try TempDir()
        let warehouse = try dir.warehouse(timeZone: "Europe/Berlin")
        try warehouse.db.execute("INSERT INTO dim_team (team_name) VALUES ('Sales'), ('Support')")
        try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 09:00-17:00"]), team: nil, in: warehouse)
        #expect(try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Sat 08:00-20:00"]), team: "sales", in: warehouse) == "Sales")
        try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 10:00-18:00"]), team: nil, in: warehouse)  // replaces
        try BusinessHours.addHoliday("2026-12-25", team: nil, name: "Christmas Day", in: warehouse)
        try BusinessHours.addHoliday("2026-12-24", team: "Sales", name: nil, in: warehouse)
        var hours = try BusinessHours.read(from: warehouse)
        #expect(hours.workspace?.arguments == ["Mon-Fri 10:00-18:00"])
        #expect(hours.teams["Sales"]?.arguments == ["Mon-Sat 08:00-20:00"])
        #expect(hours.holidays == [BusinessHours.Holiday(date: "2026-12-24", team: "Sales", name: nil),
                                   BusinessHours.Holiday(date: "2026-12-25", team: nil, name: "Christmas Day")])

        // An unknown team, a bad date, a day that is not closed: errors, and nothing changes.
        #expect(throws: WarehouseError.self) { try BusinessHours.set(try WeeklySchedule(parsing: ["Mon 09:00-10:00"]), team: "Salse", in: warehouse) }
        #expect(throws: WarehouseError.self) { try BusinessHours.addHoliday("2026-02-30", team: nil, name: nil, in: warehouse) }
        #expect(throws: WarehouseError.self) { try BusinessHours.removeHoliday("2026-12-26", team: nil, in: warehouse) }
        #expect(try BusinessHours.read(from: warehouse) == hours)

        try BusinessHours.removeHoliday("2026-12-24", team: "Sales", in: warehouse)
        #expect(try BusinessHours.clear(team: "Sales", in: warehouse))
        hours = try BusinessHours.read(from: warehouse)
        #expect(hours.teams.isEmpty && hours.holidays.count == 1)
    }

    @Test func theSQLFunctionTakesTheTeamsScheduleElseTheWorkspaces() throws {
        let dir = try TempDir()
        let warehouse = try dir.warehouse(timeZone: "UTC")
        try warehouse.db.execute("INSERT INTO dim_team (team_name) VALUES ('Night'), ('Day'), ('Closed Friday')")
        let key = { (name: String) in try warehouse.db.int64("SELECT team_key FROM dim_team WHERE team_name = ?", [.text(name)]) }
        // No schedule at all: --business-hours says how to set one.
        let error = #expect(throws: WarehouseError.self) { try BusinessHours.reportParameter(of: warehouse) }
        #expect(error?.description.contains("warehouse hours set") == true)

        try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 09:00-17:00"]), team: nil, in: warehouse)
        try BusinessHours.set(try WeeklySchedule(parsing: ["daily 22:00-06:00"]), team: "Night", in: warehouse)
        try BusinessHours.addHoliday("2026-03-06", team: "Closed Friday", name: nil, in: warehouse)
        let schedules = try BusinessHours.reportParameter(of: warehouse)
        // Friday 2026-03-06 08:00 to 23:00 UTC.
        let (a, b): (Int64, Int64) = (1_772_784_000, 1_772_838_000)
        func seconds(_ team: SQLValue) throws -> SQLValue? {
            try warehouse.db.scalar("SELECT business_seconds(?, ?, ?, ?)", [.integer(a), .integer(b), .text(schedules), team])
        }
        #expect(try seconds(.null) == .integer(28_800))                       // the workspace's
        #expect(try seconds(.integer(try key("Day"))) == .integer(28_800))    // no schedule of its own
        #expect(try seconds(.integer(try key("Night"))) == .integer(3_600))   // 22:00-23:00
        #expect(try seconds(.integer(try key("Closed Friday"))) == .integer(0))
        #expect(try warehouse.db.scalar("SELECT business_seconds(NULL, ?, ?)", [.integer(b), .text(schedules)]) == .null)
        #expect(try warehouse.db.scalar("SELECT business_seconds(?, ?, ?)", [.integer(b), .integer(a), .text(schedules)]) == .null)
        #expect(throws: SQLiteError.self) { try warehouse.db.scalar("SELECT business_seconds(1, 2, 'not a schedule')") }
    }
}
