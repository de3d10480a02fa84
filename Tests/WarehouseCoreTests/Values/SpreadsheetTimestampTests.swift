import Testing
@testable import WarehouseCore

private func read(_ s: String) -> SpreadsheetTimestamp? {
    var s = s
    return s.withUTF8 { SpreadsheetTimestamp.read($0) }
}
/// The wall time of `s` read in `order`; nil when it is no spreadsheet timestamp or no real date and time.
private func wallTime(_ s: String, _ order: DateOrder? = nil) -> Int64? {
    read(s)?.wallTime(order: order)
}
private func wall(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int = 0) -> Int64 {
    Int64(CivilTime.days(year: y, month: mo, day: d)) * 86400 + Int64(h * 3600 + mi * 60 + s)
}

@Suite struct SpreadsheetTimestampTests {
    @Test func slashDatesInEitherOrderWithOrWithoutSeconds() {
        #expect(wallTime("26/03/2025 12:16", .dmy) == wall(2025, 3, 26, 12, 16))
        #expect(wallTime("26/03/2025 12:16:05", .dmy) == wall(2025, 3, 26, 12, 16, 5))
        #expect(wallTime("03/26/2025 12:16", .mdy) == wall(2025, 3, 26, 12, 16))
        #expect(wallTime("02/10/2025 21:34", .dmy) == wall(2025, 10, 2, 21, 34))
        #expect(wallTime("02/10/2025 21:34", .mdy) == wall(2025, 2, 10, 21, 34))
        // No zero padding, US style.
        #expect(wallTime("3/6/2025 9:05", .mdy) == wall(2025, 3, 6, 9, 5))
        #expect(wallTime("10/2/2025 21:34", .mdy) == wall(2025, 10, 2, 21, 34))
        #expect(wallTime("6/3/2025 9:05:07", .dmy) == wall(2025, 3, 6, 9, 5, 7))
        // Fractions of a second are dropped, as in the export's own form.
        #expect(wallTime("26/03/2025 12:16:05.750", .dmy) == wall(2025, 3, 26, 12, 16, 5))
        // A slash date cannot be read without an order.
        #expect(read("26/03/2025 12:16")?.needsOrder == true)
        #expect(wallTime("26/03/2025 12:16", nil) == nil)
    }

    @Test func dotsDashesAndYearFirstNeedNoOrder() {
        for (value, expected) in [("26.03.2025 12:16", wall(2025, 3, 26, 12, 16)),
                                  ("02.10.2025 21:34:09", wall(2025, 10, 2, 21, 34, 9)),
                                  ("2.3.2025 7:00", wall(2025, 3, 2, 7, 0)),
                                  ("26-03-2025 12:16", wall(2025, 3, 26, 12, 16)),
                                  ("03-04-2025 12:16:00", wall(2025, 4, 3, 12, 16)),
                                  ("2025/03/26 12:16", wall(2025, 3, 26, 12, 16)),
                                  ("2025/3/6 12:16:59", wall(2025, 3, 6, 12, 16, 59)),
                                  ("2025-03-26 12:16", wall(2025, 3, 26, 12, 16)),
                                  ("2025-3-6 9:05", wall(2025, 3, 6, 9, 5))] {
            #expect(read(value)?.needsOrder == false, "\(value)")
            #expect(read(value)?.orderEvidence == nil, "\(value)")
            #expect(wallTime(value) == expected, "\(value)")
            // The order of slash dates changes nothing here.
            #expect(wallTime(value, .mdy) == expected, "\(value)")
        }
    }

    @Test func twelveHourClock() {
        #expect(wallTime("3/26/2025 12:00 AM", .mdy) == wall(2025, 3, 26, 0, 0))
        #expect(wallTime("3/26/2025 12:59:59 AM", .mdy) == wall(2025, 3, 26, 0, 59, 59))
        #expect(wallTime("3/26/2025 1:05 AM", .mdy) == wall(2025, 3, 26, 1, 5))
        #expect(wallTime("3/26/2025 11:59 AM", .mdy) == wall(2025, 3, 26, 11, 59))
        #expect(wallTime("3/26/2025 12:00 PM", .mdy) == wall(2025, 3, 26, 12, 0))
        #expect(wallTime("3/26/2025 12:30:15 PM", .mdy) == wall(2025, 3, 26, 12, 30, 15))
        #expect(wallTime("3/26/2025 1:00 PM", .mdy) == wall(2025, 3, 26, 13, 0))
        #expect(wallTime("3/26/2025 11:59 pm", .mdy) == wall(2025, 3, 26, 23, 59))
        #expect(wallTime("26.03.2025 9:05PM") == wall(2025, 3, 26, 21, 5))
        #expect(read("3/26/2025 9:05 PM")?.twelveHour == true)
        // No hour 0 or past 12 on a 12-hour clock.
        for bad in ["3/26/2025 0:30 AM", "3/26/2025 13:00 PM", "3/26/2025 9:05 XM", "3/26/2025 9:05 P", "3/26/2025 9:05 PMX"] {
            #expect(read(bad) == nil, "\(bad)")
        }
    }

