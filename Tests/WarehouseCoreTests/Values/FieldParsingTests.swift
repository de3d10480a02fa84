import Testing
@testable import WarehouseCore

private func ts(_ s: String) -> FieldParsing.Timestamp? {
    var s = s
    return s.withUTF8 { FieldParsing.timestamp($0) }
}
private func dur(_ s: String) -> Int64? {
    var s = s
    return s.withUTF8 { FieldParsing.duration($0) }
}
private func clock(_ s: String) -> Int64? {
    var s = s
    return s.withUTF8 { FieldParsing.clockTimeDuration($0) }
}
private func cnt(_ s: String) -> Int64? {
    var s = s
    return s.withUTF8 { FieldParsing.count($0) }
}
private func uid(_ s: String) -> String {
    var s = s
    return s.withUTF8 { String(decoding: FieldParsing.userID($0), as: UTF8.self) }
}
private func wall(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
    Int64(CivilTime.days(year: y, month: mo, day: d)) * 86400 + Int64(h * 3600 + mi * 60 + s)
}

@Suite struct FieldParsingTests {
    @Test func exportTimestampsAreWallTime() {
        #expect(ts("2025-02-25 20:53:01") == .wall(wall(2025, 2, 25, 20, 53, 1)))
        #expect(ts(" 2025-02-25 20:53:01 ") == .wall(wall(2025, 2, 25, 20, 53, 1)))
        #expect(ts("2024-02-29 00:00:00") == .wall(wall(2024, 2, 29, 0, 0, 0)))
    }

    @Test func iso8601WithOffsetsIsAnInstant() {
        #expect(ts("2025-03-01T10:00:00Z") == .utc(wall(2025, 3, 1, 10, 0, 0)))
        #expect(ts("2025-03-01T18:00:00+08:00") == .utc(wall(2025, 3, 1, 10, 0, 0)))
        #expect(ts("2025-03-01T05:30:00-0430") == .utc(wall(2025, 3, 1, 10, 0, 0)))
        #expect(ts("2025-03-01T12:00:00+02") == .utc(wall(2025, 3, 1, 10, 0, 0)))
        #expect(ts("2025-03-01T10:00:00.250Z") == .utc(wall(2025, 3, 1, 10, 0, 0)))
        #expect(ts("2025-03-01T10:00:00") == .wall(wall(2025, 3, 1, 10, 0, 0)))
    }

    @Test func impossibleTimestampsDoNotParse() {
        for bad in ["2024-13-45 99:00:00", "2025-02-29 10:00:00", "2025-04-31 10:00:00", "2025-01-01 24:00:00",
                    "2025-01-01 10:60:00", "2025-01-01", "25-01-01 10:00:00", "2025/01/01 10:00:00",
                    "2025-01-01 10:00:00 extra", "2025-01-01T10:00:00+25:00", "yesterday"] {
            #expect(ts(bad) == nil, "\(bad)")
        }
    }

    @Test func durations() {
        #expect(dur("00:02:26") == 146)
        #expect(dur("49:10:05") == Int64(49 * 3600 + 10 * 60 + 5))
        #expect(dur("123:00:01") == Int64(123 * 3600 + 1))
        #expect(dur("3600") == 3600)
        #expect(dur("0") == 0)
        #expect(dur("00:00:00") == 0)
        #expect(dur("") == nil)
        for bad in ["12:75:00", "12:7x:00", "1:2", "-5", "01:02:03:04", "1.5", "10:00:60", "::"] {
            #expect(dur(bad) == nil, "\(bad)")
        }
    }

    @Test func durationsWithAOneDigitHourAsASpreadsheetWritesThem() {
        #expect(dur("0:13:15") == 795)
        #expect(dur("0:00:29") == 29)
        #expect(dur("9:59:59") == Int64(9 * 3600 + 59 * 60 + 59))
        // Minutes and seconds keep two digits.
        for bad in ["0:5:15", "0:05:5", "0:123:00", "0:00:290", ":13:15"] {
            #expect(dur(bad) == nil, "\(bad)")
        }
    }

    /// LibreOffice (US English) saves `00:01:37` as `12:01:37 AM` and `17:05:49` as `05:05:49 PM`; Excel writes `5:05:49 PM`.
    @Test func durationsASpreadsheetWroteBackAsATimeOfDay() {
        let cases: [(String, Int64)] = [
            ("12:01:37 AM", 97), ("12:00:00 AM", 0), ("12:00:05 AM", 5), ("02:39:30 AM", 2 * 3600 + 39 * 60 + 30),
            ("05:05:49 PM", 17 * 3600 + 5 * 60 + 49), ("5:05:49 PM", 17 * 3600 + 5 * 60 + 49),
            ("12:14:32 PM", 12 * 3600 + 14 * 60 + 32), ("01:10:39 PM", 13 * 3600 + 10 * 60 + 39),
            ("11:59:59 PM", 86399), ("1:00:00 am", 3600), (" 1:00:00 pm ", 13 * 3600), ("1:00:00PM", 13 * 3600),
        ]
        for (value, seconds) in cases {
            #expect(dur(value) == seconds, "\(value)")
            #expect(clock(value) == seconds, "\(value)")
        }
        // A 12-hour clock has hours 1 to 12, two-digit minutes and seconds, and here always its seconds.
        for bad in ["00:01:37 AM", "0:01:37 AM", "13:05:49 PM", "12:01 AM", "12:60:00 AM", "12:00:60 PM", "1:5:49 PM",
                    "123:00:00 AM", "12:01:37 XM", "12:01:37 A", "12:01:37 AMM", "12:01:37 PM extra", "AM", "12:01:37 A.M."] {
            #expect(dur(bad) == nil, "\(bad)")
        }
        // Only the time-of-day form: other code can tell a value written that way.
        for native in ["00:01:37", "86:07:38", "0:13:15", "97", ""] {
            #expect(clock(native) == nil, "\(native)")
        }
        #expect(dur("86:07:38") == Int64(86 * 3600 + 7 * 60 + 38))
        #expect(dur("12:01:37") == Int64(12 * 3600 + 60 + 37))
    }

    @Test func counts() {
        #expect(cnt("12") == 12)
        #expect(cnt("12.0") == 12)
        #expect(cnt("x") == nil)
        #expect(cnt("-1") == nil)
        #expect(cnt("1.5") == nil)
    }

    @Test func userIDsLoseASpreadsheetPointZero() {
        #expect(uid("1073060.0") == "1073060")
        #expect(uid(" 1073060 ") == "1073060")
        #expect(uid("1073060") == "1073060")
        #expect(uid("ab.0") == "ab.0")
        #expect(uid("A1.0") == "A1.0")
        #expect(uid("10") == "10")
    }

    @Test func civilCalendar() {
        #expect(CivilTime.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilTime.date(days: CivilTime.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
        #expect(CivilTime.weekday(days: CivilTime.days(year: 2025, month: 3, day: 3)) == 1)  // a Monday
        #expect(CivilTime.weekday(days: CivilTime.days(year: 2025, month: 3, day: 9)) == 7)
        #expect(CivilTime.format(wallSeconds: wall(2025, 3, 9, 2, 30, 5)) == "2025-03-09 02:30:05")
        #expect(CivilTime.format(wallSeconds: wall(1969, 12, 31, 23, 0, 0)) == "1969-12-31 23:00:00")
    }
}
