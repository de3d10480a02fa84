import Foundation
import Testing
@testable import WarehouseCore

/// Business seconds (SPEC §9) against cases worked by hand. 2026-03-06 is a Friday; in
/// Europe/Berlin the clocks go from 02:00 to 03:00 on Sunday 2026-03-29 and from 03:00
/// back to 02:00 on Sunday 2026-10-25.
@Suite struct BusinessSecondsTests {
    /// The UTC instant of a wall time `YYYY-MM-DD HH:MM` in `zone` (the earlier of two).
    static func at(_ wall: String, _ zone: String = "Europe/Berlin") throws -> Int64 {
        let parts = wall.split(whereSeparator: { "- :".contains($0) }).compactMap { Int($0) }
        let seconds = Int64(CivilTime.days(year: parts[0], month: parts[1], day: parts[2])) * 86_400 + Int64(parts[3] * 3600 + parts[4] * 60)
        guard case .instant(let t) = try WorkspaceZone(zone).utc(wallTime: seconds) else { throw WarehouseError("\(wall) is not a time in \(zone)") }
        return t
    }

    static func calendar(_ windows: [String], holidays: [String] = [], zone: String = "Europe/Berlin") throws -> BusinessCalendar {
        let days = try holidays.map { try ReportParameters.day($0, option: "holiday") }
        return BusinessCalendar(zone: try WorkspaceZone(zone), schedule: try WeeklySchedule(parsing: windows), holidays: Set(days))
    }

    static func seconds(_ windows: [String], _ from: String, _ to: String, holidays: [String] = [], zone: String = "Europe/Berlin") throws -> Int64? {
        try calendar(windows, holidays: holidays, zone: zone).seconds(from: try at(from, zone), to: try at(to, zone))
    }

    static let office = ["Mon-Fri 09:00-17:00"]

    @Test func aSpanWhollyOutsideTheHoursIsZero() throws {
        #expect(try Self.seconds(Self.office, "2026-03-07 10:00", "2026-03-07 12:00") == 0)  // Saturday
        #expect(try Self.seconds(Self.office, "2026-03-09 18:00", "2026-03-09 23:00") == 0)  // Monday evening
        #expect(try Self.seconds(Self.office, "2026-03-09 17:00", "2026-03-10 09:00") == 0)  // closing to opening
    }

    @Test func startingBeforeOpeningCountsFromOpening() throws {
        #expect(try Self.seconds(Self.office, "2026-03-09 08:00", "2026-03-09 09:30") == 1_800)
        #expect(try Self.seconds(Self.office, "2026-03-09 08:00", "2026-03-09 18:00") == 28_800)
    }

    @Test func fridayAfternoonToMondayMorning() throws {
        #expect(try Self.seconds(Self.office, "2026-03-06 16:30", "2026-03-09 09:30") == 3_600)
    }

    @Test func aHolidayInTheMiddle() throws {
        // Tuesday 16:00 to Thursday 10:00 with Wednesday closed: an hour each side.
        #expect(try Self.seconds(Self.office, "2026-03-10 16:00", "2026-03-12 10:00", holidays: ["2026-03-11"]) == 7_200)
        #expect(try Self.seconds(Self.office, "2026-03-10 16:00", "2026-03-12 10:00") == 7_200 + 28_800)
    }

    @Test func splitWindows() throws {
        let split = ["Mon-Fri 09:00-12:00,13:00-17:00"]
        #expect(try Self.seconds(split, "2026-03-09 11:00", "2026-03-09 14:00") == 7_200)
        #expect(try Self.seconds(split, "2026-03-09 12:10", "2026-03-09 12:50") == 0)
        #expect(try Self.seconds(split, "2026-03-09 00:00", "2026-03-10 00:00") == 25_200)
    }

    @Test func anOvernightWindowBelongsToTheDayItOpens() throws {
        #expect(try Self.seconds(["daily 22:00-06:00"], "2026-03-06 23:00", "2026-03-07 02:00") == 10_800)
        // Only Friday's night: Saturday 05:00-07:00 is its last hour.
        #expect(try Self.seconds(["Fri 22:00-06:00"], "2026-03-07 05:00", "2026-03-07 07:00") == 3_600)
        // A holiday on Saturday leaves Friday's night open; one on Friday closes it.
        #expect(try Self.seconds(["Fri 22:00-06:00"], "2026-03-07 05:00", "2026-03-07 07:00", holidays: ["2026-03-07"]) == 3_600)
        #expect(try Self.seconds(["Fri 22:00-06:00"], "2026-03-07 05:00", "2026-03-07 07:00", holidays: ["2026-03-06"]) == 0)
    }

    @Test func aWholeDayScheduleCountsTheRealHoursOfClockChangeDays() throws {
        let always = ["daily 00:00-24:00"]
        #expect(try Self.seconds(always, "2026-03-29 00:00", "2026-03-30 00:00") == 82_800)
        #expect(try Self.seconds(always, "2026-10-25 00:00", "2026-10-26 00:00") == 90_000)
        #expect(try Self.seconds(always, "2026-03-28 12:00", "2026-03-30 12:00") == 86_400 + 82_800)
    }

