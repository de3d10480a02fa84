import Foundation
import Testing
@testable import WarehouseCore

let conversationHeader = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Number of Outgoing Messages,Number of Incoming Messages,DateTime First Response,Conversation Category,Closing Note Summary,Closed By,First Response Time,Resolution Time,First Assignee,Closed By Source,Closed By Team,Opened By Source,Opened By Channel,First Assignment Timestamp,First Response By,Last Assignment Timestamp,Last Assignee,Time to First Assignment,First Assignment to First Response Time,Last Assignment to Response Time,First Assignment to Close Time,Last Assignment to Close Time,Average Response Time,Number of Assignments,Number of Responses"
let legacyConversationHeader = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Number of Outgoing Messages,Number of Incoming Messages,DateTime First Response,Conversation Category,Closing Note Summary,Closed By,First Response Time,Resolution Time"
let messageHeader = "Date & Time,Sender ID,Sender Type,Contact ID,Message ID,Content Type,Message Type,Content,Channel ID,Type,Sub Type"

/// A legacy-form conversation row.
func conversation(_ id: String, _ started: String, _ resolved: String, contact: String = "c1", assignee: String = "u1",
                  firstResponse: String = "", frt: String = "", rt: String = "", summary: String = "") -> String {
    "\(id),\(started),\(resolved),\(contact),\(assignee),1,1,\(firstResponse),,\(summary),\(assignee),\(frt),\(rt)"
}

func message(_ id: String, _ time: String, contact: String = "c1", senderType: String = "contact", sender: String = "c1", channel: String = "ch1") -> String {
    "\(time),\(sender),\(senderType),\(contact),\(id),text,message,\"{\"\"type\"\":\"\"text\"\",\"\"text\"\":\"\"hi \(id)\"\"}\",\(channel),incoming,text"
}