    @Test func leapDaysAndImpossibleDates() {
        #expect(wallTime("29/02/2024 10:00", .dmy) == wall(2024, 2, 29, 10, 0))
        #expect(wallTime("2/29/2024 10:00 AM", .mdy) == wall(2024, 2, 29, 10, 0))
        #expect(wallTime("29.02.2000 10:00") == wall(2000, 2, 29, 10, 0))
        // Read, but no real date.
        for (value, order) in [("29/02/2025 10:00", DateOrder.dmy), ("31/02/2025 10:00", .dmy), ("31/04/2025 10:00", .dmy),
                               ("26/03/2025 10:00", .mdy), ("29.02.1900 10:00", .dmy), ("00/03/2025 10:00", .dmy),
                               ("2025/13/01 10:00", .dmy)] {
            #expect(read(value) != nil, "\(value)")
            #expect(wallTime(value, order) == nil, "\(value)")
        }
        // Not in any form.
        for bad in ["26/03/25 12:16", "26/03/2025 12:6", "26/03/2025 24:00", "26/03/2025 12:60", "26/03/2025 12:16:60",
                    "26/3-2025 12:16", "126/03/2025 12:16", "26/03/2025T12:16", "26/03/2025 12", "2025/03/26 12:16 extra",
                    "yesterday", "", "26/03/2025 12:16:05."] {
            #expect(read(bad) == nil, "\(bad)")
        }
    }

    @Test func aDateAloneIsReadButHasNoWallTime() {
        let t = read("26/03/2025")
        #expect(t?.isDateAlone == true)
        #expect(t?.orderEvidence == .dmy)
        #expect(t?.wallTime(order: .dmy) == nil)
        #expect(read("26/03/2025 00:00")?.isDateAlone == false)
    }

    @Test func serialNumbersAreDaysSince1899_12_30() {
        // Google Sheets' 45932.89866 is 2 October 2025, 21:34:04 (to the nearest second).
        #expect(wallTime("45932.89866") == wall(2025, 10, 2, 21, 34, 4))
        #expect(wallTime("45932,5") == wall(2025, 10, 2, 12, 0))
        #expect(wallTime("45932") == wall(2025, 10, 2, 0, 0))
        #expect(wallTime(" 45716.999999 ") == wall(2025, 3, 1, 0, 0))  // rounds to the next midnight
        #expect(wallTime("25569") == 0)                                // 1970-01-01
        #expect(wallTime("109574.5") == wall(2199, 12, 31, 12, 0))    // the last day
        #expect(wallTime("45351.25") == wall(2024, 2, 29, 6, 0))       // a leap day
        #expect(read("45932.89866")?.layout == .serial)
        // Only a plausible range: 1970 to 2199.
        for bad in ["3", "12.5", "25568.99", "109575", "4593289866", "45932.", "45932.8x", "-45932", "45932.1.2"] {
            #expect(read(bad) == nil, "\(bad)")
        }
    }

    @Test func theOrderAValueAloneDecides() {
        #expect(read("26/03/2025 12:16")?.orderEvidence == .dmy)    // a first part over 12 is a day
        #expect(read("3/26/2025 12:16 PM")?.orderEvidence == .mdy)  // a second part over 12 is a day
        #expect(read("03/04/2025 12:16")?.orderEvidence == nil)     // either way
        #expect(read("12/12/2025 12:16")?.orderEvidence == nil)
        #expect(read("26/26/2025 12:16")?.orderEvidence == nil)     // neither: a bad value, no evidence
        #expect(read("13/12/2025 12:16")?.orderEvidence == .dmy)
    }
}