    @Test func aWindowEdgeInTheGapMovesToItsEnd() throws {
        // 02:30 does not exist on 2026-03-29: the window opens at 03:00 (01:00 UTC).
        let calendar = try Self.calendar(["Sun 02:30-05:00"])
        #expect(try calendar.seconds(from: try Self.at("2026-03-29 00:00"), to: try Self.at("2026-03-29 12:00")) == 7_200)
        #expect(calendar.instant(wallTime: Int64(CivilTime.days(year: 2026, month: 3, day: 29)) * 86_400 + 9_000)
                == Int64(CivilTime.days(year: 2026, month: 3, day: 29)) * 86_400 + 3_600)
        // 02:30 happens twice on 2026-10-25: the earlier (00:30 UTC); 04:00 is 03:00 UTC.
        #expect(try Self.seconds(["Sun 02:30-04:00"], "2026-10-25 00:00", "2026-10-25 12:00") == 9_000)
    }

    @Test func aHalfHourZone() throws {
        // Asia/Kolkata is UTC+05:30: 03:00 UTC is 08:30 there, 04:00 UTC 09:30.
        let calendar = try Self.calendar(Self.office, zone: "Asia/Kolkata")
        let monday = Int64(CivilTime.days(year: 2026, month: 3, day: 9)) * 86_400
        #expect(try calendar.seconds(from: monday + 3 * 3_600, to: monday + 4 * 3_600) == 1_800)
        #expect(try Self.seconds(Self.office, "2026-03-09 08:00", "2026-03-09 17:30", zone: "Asia/Kolkata") == 28_800)
    }

    @Test func anEndBeforeTheStartIsNoDuration() throws {
        #expect(try Self.seconds(Self.office, "2026-03-09 12:00", "2026-03-09 11:00") == nil)
        #expect(try Self.seconds(Self.office, "2026-03-09 12:00", "2026-03-09 12:00") == 0)
        // Instants centuries apart are summed a century at a time (not cached whole): the weeks add up.
        let calendar = try Self.calendar(["daily 00:00-24:00"], zone: "UTC")
        #expect(try calendar.seconds(from: 0, to: 10_000_000_000) == 10_000_000_000)
        let office = try Self.calendar(Self.office, zone: "UTC")
        let week = Int64(7 * 86_400), weeks: Int64 = 20_000  // 1970-01-05 was a Monday
        #expect(try office.seconds(from: 4 * 86_400, to: 4 * 86_400 + weeks * week) == weeks * 5 * 28_800)
        // Beyond the year 9999 is refused.
        #expect(throws: BusinessCalendar.Refusal.self) { try calendar.seconds(from: 0, to: 400_000_000_000) }
    }

    @Test func callsInAnyOrderGiveTheSameAnswers() throws {
        // The cache of days grows both ways; every answer equals a fresh calendar's.
        let calendar = try Self.calendar(["Mon-Fri 09:00-12:00,13:00-17:00", "Sat 22:00-02:00"], holidays: ["2026-06-01", "2026-01-01"])
        var generator = SystemRandomNumberGenerator()
        let base = try Self.at("2026-01-01 00:00")
        for _ in 0..<300 {
            let a = base + Int64.random(in: 0..<(400 * 86_400), using: &generator)
            let b = a + Int64.random(in: 0..<(20 * 86_400), using: &generator)
            let fresh = try Self.calendar(["Mon-Fri 09:00-12:00,13:00-17:00", "Sat 22:00-02:00"], holidays: ["2026-06-01", "2026-01-01"])
            #expect(try calendar.seconds(from: a, to: b) == fresh.seconds(from: a, to: b))
        }
    }

    @Test func theSumOfDaysEqualsAWalkOverMinutes() throws {
        // Against counting each minute that is in a window of its own day or of the day before.
        let windows = ["Mon-Thu 08:00-12:30,13:15-18:00", "Fri 20:00-04:00", "Sun 00:00-24:00"]
        let calendar = try Self.calendar(windows, holidays: ["2026-03-25"])
        let zone = try WorkspaceZone("Europe/Berlin")
        let schedule = try WeeklySchedule(parsing: windows)
        let start = try Self.at("2026-03-23 00:00"), end = try Self.at("2026-04-01 00:00")
        func open(_ t: Int64) -> Bool {
            let day = CivilTime.dayNumber(seconds: zone.wallTime(utc: t))
            return [day - 1, day].contains { d in
                d != CivilTime.days(year: 2026, month: 3, day: 25) && schedule.windows.contains { w in
                    guard w.weekday == CivilTime.weekday(days: d) else { return false }
                    let midnight = Int64(d) * 86_400
                    return t >= calendar.instant(wallTime: midnight + Int64(w.opens) * 60) && t < calendar.instant(wallTime: midnight + Int64(w.closes) * 60)
                }
            }
        }
        var minutes: Int64 = 0
        for t in stride(from: start, to: end, by: 60) where open(t) { minutes += 60 }
        #expect(try calendar.seconds(from: start, to: end) == minutes)
    }
}