@Suite struct LoaderTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func load(_ w: TestWarehouse, _ files: [(String, String)]) throws -> [LoadSummary] {
        let loader = try w.loader()
        return loader.load(paths: try files.map { try dir.write($0.0, $0.1) })
    }

    func linkOf(_ w: TestWarehouse, _ message: String) throws -> String? {
        try w.db.text("SELECT conversation_id FROM messages WHERE message_id = ?", [.text(message)])
    }

    @Test(arguments: StoreKind.all) func valueNormalisation(_ store: StoreKind) throws {
        let w = try dir.warehouse(store, timeZone: "Asia/Kuala_Lumpur")
        let row = "9223372036854775809,2025-03-01 09:00:00,2025-03-03 10:10:05,777129422,1073060.0,2,3,2025-03-01 09:02:26,Billing,\"Refund, \"\"fast\"\"\nsecond line\",1073060.0,00:02:26,49:10:05,910111.0,user,VIP Care,contact,554710,2025-03-01 09:00:05,1073060.0,2025-03-01 09:00:05,1073060,5,,,49:10:00,49:10:00,00:01:00,1,2"
        let s = try load(w, [("c.csv", "\u{FEFF}" + conversationHeader + "\r\n" + row + "\r\n")])
        #expect(s[0].inserted == 1 && s[0].rejected == 0)
        let r = try w.db.rows("""
            SELECT conversation_id, opened_at, opened_ts, closed_at, assignee, first_assignee, closed_by, summary,
                   first_response_seconds, resolution_seconds, time_to_first_assignment_seconds,
                   first_assignment_to_first_response_seconds, closed_by_team, category, opened_by_channel_id, export_form
            FROM conversations
            """)[0]
        #expect(r[0] == .text("9223372036854775809"))  // 19 digits, past Int64: exact text
        #expect(r[1] == .text("2025-03-01 09:00:00"))
        #expect(r[2] == .integer(1_740_790_800))  // 01:00:00 UTC
        #expect(r[3] == .text("2025-03-03 10:10:05"))
        #expect(r[4] == .text("1073060") && r[5] == .text("910111") && r[6] == .text("1073060"))
        #expect(r[7] == .text("Refund, \"fast\"\nsecond line"))
        #expect(r[8] == .integer(146))
        #expect(r[9] == .integer(177_005))  // 49:10:05
        #expect(r[10] == .integer(5))
        #expect(r[11] == .null)  // blank: NULL, never 0
        #expect(r[12] == .text("VIP Care") && r[13] == .text("Billing") && r[14] == .text("554710"))
        #expect(r[15] == .text("current"))
        #expect(try w.db.int("SELECT count(*) FROM dim_user WHERE user_id LIKE '%.0'") == 0)
        #expect(try w.db.int("SELECT started_date_key FROM fact_conversation") == 20250301)
        #expect(try w.db.int("SELECT started_hour FROM fact_conversation") == 9)
    }

    @Test(arguments: StoreKind.all) func legacyFormsLoad(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, [
            ("conv.csv", legacyConversationHeader + "\n" + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"),
            ("msg.csv", "Date & Time,Sender ID,Sender Type,Contact ID,Message ID,Content Type,Message Type,Content\n2025-03-01 09:30:00,c1,contact,c1,m1,text,message,hello\n"),
        ])
        #expect(s.map(\.form) == ["legacy", "legacy"])
        #expect(s.allSatisfy { $0.inserted == 1 })
        #expect(try w.db.rows("SELECT channel_id, content_text, conversation_id FROM messages")[0] == [.null, .text("hello"), .text("1")])
        #expect(try w.db.text("SELECT export_form FROM fact_conversation") == "legacy")
        #expect(try w.db.int("SELECT closed_by_team_key IS NULL FROM fact_conversation") == 1)
    }

    @Test(arguments: StoreKind.all) func headersInAnyOrderCaseAndSpellingWithExtraColumns(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, [
            ("m.csv", "Extra,CONTENT,message id, sender type ,ContactID,date & time,Sender ID\nx,plain,m1,Contact,c9,2025-03-01T09:30:00Z,c9\n"),
            ("u.csv", "Team,Email,User ID,Last Name,First Name,Role,Nickname\n\"Support; Billing\",a@x,42.0,Nair,Priya,Agent,P\n"),
        ])
        #expect(s.allSatisfy { $0.error == nil && $0.inserted == 1 })
        #expect(try w.db.rows("SELECT message_id, contact_id, sender_type, direction, content_text, sent_at FROM messages")[0]
                == [.text("m1"), .text("c9"), .text("contact"), .text("incoming"), .text("plain"), .text("2025-03-01 09:30:00")])
        #expect(try w.db.rows("SELECT user_id, user_name, teams FROM users")[0] == [.text("42"), .text("Priya Nair"), .text("Support;Billing")])
        #expect(try w.db.int("SELECT count(*) FROM bridge_user_team") == 2)
    }

    @Test(arguments: StoreKind.all) func contactsKeepCustomFields(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        _ = try load(w, [("contacts.csv", """
            "ContactID","FirstName","LastName","Email","DateTimeCreated","Customer Tier","Order Number"
            "1","Nurul","","n@x","2025-02-15 19:04:01","Silver",""
            "2","","","","","Gold","SO-1"

            """)])
        let rows = try w.db.rows("SELECT contact_id, contact_name, custom_fields, \(w.store == .file ? "json_extract(custom_fields, '$.\"Customer Tier\"')" : "custom_fields::json ->> 'Customer Tier'") FROM contacts ORDER BY 1")
        #expect(rows[0] == [.text("1"), .text("Nurul"), .text(#"{"Customer Tier":"Silver"}"#), .text("Silver")])
        #expect(rows[1][1] == .null)
        #expect(rows[1][2] == .text(#"{"Customer Tier":"Gold","Order Number":"SO-1"}"#))
        // A later export changes one contact: its row is written over, under its key.
        let key = try w.db.int("SELECT contact_key FROM dim_contact WHERE contact_id = '1'")
        let again = try w.loader().load(path: try dir.write("contacts2.csv", """
            "ContactID","FirstName","LastName","Email","DateTimeCreated","Customer Tier","Order Number"
            "1","Nurul","Aziz","n@x","2025-02-15 19:04:01","Gold",""
            "2","","","","","Gold","SO-1"

            """))
        #expect(again.updated == 1 && again.unchanged == 1 && again.inserted == 0, "\(again)")
        #expect(try w.db.rows("SELECT contact_key, contact_name FROM dim_contact WHERE contact_id = '1'") == [[.integer(key ?? -1), .text("Nurul Aziz")]])
        #expect(try w.db.int("SELECT count(*) FROM dim_contact") == 2)
    }

    @Test(arguments: StoreKind.all) func aMessageNeedsItsDateAndTime(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, [
            ("m.csv", messageHeader + "\n" + message("1", "") + "\n" + message("2", "2025-03-01 09:00:00") + "\n"),
            ("n.csv", "Date & Time,Message ID,Contact ID,Channel ID,Sender Type,Sender ID,Failure Reason\n,f1,c1,ch1,user,7.0,Rate limit\n"),
        ])
        #expect(s[0].rejected == 1 && s[0].inserted == 1)
        #expect(try w.db.rows("SELECT line, reason FROM rejects") == [[.integer(2), .text("missing Date & Time")]])
        // A failed message may lack its time.
        #expect(s[1].inserted == 1)
        #expect(try w.db.rows("SELECT failed_at, sender_id, failure_reason FROM failed_messages") == [[.null, .text("7"), .text("Rate limit")]])
    }

    @Test(arguments: StoreKind.all) func senderTypesAndContent(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, [("m.csv", messageHeader + "\n"
            + message("1", "2025-03-01 09:00:00") + "\n"
            + message("2", "2025-03-01 09:01:00", senderType: "user", sender: "77.0") + "\n"
            + message("3", "2025-03-01 09:02:00", senderType: "workflow", sender: "") + "\n"
            + message("4", "2025-03-01 09:03:00", senderType: "ai_agent", sender: "") + "\n"
            + "2025-03-01 09:04:00,,broadcast,c1,5,attachment,message,\"{\"\"type\"\":\"\"attachment\"\",\"\"attachment\"\":{\"\"type\"\":\"\"image\"\",\"\"url\"\":\"\"u\"\",\"\"fileName\"\":\"\"photo, 1.jpg\"\"}}\",ch1,outgoing,attachment\n")])
        #expect(s[0].inserted == 5)
        let rows = try w.db.rows("SELECT message_id, sender_type, direction, sender_id, sender_user_name, content_text FROM messages ORDER BY 1")
        #expect(rows.map { $0[2] } == [.text("incoming"), .text("outgoing"), .text("outgoing"), .text("outgoing"), .text("outgoing")])
        #expect(rows[1][3] == .text("77") && rows[1][4] == .text("77"))
        #expect(rows[2][1] == .text("workflow") && rows[3][1] == .text("ai_agent"))
        #expect(rows[0][5] == .text("hi 1"))
        #expect(rows[4][5] == .text("[image: photo, 1.jpg]"))
    }

    @Test(arguments: StoreKind.all) func rejectedRowsAreRecordedAndTheRestLoads(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let text = legacyConversationHeader + "\n"
            + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"   // line 2
            + conversation("", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"    // 3: blank key
            + conversation("3", "2025-02-30 09:00:00", "2025-03-01 10:00:00") + "\n"   // 4: no such day
            + conversation("4", "2025-03-01 09:00:00", "", summary: "\"multi\nline\"") + "\n"  // 5-6
            + conversation("5", "2025-03-01 09:00:00", "2025-03-01 10:00:00", rt: "12:75:00") + "\n"  // 7
            + "6,2025-03-01 09:00:00\n"                                                          // 8: too few fields
            + "7,2025-03-01 09:00:00,2025-03-01 10:00:00,c1,u1,x,1,,,,u1,,\n"                   // 9: bad count
            + "\n"
            + conversation("8", "", "2025-03-01 10:00:00") + "\n"                              // 11: no start, kept
            + conversation("9", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + ",extra\n"     // 12: too many
        let s = try load(w, [("c.csv", text)])[0]
        #expect(s.rowsRead == 9)
        #expect(s.inserted == 3)
        #expect(s.rejected == 6)
        let rejects = try w.db.rows("SELECT line, reason FROM rejects ORDER BY line")
        #expect(rejects.map { $0[0].int64! } == [3, 4, 7, 8, 9, 12])
        #expect(try w.db.rows("SELECT opened_at, closed_at, resolution_seconds FROM conversations WHERE conversation_id = '8'")
                == [[.null, .text("2025-03-01 10:00:00"), .null]])
        #expect(rejects.first { $0[0] == .integer(3) }?[1] == .text("missing key Conversation ID"))
        #expect(rejects.first { $0[0] == .integer(4) }?[1].string?.hasPrefix("bad timestamp in DateTime Conversation Started") == true)
        #expect(rejects.first { $0[0] == .integer(7) }?[1] == .text("bad duration in Resolution Time: '12:75:00'"))
        #expect(rejects.first { $0[0] == .integer(8) }?[1] == .text("wrong number of fields: 2, header has 13"))
        #expect(rejects.first { $0[0] == .integer(9) }?[1] == .text("bad count in Number of Outgoing Messages: 'x'"))
        #expect(rejects.first { $0[0] == .integer(12) }?[1] == .text("wrong number of fields: 14, header has 13"))
    }
}

