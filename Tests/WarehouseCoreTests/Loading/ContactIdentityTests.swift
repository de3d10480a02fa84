import Foundation
import Testing
@testable import WarehouseCore

// SPEC 1, "Exports after a spreadsheet": a conversation or message whose ID a
// spreadsheet damaged is kept by its contact and time, never merged on the
// damaged ID, and taken over by the same record with its intact ID; an ID that
// stands for two conversations keeps both. SPEC 6: a webhook event has no
// Conversation ID and is kept the same way.

private let header = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Number of Outgoing Messages,Number of Incoming Messages,DateTime First Response,Conversation Category,Closing Note Summary,Closed By,First Response Time,Resolution Time"
private let messagesHeader = "Date & Time,Sender ID,Sender Type,Contact ID,Message ID,Content Type,Message Type,Content"

private func row(_ id: String, _ started: String, contact: String, resolved: String = "2025-03-01 18:00:00", category: String = "Billing") -> String {
    "\(id),\(started),\(resolved),\(contact),101,1,1,,\(category),note,101,,"
}

private struct Bench {
    let dir: TempDir
    let warehouse: TestWarehouse
    let loader: Loader

    init(_ store: StoreKind) throws {
        dir = try TempDir()
        warehouse = try dir.warehouse(store)
        loader = try warehouse.loader()
    }

    func load(_ name: String, _ rows: [String], header: String = header) throws -> LoadSummary {
        loader.load(path: try dir.write(name, ([header] + rows).joined(separator: "\n") + "\n"))
    }

    func ids() throws -> [String] {
        try warehouse.db.rows("SELECT conversation_id FROM fact_conversation ORDER BY conversation_id").map { $0[0].string ?? "" }
    }
}

@Suite("Records kept by contact and time")
struct ContactIdentityTests {
    @Test func scientificNotationIsDamagedAndIntactIDsAreNot() {
        func damaged(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer(ZeroPaddedIDs.isScientific) }
        #expect(damaged("7.6383E+18"))
        #expect(damaged("6.95968e+12"))
        #expect(damaged("7E+18"))
        #expect(damaged("7,6383E+18"))  // a European spreadsheet's decimal comma
        #expect(!damaged("76383000000000000"))
        #expect(!damaged("E+18"))
        #expect(!damaged("7.6383E+"))
        #expect(!damaged("abc"))
        func cut(_ s: String) -> ZeroPaddedIDs.Verdict { Array(s.utf8).withUnsafeBufferPointer(ZeroPaddedIDs.verdict) }
        #expect(cut("7638301234567890000") == .zeroPadded)
        #expect(cut("7638301234567890001") == .intact)
        #expect(cut("763830123456789") == .tellsNothing)
    }

    @Test func theIdentityIsTheContactAndTheStartMinuteInUTC() {
        let key = Array("161012773".utf8).withUnsafeBufferPointer {
            ContactIdentity.conversation(contact: $0, started: 1_740_516_781)  // 2025-02-25 20:53:01 UTC
        }
        #expect(key == "~161012773@2025-02-25T20:53Z")
    }

    @Test(arguments: StoreKind.all) func damagedIDsKeepEveryConversationAndTheIntactExportTakesThemOver(_ store: StoreKind) throws {
        let b = try Bench(store)
        // Two different conversations that a spreadsheet wrote with one damaged ID.
        let damaged = try b.load("damaged.csv", [
            row("6.0524E+17", "2025-03-01 09:00:00", contact: "c1"),
            row("6.0524E+17", "2025-03-01 11:30:00", contact: "c2"),
        ])
        #expect(damaged.inserted == 2 && damaged.rejected == 0)
        #expect(damaged.damagedIDs == 2)
        #expect(damaged.notes.contains { $0.contains("download the export again") })
        #expect(try b.ids() == ["~c1@2025-03-01T09:00Z", "~c2@2025-03-01T11:30Z"])
        #expect(try b.warehouse.db.text("SELECT conversation_id_as_exported FROM fact_conversation LIMIT 1") == "6.0524E+17")

        // The same file again: nothing doubled.
        let again = try b.load("damaged.csv", [
            row("6.0524E+17", "2025-03-01 09:00:00", contact: "c1"),
            row("6.0524E+17", "2025-03-01 11:30:00", contact: "c2"),
        ])
        #expect(again.unchanged == 2 && again.inserted == 0)

        // The native export, with seconds and the true IDs: it takes both rows over.
        let native = try b.load("native.csv", [
            row("605240469847439385", "2025-03-01 09:00:41", contact: "c1"),
            row("605240469847439386", "2025-03-01 11:30:05", contact: "c2"),
        ])
        #expect(native.inserted == 0 && native.updated == 2)
        #expect(try b.ids() == ["605240469847439385", "605240469847439386"])
        #expect(try b.warehouse.db.int("SELECT count(*) FROM fact_conversation WHERE conversation_id_as_exported IS NOT NULL") == 0)
        #expect(try b.warehouse.db.text("SELECT started_local FROM fact_conversation WHERE conversation_id = '605240469847439385'")
            == "2025-03-01 09:00:41")

