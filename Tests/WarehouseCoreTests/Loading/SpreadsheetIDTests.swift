import Foundation
import Testing
@testable import WarehouseCore

private func verdict(_ s: String) -> ZeroPaddedIDs.Verdict {
    var s = s
    return s.withUTF8 { ZeroPaddedIDs.verdict($0) }
}

/// IDs after a spreadsheet: the `.0` it adds to numbers, and the question
/// whether a key column's long IDs were cut to 15 digits.
@Suite struct SpreadsheetIDTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    @Test(arguments: StoreKind.all) func aPointZeroIsRemovedFromEveryIDAndPeopleColumn(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        let files = [
            ("channels.csv", "Channel ID,Channel Name,Channel Type\n554710.0,WhatsApp,whatsapp\nA1.0,Odd,web\n"),
            ("contacts.csv", "ContactID,FirstName,Assignee,DateTimeCreated\n777129422.0,Nurul,1073060.0,2025-02-15 19:04:01\n"),
            ("conversations.csv", conversationHeader + "\n"
                + "9001.0,2025-03-01 09:00:00,2025-03-01 10:00:00,777129422.0,1073060.0,2.0,3.0,,Billing,,1073060.0,,,910111.0,user,Support,contact,554710.0,,1073060.0,,910111.0,,,,,,,1.0,2.0\n"),
            ("failed.csv", "Date & Time,Message ID,Contact ID,Channel ID,Sender Type,Sender ID,Failure Reason\n2025-03-01 09:10:00,8001.0,777129422.0,554710.0,user,1073060.0,Rate limit\n"),
            ("messages.csv", messageHeader + "\n" + message("7001.0", "2025-03-01 09:30:00", contact: "777129422.0", senderType: "user", sender: "1073060.0", channel: "554710.0") + "\n"),
            ("users.csv", "User ID,First Name,Last Name,Email,Role,Team\n1073060.0,Priya,Nair,p@x,Agent,Support\n910111.0,Ana,Lima,a@x,Agent,Support\n"),
        ]
        let summaries = loader.load(paths: try files.map { try dir.write($0.0, $0.1) })
        #expect(summaries.allSatisfy { $0.error == nil && $0.rejected == 0 }, "\(summaries.compactMap(\.error))")
        #expect(try w.db.rows("SELECT channel_id FROM dim_channel ORDER BY 1") == [[.text("554710")], [.text("A1.0")]])
        #expect(try w.db.rows("SELECT contact_id FROM dim_contact") == [[.text("777129422")]])
        #expect(try w.db.rows("SELECT user_id FROM dim_user ORDER BY 1") == [[.text("1073060")], [.text("910111")]])
        #expect(try w.db.rows("""
            SELECT c.conversation_id, ct.contact_id, a.user_id, fa.user_id, cb.user_id, fr.user_id, la.user_id, ch.channel_id, c.outgoing_messages
            FROM fact_conversation c JOIN dim_contact ct USING (contact_key) JOIN dim_user a ON a.user_key = c.assignee_user_key
            JOIN dim_user fa ON fa.user_key = c.first_assignee_user_key JOIN dim_user cb ON cb.user_key = c.closed_by_user_key
            JOIN dim_user fr ON fr.user_key = c.first_response_by_user_key JOIN dim_user la ON la.user_key = c.last_assignee_user_key
            JOIN dim_channel ch ON ch.channel_key = c.opened_by_channel_key
            """) == [[.text("9001"), .text("777129422"), .text("1073060"), .text("910111"), .text("1073060"), .text("1073060"),
                      .text("910111"), .text("554710"), .integer(2)]])
        #expect(try w.db.rows("SELECT message_id, contact_id, sender_id, channel_id, conversation_id FROM messages")
                == [[.text("7001"), .text("777129422"), .text("1073060"), .text("554710"), .text("9001")]])
        #expect(try w.db.rows("SELECT message_id, contact_id, channel_id, sender_id FROM failed_messages")
                == [[.text("8001"), .text("777129422"), .text("554710"), .text("1073060")]])
        #expect(try w.db.rows("SELECT u.user_id FROM dim_contact c JOIN dim_user u ON u.user_key = c.assignee_user_key") == [[.text("1073060")]])
        // Every reference found its row: no stub with a `.0` beside it.
        #expect(try w.db.int("SELECT count(*) FROM dim_contact") == 1)
        #expect(try w.db.int("SELECT count(*) FROM dim_user") == 2)
    }

    @Test func aPointZeroStaysWhereTheRestIsNotAllDigits() {
        func cut(_ s: String) -> String {
            var s = s
            return s.withUTF8 { String(decoding: FieldParsing.withoutPointZero($0), as: UTF8.self) }
        }
        #expect(cut("12.0") == "12")
        #expect(cut("1.0") == "1")
        #expect(cut("9223372036854775809.0") == "9223372036854775809")
        for kept in ["A1.0", "1.5.0", "-12.0", ".0", "12.00", "12.", "1 2.0", "abc"] {
            #expect(cut(kept) == kept, "\(kept)")
        }
    }

    @Test func whatOneIDSaysAboutItsColumn() {
        #expect(verdict("7638301234567890000") == .zeroPadded)   // 19 digits, zeros after the 15th
        #expect(verdict("7638301234567890000.0") == .zeroPadded)
        #expect(verdict("1234567890123450") == .zeroPadded)      // 16 digits
        #expect(verdict("7638301234567890001") == .intact)
        #expect(verdict("7638301234567891000") == .intact)
        #expect(verdict("763830123456789") == .tellsNothing)     // 15 digits survive whole: they tell nothing
        #expect(verdict("100000000000000") == .tellsNothing)
        #expect(verdict("m-17") == .intact)
        #expect(verdict("") == .tellsNothing)
        #expect(verdict("7.6383E+18") == .tellsNothing)
        #expect(verdict("6.95968e12") == .tellsNothing)
        #expect(verdict("7,6383E+18") == .tellsNothing)
        #expect(verdict("7.6383E+") == .intact)
    }

    /// The survey of a conversations file (IDs as given, one per row) as the loader makes it, after every record.
    func record(ids: [String]) throws -> (ParsedRecord<Conversations.Column>, SourceSurvey) {
        let text = legacyConversationHeader + "\n" + ids.map { conversation($0, "2025-03-01 09:00:00", "") }.joined(separator: "\n") + "\n"
        let source = try CSVFileSource(path: try dir.write("c-\(UUID().uuidString).csv", text), maxRecordBytes: 1 << 20)
        let survey = SourceSurvey(source: source, dateOrder: nil)
        let parsed = ParsedRecord(ColumnPositions<Conversations.Column>(header: source.header), form: nil, survey: survey)
        let zone = try WorkspaceZone("UTC")
        while try source.next() { try? parsed.parse(source.fields, zone: zone) }
        return (parsed, survey)
    }

    @Test(arguments: StoreKind.all) func aKeyColumnLooksCutWhenEveryLongIDEndsInZerosAfterIts15thDigit(_ store: StoreKind) throws {
        let cut = try record(ids: ["7638301234567890000", "7638301234567900000", "", "7.6383E+18", "7638301234568000000.0"])
        #expect(cut.0.idLooksTruncated(.id))
        #expect(!cut.0.idLooksTruncated(.contact))
        #expect(cut.1.zeroPaddedIDColumns == ["conversationid"])
        #expect(cut.1.passes == 1)
        // One intact ID, anywhere, says the column was not cut.
        let intact = try record(ids: ["7638301234567890000", "7638301234567900000", "7638301234567912345"])
        #expect(!intact.0.idLooksTruncated(.id))
        #expect(intact.1.zeroPaddedIDColumns.isEmpty)
        // Short IDs survive a spreadsheet whole: the long ones (with a sign of a spreadsheet) still say the column was cut.
        let short = try record(ids: ["7638301234567890000", "42", "5.1E+18"])
        #expect(short.0.idLooksTruncated(.id))
        // Only values that tell nothing: not cut.
        #expect(try !record(ids: ["7.6383E+18", "6.9E+18"]).0.idLooksTruncated(.id))
        // A native file answers from its first record: no second reading.
        let native = try record(ids: ["7638301234567891234", "7638301234567890000"])
        #expect(native.1.passes == 0 && !native.0.idLooksTruncated(.id))
    }
}

/// SPEC 1: zeros after the 15th digit are evidence of a spreadsheet only in
/// numbers (an intact 17-digit ID ends in `00` one time in a hundred): at
/// least 5 such IDs in the column, or another sign of a spreadsheet in the
/// same file; and never in records sent live, where only scientific notation is.
@Suite struct IDsEndingInZerosTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    static let zeroEnded = ["4025572770824820000", "4025572770824830000", "4025572770824840000",
                            "4025572770824850000", "4025572770824860000", "4025572770824870000"]

    func rows(_ ids: [String], started: (Int) -> String = { "2025-03-01 0\($0):00:00" }, assignee: String = "u1", frt: String = "") -> [String] {
        ids.enumerated().map { i, id in conversation(id, started(i), "", contact: "c\(i)", assignee: assignee, frt: frt) }
    }

    func load(_ text: String, _ store: StoreKind) throws -> (TestWarehouse, LoadSummary) {
        let w = try dir.warehouse(store, name: "w-\(UUID().uuidString).db")
        let summary = try w.loader().load(path: dir.write("c-\(UUID().uuidString).csv", text))
        return (w, summary)
    }

    func ids(_ w: TestWarehouse) throws -> [String] {
        try w.db.rows("SELECT conversation_id FROM fact_conversation ORDER BY conversation_id").map { $0[0].description }
    }

    @Test(arguments: StoreKind.all) func aSmallFileKeepsItsIDsThatEndInZeros(_ store: StoreKind) throws {
        let ids = Array(Self.zeroEnded.prefix(3))
        let (w, s) = try load(legacyConversationHeader + "\n" + rows(ids).joined(separator: "\n") + "\n", store)
        #expect(s.succeeded && s.inserted == 3 && s.damagedIDs == 0 && s.keptByContactAndTime == 0, "\(s.notes)")
        #expect(try self.ids(w) == ids)
    }

    @Test(arguments: StoreKind.all) func fiveDifferentIDsEndingInZerosAreEnoughAlone(_ store: StoreKind) throws {
        let ids = Array(Self.zeroEnded.prefix(5))
        let (w, s) = try load(legacyConversationHeader + "\n" + rows(ids).joined(separator: "\n") + "\n", store)
        #expect(s.damagedIDs == 5 && s.keptByContactAndTime == 5)
        #expect(try self.ids(w).allSatisfy { $0.hasPrefix("~") })
        // Four, and the same one again: not five IDs.
        let (w2, s2) = try load(legacyConversationHeader + "\n" + rows(Array(Self.zeroEnded.prefix(4)) + [Self.zeroEnded[0]]).joined(separator: "\n") + "\n", store)
        #expect(s2.damagedIDs == 0)
        #expect(try self.ids(w2).allSatisfy { !$0.hasPrefix("~") })
    }

    /// Each sign of a spreadsheet, with only 2 IDs ending in zeros: the IDs are damaged.
    @Test(arguments: ["point-zero", "date", "semicolon", "windows-1252", "scientific", "clock-duration", "padded"])
    func aFewIDsEndingInZerosWithAnotherSignOfASpreadsheet(_ sign: String) throws {
        let ids = Array(Self.zeroEnded.prefix(2))
        var header = legacyConversationHeader
        var lines: [String]
        switch sign {
        case "point-zero": lines = rows(ids, assignee: "5312010.0")
        case "clock-duration": lines = rows(ids, frt: "12:01:37 AM")
        case "padded":
            header += ","
            lines = rows(ids).map { $0 + "," }
        case "date": lines = rows(ids, started: { "01.03.2025 0\($0):00" })
        case "scientific": lines = rows(ids) + rows(["4.0255E+18"]).map { $0.replacingOccurrences(of: ",c0,", with: ",c9,") }
        case "semicolon":
            header = header.replacingOccurrences(of: ",", with: ";")
            lines = rows(ids).map { $0.replacingOccurrences(of: ",", with: ";") }
        default: lines = rows(ids).map { $0.replacingOccurrences(of: ",c1,", with: ",Jos\u{E9},") }
        }
        var bytes = Array((header + "\n" + lines.joined(separator: "\n") + "\n").utf8)
        if sign == "windows-1252" { bytes = Array(String(decoding: bytes, as: UTF8.self).data(using: .windowsCP1252)!) }
        let w = try dir.warehouse(.file, name: "w-\(sign).db")
        let s = try w.loader().load(path: dir.write("c-\(sign).csv", bytes: bytes))
        #expect(s.succeeded, "\(s.error ?? "")")
        #expect(s.damagedIDs == (sign == "scientific" ? 3 : 2), "\(sign): \(s.notes)")
        #expect(try self.ids(w).filter { ids.contains($0) }.isEmpty, "\(sign)")
    }

    /// Records sent live were typed by a program: zeros are their IDs' own, alone or many.
    @Test(arguments: StoreKind.all) func liveRecordsKeepTheirIDsThatEndInZeros(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        func record(_ id: String, _ i: Int) -> [(name: String, value: String)] {
            [("Conversation ID", id), ("DateTime Conversation Started", "2025-03-01 0\(i):00:00"), ("Contact ID", "c\(i)")]
        }
        let one = loader.load(NamedFieldsSource(name: "one", records: [record(Self.zeroEnded[0], 0)], withoutIDs: true), as: .conversations)
        #expect(one.inserted == 1 && one.keptByContactAndTime == 0)
        let many = loader.load(NamedFieldsSource(name: "many", records: Self.zeroEnded.dropFirst().enumerated().map { record($1, $0 + 1) },
                                                 withoutIDs: true), as: .conversations)
        #expect(many.inserted == 5 && many.keptByContactAndTime == 0 && many.damagedIDs == 0)
        #expect(try ids(w) == Self.zeroEnded)
        // Scientific notation is damage wherever it comes from.
        let scientific = loader.load(NamedFieldsSource(name: "sci", records: [record("4.0255E+18", 8)], withoutIDs: true), as: .conversations)
        #expect(scientific.damagedIDs == 1 && scientific.keptByContactAndTime == 1)
    }
}
