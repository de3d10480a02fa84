import Foundation
import Testing
@testable import WarehouseCore

// SPEC 1, "Exports after a spreadsheet", as LibreOffice Calc saves a file: every
// row padded to the widest one (a header that ends in columns with no name),
// and durations under 24 hours written back as times of day on a 12-hour clock.

/// A message row of `messageHeader`, then `padding`: a `,` per unnamed column, and what stands under them.
private func paddedMessage(_ id: String, _ time: String, padding: String = ",", subType: String = "text") -> String {
    "\(time),c1,contact,c1,\(id),text,message,\"{\"\"type\"\":\"\"text\"\",\"\"text\"\":\"\"hi \(id)\"\"}\",ch1,incoming,\(subType)\(padding)"
}

@Suite struct SpreadsheetPaddingTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func load(_ w: TestWarehouse, _ name: String, _ text: String) throws -> LoadSummary {
        try w.loader().load(path: dir.write(name, text))
    }

    /// One over-long row gave the header and every row an empty last field:
    /// the empty ones load, the row with the value is rejected as it was before
    /// the spreadsheet, with its line.
    @Test(arguments: StoreKind.all) func aValueUnderAColumnWithNoNameRejectsItsRowAsAFieldCountMismatch(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "padded.csv", [
            messageHeader + ",",
            paddedMessage("m1", "2025-03-03 09:00:00"),
            paddedMessage("m2", "2025-03-03 09:01:00", padding: ",extra"),      // line 3: the over-long row
            paddedMessage("m3", "2025-03-03 09:02:00", subType: ""),            // a short row, padded: nothing tells it
            paddedMessage("m4", "2025-03-03 09:03:00", padding: ", "),           // blank is empty
        ].joined(separator: "\r\n") + "\r\n")
        #expect(s.error == nil && s.rowsRead == 4 && s.inserted == 3 && s.rejected == 1, "\(s)")
        #expect(s.rejects == [.init(line: 3, reason: "wrong number of fields: 12, header has 11")])
        #expect(try w.db.rows("SELECT message_id FROM fact_message ORDER BY message_id").map { $0[0].description } == ["m1", "m3", "m4"])
        #expect(try w.db.text("SELECT reason FROM rejected_rows WHERE line = 3") == "wrong number of fields: 12, header has 11")
    }

    /// The same words as the file's original would give: the count goes up to
    /// the row's last value; a row short of the named columns is counted as it is.
    @Test(arguments: StoreKind.all) func theCountIsTheRowsAsItWasWritten(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "wide.csv", [
            messageHeader + ",,,",
            paddedMessage("m1", "2025-03-03 09:00:00", padding: ",,,"),
            paddedMessage("m2", "2025-03-03 09:01:00", padding: ",,,x"),        // line 3
            paddedMessage("m3", "2025-03-03 09:02:00", padding: ",x,,"),        // line 4
            "2025-03-03 09:04:00,c1,contact,c1,m4,,,",                          // line 5: 8 fields
            paddedMessage("m5", "2025-03-03 09:05:00", padding: ""),            // no padding at all: a whole row
            paddedMessage("m6", "2025-03-03 09:06:00", padding: ",,,,,"),       // wider, but empty
        ].joined(separator: "\n") + "\n")
        #expect(s.inserted == 3, "\(s)")
        #expect(s.rejects == [
            .init(line: 3, reason: "wrong number of fields: 14, header has 11"),
            .init(line: 4, reason: "wrong number of fields: 12, header has 11"),
            .init(line: 5, reason: "wrong number of fields: 8, header has 11"),
        ])
    }

    /// `;` and every text quoted, as LibreOffice saves with German settings; a record over two lines keeps its first line.
    @Test(arguments: StoreKind.all) func aPaddedSemicolonFileWithARecordOverTwoLines(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let header = messageHeader.split(separator: ",").map { "\"\($0)\"" }.joined(separator: ";") + ";"
        func row(_ id: String, _ text: String, _ padding: String) -> String {
            "2025-03-03 09:00:00;\"c1\";\"contact\";\"c1\";\"\(id)\";\"text\";\"message\";\"\(text)\";\"ch1\";\"incoming\";\"text\";\(padding)"
        }
        let s = try load(w, "de.csv", [header, row("m1", "two\nlines", ""), row("m2", "over\nlong", "\"x\""), row("m3", "last", "")]
            .joined(separator: "\n") + "\n")
        #expect(s.separator == "`;`" && s.inserted == 2)
        #expect(s.rejects == [.init(line: 4, reason: "wrong number of fields: 12, header has 11")])
    }

    /// A contacts file's unknown columns are custom fields; one with no name is no field.
    @Test(arguments: StoreKind.all) func aColumnWithNoNameIsNoCustomField(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let header = "ContactID,FirstName,LastName,PhoneNumber,Email,Country,Language,Tags,Status,Lifecycle,Assignee,LastInteractionTime,DateTimeCreated,Channels,Tier,"
        let s = try load(w, "contacts.csv", [
            header,
            "c1,Ana,Silva,,,MY,en,,open,Lead,,,,,Gold,",
            "c2,Bo,Li,,,MY,en,,open,Lead,,,,,,Silver",     // line 3: Silver stood after the last column
        ].joined(separator: "\n") + "\n")
        #expect(s.inserted == 1 && s.rejects == [.init(line: 3, reason: "wrong number of fields: 16, header has 15")])
        #expect(try w.db.text("SELECT custom_fields FROM dim_contact WHERE contact_id = 'c1'") == "{\"Tier\":\"Gold\"}")
    }

    /// A native file is read as before: its header's width is the rule, and an empty last field is a field.
    @Test(arguments: StoreKind.all) func aNativeFileKeepsItsFieldCount(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "native.csv", [
            messageHeader,
            paddedMessage("m1", "2025-03-03 09:00:00", padding: ""),
            paddedMessage("m2", "2025-03-03 09:01:00", padding: ","),           // line 3: one field too many, even empty
        ].joined(separator: "\n") + "\n")
        #expect(s.inserted == 1 && s.rejects == [.init(line: 3, reason: "wrong number of fields: 12, header has 11")])
    }

    /// Durations under 24 hours as a 12-hour clock, longer ones as they were; the stored seconds are the export's.
    @Test(arguments: StoreKind.all) func durationsWrittenAsATimeOfDayLoadAsTheirSeconds(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "c.csv", legacyConversationHeader + "\n"
            + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00", frt: "12:01:37 AM", rt: "05:05:49 PM") + "\n"
            + conversation("2", "2025-03-01 09:00:00", "2025-03-05 10:00:00", frt: "12:00:00 AM", rt: "86:07:38") + "\n"
            + conversation("3", "2025-03-01 09:00:00", "2025-03-01 10:00:00", frt: "5:05:49 PM", rt: "12:14:32 PM") + "\n"
            + conversation("4", "2025-03-01 09:00:00", "2025-03-01 10:00:00", frt: "00:01:37 AM") + "\n")   // line 5: no hour 0 on that clock
        #expect(s.inserted == 3 && s.rejects == [.init(line: 5, reason: "bad duration in First Response Time: '00:01:37 AM'")])
        let rows = try w.db.rows("SELECT conversation_id, first_response_seconds, resolution_seconds FROM fact_conversation ORDER BY conversation_id")
        #expect(rows.map { $0.map(\.description) } == [["1", "97", "61549"], ["2", "0", "310058"], ["3", "61549", "44072"]])
    }
}