        // The damaged file once more: the conversations are stored with their IDs; nothing changes.
        let late = try b.load("damaged.csv", [
            row("6.0524E+17", "2025-03-01 09:00:00", contact: "c1", category: "Changed"),
            row("6.0524E+17", "2025-03-01 11:30:00", contact: "c2"),
        ])
        #expect(late.unchanged == 2 && late.inserted == 0 && late.updated == 0)
        #expect(try b.ids() == ["605240469847439385", "605240469847439386"])
    }

    @Test(arguments: StoreKind.all) func idsCutTo15DigitsAreDamagedWhenEveryLongIDOfTheColumnIs(_ store: StoreKind) throws {
        let b = try Bench(store)
        // Excel kept 15 significant digits: two conversations now share 605240469847439000.
        // Three are few, but the file shows another sign of a spreadsheet: a date in its form.
        let cut = try b.load("cut.csv", [
            row("605240469847439000", "2025-03-01 09:00:00", contact: "c1"),
            row("605240469847439000", "2025-03-01 11:30:00", contact: "c2"),
            row("710380729650371000", "2025-03-01 12:00:00", contact: "c3"),
            row("4242", "2025/03/01 13:00", contact: "c4"),  // short IDs survive whole and say nothing
        ])
        #expect(cut.inserted == 4 && cut.damagedIDs == 3 && cut.collisions == 0)
        #expect(try b.ids() == ["4242", "~c1@2025-03-01T09:00Z", "~c2@2025-03-01T11:30Z", "~c3@2025-03-01T12:00Z"])
        let native = try b.load("native.csv", [
            row("605240469847439385", "2025-03-01 09:00:12", contact: "c1"),
            row("605240469847439386", "2025-03-01 11:30:40", contact: "c2"),
            row("710380729650370822", "2025-03-01 12:00:00", contact: "c3"),
        ])
        #expect(native.inserted == 0 && native.updated == 3)
        #expect(try b.ids() == ["4242", "605240469847439385", "605240469847439386", "710380729650370822"])

        // One long ID that does not end in zeros says the column was not cut: its IDs are kept as they are.
        let b2 = try Bench(store)
        let intact = try b2.load("intact.csv", [
            row("605240469847439000", "2025-03-01 09:00:00", contact: "c1"),
            row("605240469847439385", "2025-03-01 11:30:00", contact: "c2"),
        ])
        #expect(intact.damagedIDs == 0 && intact.inserted == 2)
        #expect(try b2.ids() == ["605240469847439000", "605240469847439385"])
    }

    @Test(arguments: StoreKind.all) func aDamagedRowWithNothingToKnowItByIsRejectedOnItsOwn(_ store: StoreKind) throws {
        let b = try Bench(store)
        let s = try b.load("damaged.csv", [
            row("6.0524E+17", "2025-03-01 09:00:00", contact: ""),
            row("6.0524E+17", "", contact: "c2"),
            row("7.1E+16", "2025-03-01 10:00:00", contact: "c3"),
        ])
        #expect(s.inserted == 1 && s.rejected == 2)
        #expect(s.rejects.map(\.line) == [2, 3])
        #expect(s.rejects[0].reason.contains("'6.0524E+17' was damaged by a spreadsheet"))
    }

    @Test(arguments: StoreKind.all) func anIDThatStandsForTwoConversationsKeepsBothAndWarns(_ store: StoreKind) throws {
        let b = try Bench(store)
        let rows = [row("4242", "2025-03-01 09:00:00", contact: "c1"), row("4242", "2025-03-02 14:00:00", contact: "c2")]
        let s = try b.load("collision.csv", rows)
        #expect(s.inserted == 2 && s.collisions == 1)
        #expect(s.notes.contains { $0.hasPrefix("warning: 1 Conversation ID stood for two conversations") })
        #expect(try b.ids() == ["4242", "4242~c2@2025-03-02T14:00Z"])
        let again = try b.load("collision.csv", rows)
        #expect(again.unchanged == 2 && again.inserted == 0)

        // The same ID with the same contact, or the same start, is the same conversation: replaced.
        let update = try b.load("update.csv", [row("4242", "2025-03-01 09:00:00", contact: "c9")])
        #expect(update.collisions == 0 && update.inserted == 0 && update.updated == 1)
        let moved = try b.load("moved.csv", [row("4242", "2025-03-05 09:00:00", contact: "c9")])
        #expect(moved.collisions == 0 && moved.inserted == 0 && moved.updated == 1)
        #expect(try b.ids() == ["4242", "4242~c2@2025-03-02T14:00Z"])
    }

    @Test(arguments: StoreKind.all) func aRecordWithoutIDIsKeptByContactAndStartUntilTheExportBringsIt(_ store: StoreKind) throws {
        let b = try Bench(store)
        func event(_ category: String) -> NamedFieldsSource {
            NamedFieldsSource(name: "webhook", records: [[
                ("Contact ID", "c1"), ("DateTime Conversation Started", "2025-03-01T09:00:41Z"),
                ("DateTime Conversation Resolved", "2025-03-01T10:00:00Z"), ("Conversation Category", category),
            ]], withoutIDs: true)
        }
        let first = b.loader.load(event("Billing"), as: .conversations)
        #expect(first.inserted == 1 && first.rejected == 0 && first.damagedIDs == 0)
        #expect(try b.ids() == ["~c1@2025-03-01T09:00Z"])
        #expect(b.loader.load(event("Billing"), as: .conversations).unchanged == 1)

        let export = try b.load("native.csv", [row("605240469847439385", "2025-03-01 09:00:41", contact: "c1", resolved: "2025-03-01 10:00:00")])
        #expect(export.updated == 1 && export.inserted == 0)
        #expect(try b.ids() == ["605240469847439385"])
        // An event of the stored conversation changes nothing now.
        #expect(b.loader.load(event("Other"), as: .conversations).unchanged == 1)
        #expect(try b.ids() == ["605240469847439385"])

        // Without the flag a blank ID is still a rejected row.
        let plain = b.loader.load(NamedFieldsSource(name: "body", records: [[("Contact ID", "c1"), ("DateTime Conversation Started", "2025-03-01 09:00:00")]]),
                                  as: .conversations)
        #expect(plain.rejected == 1 && plain.rejects.first?.reason == "missing key Conversation ID")
    }

    @Test(arguments: StoreKind.all) func damagedMessageIDsAreKeptByContactMinuteAndContent(_ store: StoreKind) throws {
        let b = try Bench(store)
        func message(_ id: String, _ time: String, _ text: String) -> String {
            "\(time),c1,contact,c1,\(id),text,message,\"{\"\"type\"\":\"\"text\"\",\"\"text\"\":\"\"\(text)\"\"}\""
        }
        let damaged = try b.load("m.csv", [message("4.4791E+10", "2025-03-01 09:00:00", "Hello"), message("4.4791E+10", "2025-03-01 09:00:00", "Where is my order?")],
                             header: messagesHeader)
        #expect(damaged.inserted == 2 && damaged.damagedIDs == 2)
        let native = try b.load("native.csv", [message("44790986550", "2025-03-01 09:00:12", "Hello"), message("44790986551", "2025-03-01 09:00:40", "Where is my order?")],
                            header: messagesHeader)
        #expect(native.inserted == 0 && native.updated == 2)
        #expect(try b.warehouse.db.rows("SELECT message_id FROM fact_message ORDER BY 1").map { $0[0].string ?? "" } == ["44790986550", "44790986551"])
        #expect(try b.warehouse.db.int("SELECT sum(messages) FROM agg_message_daily") == 2)
    }

    @Test(arguments: StoreKind.all) func aMessageEditedBetweenTwoDamagedExportsIsOneMessageOnceTheIntactOnesLoad(_ store: StoreKind) throws {
        let b = try Bench(store)
        func message(_ id: String, _ time: String, _ text: String) -> String {
            "\(time),c1,contact,c1,\(id),text,message,\(text)"
        }
        _ = try b.load("a.csv", [message("1.3272E+11", "2025-03-01 09:00:00", "Charged twice")], header: messagesHeader)
        _ = try b.load("b.csv", [message("1.3272E+11", "2025-03-01 09:00:00", "Charged twice (edited)")], header: messagesHeader)
        #expect(try b.warehouse.db.int("SELECT count(*) FROM fact_message") == 2)  // the content is part of what it is known by
        _ = try b.load("native_a.csv", [message("132717570759", "2025-03-01 09:00:31", "Charged twice")], header: messagesHeader)
        let edited = try b.load("native_b.csv", [message("132717570759", "2025-03-01 09:00:31", "Charged twice (edited)")], header: messagesHeader)
        #expect(edited.updated == 1)
        #expect(try b.warehouse.db.rows("SELECT message_id, content_raw FROM fact_message ORDER BY message_id").map { $0.map { $0.string ?? "" } }
            == [["132717570759", "Charged twice (edited)"]])
        #expect(try b.warehouse.db.int("SELECT sum(messages) FROM agg_message_daily") == 1)
    }

    @Test(arguments: StoreKind.all) func damagedFailedMessageIDsAreKeptByContactTimeAndReason(_ store: StoreKind) throws {
        let b = try Bench(store)
        let header = "Date & Time,Message ID,Contact ID,Channel ID,Sender Type,Sender ID,Failure Reason"
        let damaged = try b.load("f.csv", ["2025-03-01 09:00:00,1.5741E+10,c1,ch1,user,7,Rate limit", "2025-03-01 09:00:00,1.5741E+10,c2,ch1,user,7,Rate limit"],
                             header: header)
        #expect(damaged.inserted == 2 && damaged.damagedIDs == 2)
        let native = try b.load("n.csv", ["2025-03-01 09:00:07,15740631913,c1,ch1,user,7,Rate limit", "2025-03-01 09:00:50,15740631999,c2,ch1,user,7,Rate limit"],
                            header: header)
        #expect(native.inserted == 0 && native.updated == 2)
        #expect(try b.warehouse.db.rows("SELECT message_id FROM fact_failed_message ORDER BY 1").map { $0[0].string ?? "" } == ["15740631913", "15740631999"])
    }
}