@Suite struct LoaderKeyTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func load(_ w: TestWarehouse, _ name: String, _ text: String) throws -> LoadSummary {
        try w.loader().load(path: try dir.write(name, text))
    }

    @Test(arguments: StoreKind.all) func sameFileTwiceLeavesEachRecordOnce(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let text = legacyConversationHeader + "\n" + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"
            + conversation("2", "2025-03-02 09:00:00", "2025-03-02 10:00:00") + "\n"
        let first = try load(w, "c.csv", text)
        let second = try load(w, "c.csv", text)
        #expect(first.inserted == 2)
        #expect(second.inserted == 0 && second.updated == 0 && second.unchanged == 2)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 2)
        #expect(try w.db.int("SELECT count(*) FROM load_log") == 2)
        let shas = try w.db.rows("SELECT sha256 FROM load_log").map { $0[0] }
        #expect(shas[0] == shas[1] && shas[0].string?.count == 64)
    }

    @Test(arguments: StoreKind.all) func laterRecordReplacesTheStoredOneCompletely(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let current = conversationHeader + "\n1,2025-03-01 09:00:00,2025-03-01 10:00:00,c1,u1,1,1,,Billing,first,u1,00:01:00,01:00:00,u1,user,Support,contact,ch1,,,,,,,,,,,,\n"
        _ = try load(w, "a.csv", current)
        // The overlapping export's copy is newer; within one file the later row wins too.
        let s = try load(w, "b.csv", legacyConversationHeader + "\n"
            + conversation("1", "2025-03-01 09:00:00", "2025-03-01 11:00:00", summary: "older in file") + "\n"
            + conversation("1", "2025-03-01 09:00:00", "2025-03-01 12:00:00", summary: "newest") + "\n")
        #expect(s.updated == 2 && s.inserted == 0)
        let r = try w.db.rows("SELECT closed_at, summary, category, closed_by_team, export_form FROM conversations")
        #expect(r == [[.text("2025-03-01 12:00:00"), .text("newest"), .null, .null, .text("legacy")]])
    }

    @Test(arguments: StoreKind.all) func aRejectedRowNeverTouchesTheStoredRecord(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        _ = try load(w, "a.csv", legacyConversationHeader + "\n" + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00", summary: "kept") + "\n")
        let s = try load(w, "b.csv", legacyConversationHeader + "\n" + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00", rt: "bad", summary: "lost") + "\n")
        #expect(s.rejected == 1)
        #expect(try w.db.text("SELECT summary FROM conversations") == "kept")
    }

    @Test(arguments: StoreKind.all) func refusedFileLoadsNothingAndSaysWhy(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let s = try load(w, "orders.csv", "Order,Amount\n1,2\n")
        #expect(s.error?.contains("orders.csv") == true)
        #expect(s.error?.contains("Conversation ID + DateTime Conversation Started") == true)
        #expect(try w.db.int("SELECT count(*) FROM load_log WHERE status = 'refused'") == 1)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation") == 0)
    }

    @Test(arguments: StoreKind.all) func badFilesAreErrorsNamingTheFile(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        let cases: [(String, String)] = [
            (try dir.write("empty.csv", ""), "empty"),
            // UTF-16 is read (its header is "A"), and then no kind matches.
            (try dir.write("utf16.csv", bytes: [0xFF, 0xFE, 0x41, 0x00]), "its header (A) matches no kind"),
            (try dir.write("binary.csv", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01]), "binary"),
            (dir.path("missing.csv"), "no such file"),
            (dir.url.path, "directory"),
            (dir.path("exports/*.csv"), "a pattern that matched no file"),
        ]
        for (path, words) in cases {
            let s = loader.load(path: path)
            #expect(s.error?.contains(words) == true, "\(path): \(s.error ?? "no error")")
            #expect(s.error?.contains((path as NSString).lastPathComponent) == true)
        }
        #expect(try w.db.int("SELECT count(*) FROM dim_user") == 0)
        // Latin-1 (or Windows-1252) text is no longer an error: it is read as Windows-1252.
        let latin1 = loader.load(path: try dir.write("latin1.csv", bytes: Array("User ID,Email,First Name\n1,a@x,Ana\n2,b@x,Jos".utf8) + [0xE9, 0x0A]))
        #expect(latin1.error == nil && latin1.encoding == "Windows-1252")
        #expect(try w.db.text("SELECT first_name FROM dim_user WHERE user_id = '2'") == "José")
        // Header only: a valid, empty export.
        let headerOnly = loader.load(path: try dir.write("h.csv", legacyConversationHeader + "\n"))
        #expect(headerOnly.error == nil && headerOnly.rowsRead == 0)
    }

    @Test(arguments: StoreKind.all) func aTimestampWithAMistypedYearIsRejected(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let text = [messageHeader, message("1", "9025-03-01 09:00:00"), message("2", "2025-03-01 09:00:00"),
                    message("3", "1969-12-31 23:59:59")].joined(separator: "\n")
        let s = try w.loader().load(path: try dir.write("m.csv", text))
        #expect(s.inserted == 1 && s.rejected == 2)
        #expect(s.rejects.map(\.line) == [2, 4])
        #expect(s.rejects.first?.reason.hasPrefix("timestamp out of range in Date & Time: '9025-03-01 09:00:00'") == true)
        #expect(try w.db.int("SELECT count(*) FROM dim_date") == 1)
    }

    @Test(arguments: StoreKind.all) func aBulkMessagesFileThatFailsKeepsTheIndexes(_ store: StoreKind) throws {
        // A messages file larger than the stored messages loads without the
        // secondary indexes; failing halfway, the warehouse keeps them.
        let w = try dir.warehouse(store)
        let made = (indexes: try w.indexes(of: "fact_message"), keys: try w.uniqueKeys(of: "fact_message"))
        let loader = try w.loader()
        loader.maxRecordBytes = 4096
        let text = messageHeader + "\n" + (1...50).map { message("\($0)", "2025-03-01 09:00:00") }.joined(separator: "\n") + "\n"
            + "2025-03-01 09:00:00,c1,contact,c1,99,text,message,\"never closed" + String(repeating: "x,", count: 10_000) + "\n"
        let s = loader.load(path: try dir.write("m.csv", text))
        #expect(s.error != nil)
        #expect(try w.db.int("SELECT count(*) FROM fact_message") == 0)
        #expect(made.indexes.contains("fact_message_by_contact") && made.indexes.contains("fact_message_by_sent"))
        #expect(try w.indexes(of: "fact_message") == made.indexes)
        #expect(try w.uniqueKeys(of: "fact_message") == made.keys)
        // And a bulk load that succeeds has them too.
        #expect(loader.load(path: try dir.write("ok.csv", messageHeader + "\n" + message("1", "2025-03-01 09:00:00") + "\n")).inserted == 1)
        #expect(try w.indexes(of: "fact_message") == made.indexes)
        #expect(try w.uniqueKeys(of: "fact_message") == made.keys)
    }

    @Test(arguments: StoreKind.all) func aKeyTwiceInABulkFileIsOneRowAndTheKeyStaysUnique(_ store: StoreKind) throws {
        // Into an empty table (a bulk file, which PostgreSQL loads without the unique
        // index of the key): the later row wins, and the key is unique afterwards.
        let w = try dir.warehouse(store)
        let made = (messages: try w.uniqueKeys(of: "fact_message"), indexes: try w.indexes(of: "fact_message"),
                    conversations: try w.uniqueKeys(of: "fact_conversation"))
        let loader = try w.loader()
        let rows = [message("1", "2025-03-01 09:00:00"), message("2", "2025-03-01 09:05:00"), message("1", "2025-03-01 10:00:00"),
                    message("3", "2025-03-01 10:05:00")]
        let s = loader.load(path: try dir.write("m.csv", messageHeader + "\n" + rows.joined(separator: "\n") + "\n"))
        #expect(s.error == nil && s.inserted == 3 && s.updated == 1, "\(s)")
        #expect(try w.db.rows("SELECT message_id, sent_at FROM messages ORDER BY message_id").map { $0.map(\.description) }
                == [["1", "2025-03-01 10:00:00"], ["2", "2025-03-01 09:05:00"], ["3", "2025-03-01 10:05:00"]])
        #expect(try w.uniqueKeys(of: "fact_message") == made.messages)
        #expect(try w.indexes(of: "fact_message") == made.indexes)
        let c = loader.load(path: try dir.write("c.csv", legacyConversationHeader + "\n"
            + conversation("7", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"
            + conversation("7", "2025-03-01 09:00:00", "2025-03-01 11:00:00", summary: "later") + "\n"))
        #expect(c.error == nil && c.inserted == 1 && c.updated == 1, "\(c)")
        #expect(try w.db.rows("SELECT summary FROM conversations") == [[.text("later")]])
        #expect(try w.uniqueKeys(of: "fact_conversation") == made.conversations)
        // On SQLite the natural key is the unique key; on a server it is the loader's rule
        // (the unique keys there hold the contact, for Citus: Schema/postgresql/tables.sql).
        #expect(made.messages == (store == .file ? ["message_id"] : ["message_key,contact_key"]))
        #expect(try w.db.int("SELECT count(*) - count(DISTINCT message_id) FROM fact_message") == 0)
        #expect(try w.db.int("SELECT count(*) - count(DISTINCT conversation_id) FROM fact_conversation") == 0)
    }

    @Test(arguments: StoreKind.all) func keysOfAnyCharacterAreFoundAgain(_ store: StoreKind) throws {
        // A reload looks each key up again (PostgreSQL: a batch's stored keys come
        // back packed in one text, `PackedRows`): keys with separators, signs and
        // multi-byte characters are each found, unchanged, then one changed.
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        let ids = ["1:2", "a b", "N", "-5", "x:10: N", "😀 ünïcode", "3"]
        func file(_ last: String) -> String {
            messageHeader + "\n" + ids.map { message($0, "2025-03-01 09:00:00") }.joined(separator: "\n") + "\n" + message("9", last) + "\n"
        }
        #expect(loader.load(path: try dir.write("m.csv", file("2025-03-01 09:00:00"))).inserted == ids.count + 1)
        let again = loader.load(path: try dir.write("m.csv", file("2025-03-01 09:00:00")))
        #expect(again.error == nil && again.unchanged == ids.count + 1, "\(again)")
        let changed = loader.load(path: try dir.write("m.csv", file("2025-03-01 11:00:00")))
        #expect(changed.unchanged == ids.count && changed.updated == 1, "\(changed)")
        #expect(try w.db.int("SELECT count(*) FROM fact_message") == Int64(ids.count + 1))
    }

    @Test(arguments: StoreKind.all) func aFileThatFailsHalfwayLeavesNothingOfItself(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        _ = try load(w, "a.csv", legacyConversationHeader + "\n" + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00", summary: "before") + "\n")
        let loader = try w.loader()
        loader.maxRecordBytes = 4096
        let text = legacyConversationHeader + "\n"
            + conversation("1", "2025-03-01 09:00:00", "2025-03-01 10:00:00", summary: "changed") + "\n"
            + conversation("2", "2025-03-02 09:00:00", "2025-03-02 10:00:00") + "\n"
            + conversation("3", "2025-03-03 09:00:00", "2025-03-03 10:00:00", summary: "\"never closed") + "\n"
            + String(repeating: "x,", count: 10_000) + "\n"
        let s = loader.load(path: try dir.write("b.csv", text))
        #expect(s.error?.contains("b.csv:4:") == true, "\(s.error ?? "")")
        #expect(try w.db.rows("SELECT conversation_id, summary FROM conversations") == [[.text("1"), .text("before")]])
        #expect(try w.db.int("SELECT count(*) FROM load_log WHERE status = 'failed' AND file_name = 'b.csv'") == 1)
        #expect(try w.db.int("SELECT count(*) FROM dim_date") == 1)
        // The loader goes on: the next file loads.
        #expect(loader.load(path: try dir.write("c.csv", legacyConversationHeader + "\n" + conversation("2", "2025-03-02 09:00:00", "2025-03-02 10:00:00") + "\n")).inserted == 1)
    }

    @Test func anOlderWarehouseIsUpgradedInPlace() throws {
        let path = dir.path("old.db")
        do {
            let db = try Database(path: path)
            try db.execute(Schema.migrations[0].sql)
            try db.execute("PRAGMA user_version = \(Schema.migrations[0].version)")
            try db.execute("INSERT INTO settings VALUES ('timezone', 'Asia/Tokyo')")
        }
        let w = try Warehouse.openExisting(path: path)
        #expect(try Schema.version(of: w.db) == Schema.currentVersion)
        #expect(w.timeZone == "Asia/Tokyo")
        #expect(try w.db.int("SELECT count(*) FROM conversations") == 0)  // a view of a later migration
    }

    @Test func timeZoneIsChosenOnceAndStored() throws {
        let path = dir.path("tz.db")
        _ = try Warehouse.openForWriting(path: path, timeZone: "Europe/Berlin")
        #expect(try Warehouse.openForWriting(path: path).timeZone == "Europe/Berlin")
        #expect(throws: WarehouseError.self) { try Warehouse.openForWriting(path: path, timeZone: "UTC") }
        #expect(throws: WorkspaceZone.UnknownZone.self) { try Warehouse.openForWriting(path: dir.path("x.db"), timeZone: "Nowhere/Land") }
        #expect(try Warehouse.openExisting(path: path).timeZone == "Europe/Berlin")
        #expect(try Schema.version(of: Warehouse.openExisting(path: path).db) == Schema.currentVersion)
    }
}

@Suite struct LinkingTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func load(_ w: TestWarehouse, _ files: [(String, String)]) throws {
        let loader = try w.loader()
        for (name, text) in files { #expect(loader.load(path: try dir.write(name, text)).error == nil) }
    }

    func links(_ w: TestWarehouse) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try w.db.rows("SELECT message_id, coalesce(conversation_id, '-') FROM messages") {
            out[row[0].description] = row[1].description
        }
        return out
    }

    static let conversations = legacyConversationHeader + "\n"
        + conversation("100", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"            // A
        + conversation("200", "2025-03-01 10:00:00", "2025-03-01 11:00:00") + "\n"            // B starts when A ends
        + conversation("300", "2025-03-01 12:00:00", "2025-03-01 13:00:00") + "\n"            // C
        + conversation("400", "2025-03-01 09:00:00", "2025-03-01 13:00:00", contact: "c2") + "\n"
        + conversation("401", "2025-03-01 09:30:00", "2025-03-01 09:45:00", contact: "c2") + "\n"  // inside 400
    static let messages = messageHeader + "\n"
        + message("m1", "2025-03-01 09:00:00") + "\n"   // A's first second: A
        + message("m2", "2025-03-01 10:00:00") + "\n"   // A's end and B's start: B, the later-started
        + message("m3", "2025-03-01 11:00:01") + "\n"   // between B and C: none
        + message("m4", "2025-03-01 11:59:59") + "\n"   // none
        + message("m5", "2025-03-01 13:00:00") + "\n"   // C's last second: C
        + message("m6", "2025-03-01 09:40:00", contact: "c2", sender: "c2") + "\n"  // in 400 and 401: 401
        + message("m7", "2025-03-01 09:50:00", contact: "c2", sender: "c2") + "\n"  // only 400
        + message("m8", "2025-03-01 09:30:00", contact: "c3", sender: "c3") + "\n"  // another contact: none
    static let expected = ["m1": "100", "m2": "200", "m3": "-", "m4": "-", "m5": "300", "m6": "401", "m7": "400", "m8": "-"]

    @Test(arguments: StoreKind.all) func conversationsFirst(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        try load(w, [("c.csv", Self.conversations), ("m.csv", Self.messages)])
        #expect(try links(w) == Self.expected)
    }

    @Test(arguments: StoreKind.all) func messagesFirst(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        try load(w, [("m.csv", Self.messages), ("c.csv", Self.conversations)])
        #expect(try links(w) == Self.expected)
    }

    @Test(arguments: StoreKind.all.filter { $0 != .file })
    func conversationsReadInRangesOfKeysLinkAndDecideAsReadWhole(_ store: StoreKind) throws {
        // A server reads many conversations a range of keys at a time (`forEachPackedConversation`):
        // here two keys a range, so that the five conversations come in three.
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        try #require(loader.store as? PostgresStore).packedKeys = 2
        for (name, text) in [("c.csv", Self.conversations), ("m.csv", Self.messages)] {
            #expect(loader.load(path: try dir.write(name, text)).error == nil)
        }
        #expect(try links(w) == Self.expected)
        #expect(try w.db.rows("SELECT conversation_id FROM fact_conversation WHERE is_new_contact = 1 ORDER BY 1") == [[.text("100")], [.text("400")]])
    }

    @Test(arguments: StoreKind.all) func aChangedConversationMovesItsMessages(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        try load(w, [("c.csv", Self.conversations), ("m.csv", Self.messages)])
        let key = try w.db.int("SELECT conversation_key FROM fact_conversation WHERE conversation_id = '401'")
        // C now starts earlier and takes m4; 401 moves to another contact and gives m6 back to 400.
        try load(w, [("c2.csv", legacyConversationHeader + "\n"
            + conversation("300", "2025-03-01 11:30:00", "2025-03-01 13:00:00") + "\n"
            + conversation("401", "2025-03-01 09:30:00", "2025-03-01 09:45:00", contact: "c9") + "\n")])
        var expected = Self.expected
        expected["m4"] = "300"
        expected["m6"] = "400"
        #expect(try links(w) == expected)
        // The moved conversation is one row, under its key (on Citus: on its new contact's shard).
        #expect(try w.db.rows("""
            SELECT c.conversation_key, ct.contact_id FROM fact_conversation c JOIN dim_contact ct ON ct.contact_key = c.contact_key
            WHERE c.conversation_id = '401'
            """)
                == [[.integer(key ?? -1), .text("c9")]])
    }

    @Test(arguments: StoreKind.all.filter { $0 == .postgresql })
    func aTableALoadFillsHasStatisticsAfterIt(_ store: StoreKind) throws {
        // Natural IDs have plain indexes on a server: without statistics the planner reads
        // a whole table for a batch's keys. Contacts made by a conversations file (as
        // references) and by the contacts file, and the facts, all have them after the load.
        let w = try dir.warehouse(store)
        func analysed(_ table: String) throws -> Bool {
            try w.db.int("SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = ?", [.text(table)]) ?? 0 > 0
        }
        #expect(try !analysed("dim_contact"))
        let c = try w.loader().load(path: try dir.write("c.csv", legacyConversationHeader + "\n"
            + conversation("7", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"))
        #expect(c.inserted == 1)
        for table in ["dim_contact", "dim_user", "fact_conversation"] { #expect(try analysed(table), "\(table)") }
        #expect(try !analysed("fact_message"))
        let m = try w.loader().load(path: try dir.write("m.csv", messageHeader + "\n" + message("1", "2025-03-01 09:00:00") + "\n"))
        #expect(m.inserted == 1)
        #expect(try analysed("fact_message"))
    }

    @Test(arguments: StoreKind.all) func aContactAnotherWriterAddedBetweenTwoFilesIsFoundNotAddedAgain(_ store: StoreKind) throws {
        // On a server, a file reads a small dimension whole (`ServerDimensionKeys`), and the
        // loader forgets that for the next file: a contact another writer added meanwhile is
        // found, not added a second time. The next file reads the contacts whole again when
        // there are few (`others` 0), and looks its contact up when there are more than a
        // file of one message reads whole (`others` 8).
        for others in [0, 8] {
            let w = try dir.warehouse(store, name: "w\(others).db")
            let first = try w.loader()
            let a = first.load(path: try dir.write("m1.csv", messageHeader + "\n" + message("1", "2025-03-01 09:00:00", contact: "c1") + "\n"))
            let names = ["c2"] + (0..<others).map { "o\($0)" }
            let b = try w.loader().load(path: try dir.write("m2.csv", messageHeader + "\n" + names.enumerated().map { i, contact in
                message("2-\(i)", "2025-03-01 09:05:00", contact: contact) + "\n" }.joined()))
            let c = first.load(path: try dir.write("m3.csv", messageHeader + "\n" + message("3", "2025-03-01 09:10:00", contact: "c2") + "\n"))
            #expect([a, b, c].map(\.inserted) == [1, names.count, 1], "\(others)")
            #expect(try w.db.int("SELECT count(*) FROM dim_contact WHERE contact_id = 'c2'") == 1, "\(others)")
            #expect(try w.db.int("SELECT count(*) FROM dim_contact") == Int64(names.count + 1), "\(others)")
            #expect(try w.db.int("SELECT count(DISTINCT contact_key) FROM fact_message WHERE message_id IN ('2-0', '3')") == 1, "\(others)")
        }
    }


    @Test(arguments: StoreKind.all) func aFactWithoutAContactIsKeptUnlessTheWarehouseIsDistributed(_ store: StoreKind) throws {
        // Citus places each fact by its contact: a distributed warehouse rejects one
        // without a Contact ID, by file and line, and keeps the rest of the file.
        let w = try dir.warehouse(store)
        let s = try w.loader().load(path: try dir.write("m.csv", messageHeader + "\n" + message("1", "2025-03-01 09:00:00") + "\n"
            + message("2", "2025-03-01 09:05:00", contact: "") + "\n" + message("3", "2025-03-01 09:10:00") + "\n"))
        #expect(s.error == nil)
        let c = try w.loader().load(path: try dir.write("c.csv", legacyConversationHeader + "\n"
            + conversation("7", "2025-03-01 09:00:00", "2025-03-01 10:00:00", contact: "") + "\n"))
        if store == .citus {
            #expect(s.inserted == 2 && s.rejected == 1 && s.rejects.map(\.line) == [3])
            #expect(s.rejects.first?.reason == "no Contact ID: a warehouse distributed by contact (Citus) keeps every row with its contact")
            #expect(c.inserted == 0 && c.rejected == 1)
            #expect(try w.db.int("SELECT count(*) FROM rejected_rows") == 2)
        } else {
            #expect(s.inserted == 3 && s.rejected == 0 && c.inserted == 1)
        }
    }
}

@Suite struct TieBreakTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    @Test(arguments: StoreKind.all) func sameStartGoesToTheNumericallyLargerID(_ store: StoreKind) throws {
        let w = try dir.warehouse(store)
        let loader = try w.loader()
        // "95…" (17 digits) is larger as text, "10…" (19 digits) as a number. (Not
        // all zeros after the 15th digit: such a column would be IDs a spreadsheet cut.)
        _ = loader.load(path: try dir.write("c.csv", legacyConversationHeader + "\n"
            + conversation("95000000000000017", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"
            + conversation("1000000000000000023", "2025-03-01 09:00:00", "2025-03-01 09:30:00") + "\n"))
        _ = loader.load(path: try dir.write("m.csv", messageHeader + "\n" + message("m1", "2025-03-01 09:10:00") + "\n"
            + message("m2", "2025-03-01 09:40:00") + "\n"))
        let links = try w.db.rows("SELECT message_id, conversation_id FROM messages ORDER BY 1")
        #expect(links == [[.text("m1"), .text("1000000000000000023")], [.text("m2"), .text("95000000000000017")]])
    }

    @Test func naturalIDOrder() {
        #expect(NaturalID.less("95000000000000000", "1000000000000000000"))
        #expect(!NaturalID.less("1000000000000000000", "95000000000000000"))
        #expect(NaturalID.less("9", "10"))
        #expect(NaturalID.less("007", "8"))
        #expect(NaturalID.less("123", "abc"))
        #expect(NaturalID.less("abc", "abd"))
        #expect(!NaturalID.less("5", "5"))
    }
}

@Suite struct DaylightSavingTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    @Test(arguments: StoreKind.all) func localTimesAcrossDSTChanges(_ store: StoreKind) throws {
        let w = try dir.warehouse(store, timeZone: "America/New_York")
        let text = legacyConversationHeader + "\n"
            // Across spring-forward: 01:30 EST to 03:30 EDT is 1 hour of real time.
            + conversation("1", "2025-03-09 01:30:00", "2025-03-09 03:30:00", firstResponse: "2025-03-09 03:10:00") + "\n"
            // A skipped local time is rejected.
            + conversation("2", "2025-03-09 02:30:00", "2025-03-09 03:30:00") + "\n"
            // The repeated hour of fall-back takes the earlier instant (EDT).
            + conversation("3", "2025-11-02 01:30:00", "2025-11-02 01:45:00") + "\n"
            // An explicit offset picks the second 01:30 (EST).
            + conversation("4", "2025-11-02T01:30:00-05:00", "2025-11-02T06:45:00Z") + "\n"
        let s = try w.loader().load(path: try dir.write("c.csv", text))
        #expect(s.inserted == 3 && s.rejected == 1)
        #expect(try w.db.text("SELECT reason FROM rejects")?.contains("nonexistent local time") == true)
        let r = try w.db.rows("SELECT conversation_id, opened_ts, opened_at, first_response_seconds, resolution_seconds FROM conversations ORDER BY 1")
        // Durations derived from timestamps are real elapsed seconds.
        #expect(r[0] == [.text("1"), .integer(1_741_501_800), .text("2025-03-09 01:30:00"), .integer(2400), .integer(3600)])
        #expect(r[1][1] == .integer(1_762_061_400))  // 05:30Z
        #expect(r[2][1] == .integer(1_762_065_000))  // 06:30Z
        #expect(r[2][2] == .text("2025-11-02 01:30:00"))
        #expect(try w.db.int("SELECT first_response_is_derived + resolution_is_derived FROM fact_conversation WHERE conversation_id = '1'") == 2)
        // The date dimension covers every day from the first to the last.
        #expect(try w.db.int("SELECT count(*) FROM dim_date") == 239)
        #expect(try w.db.rows("SELECT weekday, weekday_name, week_start FROM dim_date WHERE date = '2025-03-09'")[0]
                == [.integer(7), .text("Sun"), .text("2025-03-03")])
    }
}
