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
