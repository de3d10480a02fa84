import Foundation
import Testing
@testable import WarehouseCore

/// Exports that went through a spreadsheet: timestamps in its forms, the
/// day/month order decided per file (or refused), `--date-order`.
@Suite struct SpreadsheetLoadTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func load(_ w: TestWarehouse, _ name: String, _ text: String, order: DateOrder? = nil) throws -> LoadSummary {
        let loader = try w.loader()
        loader.dateOrder = order
        return loader.load(path: try dir.write(name, text))
    }

    func conversations(_ rows: [(String, String, String)]) -> String {
        legacyConversationHeader + "\n" + rows.map { conversation($0.0, $0.1, $0.2) }.joined(separator: "\n") + "\n"
    }

    func opened(_ w: TestWarehouse) throws -> [String] {
        try w.db.rows("SELECT opened_at || ' / ' || coalesce(closed_at, '-') FROM conversations ORDER BY conversation_id").map { $0[0].string! }
    }

    @Test(arguments: StoreKind.all) func aFirstPartOver12DecidesDayFirst(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "c.csv", conversations([
            ("1", "03/04/2025 09:00", "03/04/2025 10:30"),   // either way: read day-first, as line 3 decides
            ("2", "26/03/2025 12:16", "27/03/2025 08:00"),
            ("3", "01/02/2025 23:59", ""),
        ]))
        #expect(s.error == nil && s.inserted == 3 && s.rejected == 0)
        #expect(try opened(w) == ["2025-04-03 09:00:00 / 2025-04-03 10:30:00", "2025-03-26 12:16:00 / 2025-03-27 08:00:00",
                                  "2025-02-01 23:59:00 / -"])
        #expect(s.timestampForm == "dates day-first (DD/MM/YYYY, as '26/03/2025 12:16' on line 3 shows), no seconds")
        #expect(s.notes.contains(s.timestampForm!))
    }

    @Test(arguments: StoreKind.all) func aSecondPartOver12DecidesMonthFirst(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "c.csv", conversations([
            ("1", "3/4/2025 9:00 AM", "3/4/2025 12:30 PM"),
            ("2", "3/26/2025 12:16 AM", "3/26/2025 1:05 PM"),
        ]))
        #expect(s.error == nil && s.inserted == 2)
        #expect(try opened(w) == ["2025-03-04 09:00:00 / 2025-03-04 12:30:00", "2025-03-26 00:16:00 / 2025-03-26 13:05:00"])
        #expect(s.timestampForm == "dates month-first (M/D/YYYY, as '3/26/2025 12:16 AM' on line 3 shows), no seconds, 12-hour clock")
    }

    /// The threshold exactly: a part decides only when it is over 12. Dates
    /// whose parts are 12 at most read either way, however many there are
    /// (12/03, 03/12, 12/12: the file is refused); the first 13 decides, on
    /// its own line, whichever part it is in.
    @Test(arguments: StoreKind.all) func onlyAPartOver12DecidesTheOrderAndTwelveDoesNot(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let twelves = [("1", "12/03/2025 09:00", "12/03/2025 10:00"), ("2", "03/12/2025 09:00", ""), ("3", "12/12/2025 09:00", "")]
        let undecided = try load(w, "twelves.csv", conversations(twelves))
        #expect(undecided.error?.contains("cannot tell the day from the month") == true, "\(undecided.error ?? "loaded")")
        #expect(undecided.error?.contains("'12/03/2025 09:00' on line 2") == true)

        let dayFirst = try load(w, "day-first.csv", conversations(twelves + [("4", "13/03/2025 09:00", "")]))
        #expect(dayFirst.error == nil && dayFirst.inserted == 4)
        #expect(dayFirst.timestampForm == "dates day-first (DD/MM/YYYY, as '13/03/2025 09:00' on line 5 shows), no seconds")
        #expect(try opened(w) == ["2025-03-12 09:00:00 / 2025-03-12 10:00:00", "2025-12-03 09:00:00 / -", "2025-12-12 09:00:00 / -",
                                  "2025-03-13 09:00:00 / -"])

        let monthFirst = try load(w, "month-first.csv", conversations(twelves + [("4", "03/13/2025 09:00", "")]))
        #expect(monthFirst.error == nil && monthFirst.rejected == 0)
        #expect(monthFirst.timestampForm == "dates month-first (MM/DD/YYYY, as '03/13/2025 09:00' on line 5 shows), no seconds")
        #expect(try opened(w) == ["2025-12-03 09:00:00 / 2025-12-03 10:00:00", "2025-03-12 09:00:00 / -", "2025-12-12 09:00:00 / -",
                                  "2025-03-13 09:00:00 / -"])
    }

    @Test(arguments: StoreKind.all) func aFileWhereNothingDecidesIsRefusedNamingTheOption(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let text = conversations([("1", "03/04/2025 09:00", "03/04/2025 10:30"), ("2", "05/06/2025 12:16", "")])
        let s = try load(w, "undecided.csv", text)
        #expect(s.error?.hasPrefix("\(dir.path("undecided.csv")): cannot tell the day from the month") == true)
        #expect(s.error?.contains("--date-order dmy") == true && s.error?.contains("--date-order mdy") == true)
        #expect(s.error?.contains("'03/04/2025 09:00' on line 2") == true)
        #expect(s.inserted == 0 && s.rejected == 0)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 0)
        #expect(try w.db.int("SELECT count(*) FROM rejected_rows") == 0)
        // Told the order, it loads.
        let dmy = try load(w, "undecided.csv", text, order: .dmy)
        #expect(dmy.error == nil && dmy.inserted == 2)
        #expect(try opened(w) == ["2025-04-03 09:00:00 / 2025-04-03 10:30:00", "2025-06-05 12:16:00 / -"])
        #expect(dmy.timestampForm == "dates day-first (DD/MM/YYYY, as --date-order says), no seconds")
        let mdy = try load(w, "undecided.csv", text, order: .mdy)
        #expect(mdy.updated == 2)
        #expect(try opened(w) == ["2025-03-04 09:00:00 / 2025-03-04 10:30:00", "2025-05-06 12:16:00 / -"])
    }

    @Test(arguments: StoreKind.all) func valuesThatContradictEachOtherRefuseTheFileNamingBothLines(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let text = conversations([
            ("1", "03/04/2025 09:00", ""),
            ("2", "26/03/2025 12:16", ""),   // line 3: day-first only
            ("3", "04/05/2025 09:00", ""),
            ("4", "03/26/2025 12:16", ""),   // line 5: month-first only
        ])
        let s = try load(w, "mixed.csv", text)
        #expect(s.error?.contains("mixed.csv: its dates contradict each other: line 3 reads only day-first ('26/03/2025 12:16'), line 5 only month-first ('03/26/2025 12:16')") == true)
        #expect(s.error?.contains("--date-order") == true)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 0)
        // With the order given, the dates that are no date in it are rejected, one row each.
        let given = try load(w, "mixed.csv", text, order: .dmy)
        #expect(given.error == nil && given.inserted == 3 && given.rejected == 1)
        #expect(given.rejects == [.init(line: 5, reason: "bad timestamp in DateTime Conversation Started: '03/26/2025 12:16'")])
    }

    @Test(arguments: StoreKind.all) func aBadValueInASpreadsheetFileRejectsItsRowAlone(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "c.csv", conversations([
            ("1", "26.03.2025 12:16", "26.03.2025 13:00"),
            ("2", "31.02.2025 10:00", ""),
            ("3", "27.03.2025", ""),
            ("4", "27.03.2025 25:00", ""),
            ("5", "28.03.2025 08:00:30", ""),
        ]))
        #expect(s.error == nil && s.inserted == 2 && s.rejected == 3)
        #expect(s.rejects == [
            .init(line: 3, reason: "bad timestamp in DateTime Conversation Started: '31.02.2025 10:00'"),
            .init(line: 4, reason: "bad timestamp in DateTime Conversation Started: '27.03.2025' is a date without its time of day"),
            .init(line: 5, reason: "bad timestamp in DateTime Conversation Started: '27.03.2025 25:00'"),
        ])
        #expect(s.timestampForm == "dates day-first (DD.MM.YYYY), some without seconds")
        // The same for a slash file whose order is decided.
        let slash = try load(w, "d.csv", conversations([("6", "26/03/2025 12:16", ""), ("7", "31/02/2025 10:00", "")]))
        #expect(slash.rejects == [.init(line: 3, reason: "bad timestamp in DateTime Conversation Started: '31/02/2025 10:00'")])
    }

    @Test(arguments: StoreKind.all) func serialNumbersAreWallTimeInTheWorkspaceZone(_ store: StoreKind) throws {
        let w = try dir.warehouse(store, timeZone: "Europe/Berlin")
        let s = try load(w, "m.csv", messageHeader + "\n" + message("1", "45932.89866") + "\n" + message("2", "\"45932,5\"") + "\n" + message("3", "12") + "\n")
        #expect(s.inserted == 2 && s.rejected == 1)
        #expect(s.rejects.first?.reason == "bad timestamp in Date & Time: '12'")
        #expect(try w.db.rows("SELECT sent_at, sent_ts FROM messages ORDER BY message_id")
                == [[.text("2025-10-02 21:34:04"), .integer(1_759_433_644)], [.text("2025-10-02 12:00:00"), .integer(1_759_399_200)]])
        #expect(s.timestampForm == "timestamps as spreadsheet serial numbers")
    }

    @Test(arguments: StoreKind.all) func aLocalTimeTheClocksSkipIsRejectedInEveryForm(_ store: StoreKind) throws {
        let w = try dir.warehouse(store, timeZone: "Europe/Berlin")
        // Clocks went from 02:00 to 03:00 on 30 March 2025.
        let s = try load(w, "m.csv", [messageHeader, message("1", "30/03/2025 02:30"), message("2", "30.03.2025 2:30:00 AM"),
                                      message("3", "45746.104166667"), message("4", "30/03/2025 03:30")].joined(separator: "\n") + "\n")
        #expect(s.inserted == 1 && s.rejected == 3)
        #expect(s.rejects.allSatisfy { $0.reason.hasPrefix("nonexistent local time in Date & Time") })
        #expect(try w.db.text("SELECT sent_at FROM messages") == "2025-03-30 03:30:00")
    }

    @Test(arguments: StoreKind.all) func nativeFilesAreNotSurveyedAndReadAsBefore(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "c.csv", conversations([("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00")]))
        #expect(s.timestampForm == nil && s.notes.isEmpty)
        let survey = try surveyed(try dir.write("n.csv", conversations([("1", "2025-03-01 09:00:00", ""), ("2", "2025-03-02 09:00:00", "")])))
        #expect(survey.passes == 0)
        // A native file with one slash date further down asks then, and the rest decides.
        let late = try surveyed(try dir.write("late.csv", conversations([("1", "2025-03-01 09:00:00", ""), ("2", "03/04/2025 09:00", ""),
                                                                     ("3", "2025-03-02 09:00:00", "15/04/2025 10:00")])))
        #expect(late.passes == 1 && late.order == .dmy)
        // One pass answers everything the first record leaves open.
        let slash = try surveyed(try dir.write("s.csv", conversations([("7638301234567890000", "03/04/2025 09:00", ""),
                                                                   ("7638301234567900000", "03/04/2025 09:00", "3/13/2025 10:00")])))
        #expect(slash.passes == 1 && slash.order == .mdy && slash.zeroPaddedIDColumns == ["conversationid"])
    }

    /// Reads every record of a conversations file as the loader does, and returns its survey.
    func surveyed(_ path: String, order: DateOrder? = nil) throws -> SourceSurvey {
        let source = try CSVFileSource(path: path, maxRecordBytes: 1 << 20)
        let survey = SourceSurvey(source: source, dateOrder: order)
        let parsed = ParsedRecord(ColumnPositions<Conversations.Column>(header: source.header), form: nil, survey: survey)
        let zone = try WorkspaceZone("UTC")
        while try source.next() { try? parsed.parse(source.fields, zone: zone) }
        return survey
    }

    @Test(arguments: StoreKind.all) func namedRecordsTakeTheSameRule(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        func record(_ id: String, _ started: String) -> [(name: String, value: String)] {
            [("Conversation ID", id), ("DateTime Conversation Started", started), ("Contact ID", "c1")]
        }
        let loader = try w.loader()
        let s = loader.load(NamedFieldsSource(name: "request 1", records: [record("1", "03/04/2025 09:00"), record("2", "26/03/2025 12:16")]))
        #expect(s.error == nil && s.inserted == 2)
        #expect(try w.db.text("SELECT opened_at FROM conversations WHERE conversation_id = '1'") == "2025-04-03 09:00:00")
        let refused = loader.load(NamedFieldsSource(name: "request 2", records: [record("3", "03/04/2025 09:00")]))
        #expect(refused.error?.hasPrefix("request 2: cannot tell the day from the month") == true)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 2)
    }
}
