import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

// Issue 6: bad input gets a clear message that names the file (and the line,
// where there is one), nothing already loaded is lost, and the rows of a file
// that loads add up: read = inserted + updated + unchanged + rejected.

private let usersHeader = "User ID,First Name,Last Name,Email,Role,Team"
private let conversationsHeader = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Number of Outgoing Messages,Number of Incoming Messages,DateTime First Response,Conversation Category,Closing Note Summary,Closed By,First Response Time,Resolution Time"
private let messagesHeader = "Date & Time,Sender ID,Sender Type,Contact ID,Message ID,Content Type,Message Type,Content,Channel ID,Type,Sub Type"

private func messageRow(_ id: String, _ time: String, contact: String = "c1", text: String? = nil) -> String {
    "\(time),\(contact),contact,\(contact),\(id),text,message,\"{\"\"type\"\":\"\"text\"\",\"\"text\"\":\"\"\(text ?? "hello \(id)")\"\"}\",ch1,incoming,text"
}

private func conversationRow(_ id: String, _ started: String, _ resolved: String, contact: String = "c1",
                             summary: String = "kept", rt: String = "01:00:00") -> String {
    "\(id),\(started),\(resolved),\(contact),101,1,1,,Billing,\(summary),101,,\(rt)"
}

/// A warehouse holding a first load (users, conversations, messages), and a
/// loader to feed it bad files.
final class BadInputBench {
    let dir: TempDir
    let warehouse: TestWarehouse
    let loader: Loader
    private(set) var contentBefore: [String: [String]] = [:]
    private(set) var recordsBefore: [String: String] = [:]
    private(set) var loadsBefore = 0

    init(_ store: StoreKind, timeZone: String = "UTC") throws {
        dir = try TempDir()
        warehouse = try dir.warehouse(store, timeZone: timeZone)
        loader = try warehouse.loader()
        let first = [
            try dir.write("first_users.csv", usersHeader + "\n101,Ana,Silva,ana@example.com,Agent,Support\n102,Bo,Li,bo@example.com,Agent,Sales\n"),
            try dir.write("first_conversations.csv", conversationsHeader + "\n"
                + conversationRow("9001", "2025-03-01 09:00:00", "2025-03-01 10:00:00") + "\n"
                + conversationRow("9002", "2025-03-02 09:00:00", "2025-03-02 11:00:00", contact: "c2") + "\n"),
            try dir.write("first_messages.csv", messagesHeader + "\n"
                + messageRow("m1", "2025-03-01 09:10:00") + "\n" + messageRow("m2", "2025-03-01 09:20:00") + "\n"
                + messageRow("m3", "2025-03-02 09:30:00", contact: "c2") + "\n" + messageRow("m4", "2025-03-02 10:30:00", contact: "c2") + "\n"),
        ]
        for summary in loader.load(paths: first) {
            guard summary.error == nil, summary.rejected == 0 else { throw WarehouseError("first load: \(summary)") }
        }
        try snapshot()
    }

    func snapshot() throws {
        contentBefore = try content()
        recordsBefore = try records()
        loadsBefore = Int(try warehouse.db.int("SELECT count(*) FROM load_log") ?? 0)
    }

    func path(_ name: String) -> String { dir.path(name) }
    func write(_ name: String, _ text: String) throws -> String { try dir.write(name, text) }
    func write(_ name: String, bytes: [UInt8]) throws -> String { try dir.write(name, bytes: bytes) }

    /// Every row of every table but `load_log`, as text, sorted.
    func content() throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in try warehouse.tables() where name != "load_log" {
            out[name] = try warehouse.db.rows("SELECT * FROM \"\(name)\"").map { r in
                r.map { $0.isNull ? "∅" : $0.description }.joined(separator: "|")
            }.sorted()
        }
        return out
    }

    /// The stored records by natural key, all their columns.
    func records() throws -> [String: String] {
        var out: [String: String] = [:]
        for (table, key) in [("fact_conversation", "conversation_id"), ("fact_message", "message_id"), ("dim_user", "user_id"),
                             ("dim_contact", "contact_id"), ("dim_channel", "channel_id"), ("fact_failed_message", "message_id")] {
            for row in try warehouse.db.rows("SELECT \(key), * FROM \(table)") {
                out["\(table)/\(row[0].description)"] = row.dropFirst().map { $0.isNull ? "∅" : $0.description }.joined(separator: "|")
            }
        }
        return out
    }

    /// Nothing loaded before is lost or changed.
    func expectNothingLost(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let now = try records()
        for (key, row) in recordsBefore.sorted(by: { $0.key < $1.key }) {
            #expect(now[key] == row, "\(key) changed or was lost: \(now[key] ?? "missing") (was \(row))", sourceLocation: sourceLocation)
        }
    }

    /// A file-level error: the message names the file (and `line`), nothing of
    /// the file stayed, and the refusal is in `load_log`.
    func expectRefused(_ s: LoadSummary, path: String, saying words: String, line: Int? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let name = (path as NSString).lastPathComponent
        #expect(s.error != nil, "\(name) should be refused; it loaded: \(s)", sourceLocation: sourceLocation)
        let error = s.error ?? ""
        #expect(error.contains(name), "the message should name the file: \(error)", sourceLocation: sourceLocation)
        #expect(error.contains(words), "the message should say '\(words)': \(error)", sourceLocation: sourceLocation)
        if let line {
            #expect(error.contains("\(name):\(line):") || error.contains("line \(line)"), "the message should name line \(line): \(error)",
                    sourceLocation: sourceLocation)
        }
        #expect(s.inserted == 0 && s.updated == 0 && s.unchanged == 0 && s.rejected == 0, "\(s)", sourceLocation: sourceLocation)
        let now = try content()
        for table in Set(now.keys).union(contentBefore.keys).sorted() where now[table] != contentBefore[table] {
            Issue.record("refusing \(name) changed \(table): \(now[table]?.count ?? 0) rows, was \(contentBefore[table]?.count ?? 0)",
                         sourceLocation: sourceLocation)
        }
        try expectNothingLost(sourceLocation: sourceLocation)
        let log = try warehouse.db.rows("SELECT file_name, status, message FROM load_log ORDER BY load_id")
        #expect(log.count == loadsBefore + 1, sourceLocation: sourceLocation)
        #expect(log.last?[0] == .text(name), sourceLocation: sourceLocation)
        #expect(log.last?[1] == .text("refused") || log.last?[1] == .text("failed"), "\(log.last ?? [])", sourceLocation: sourceLocation)
    }

    /// A file that loads: its rows add up, in the summary and in `load_log`,
    /// and its rejects are recorded with file and line.
    func expectLoaded(_ s: LoadSummary, path: String, read: Int, rejectedLines: [Int: String] = [:],
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let name = (path as NSString).lastPathComponent
        #expect(s.error == nil, "\(name) should load: \(s.error ?? "")", sourceLocation: sourceLocation)
        #expect(s.rowsRead == read, "rows read \(s.rowsRead), the file has \(read) records", sourceLocation: sourceLocation)
        #expect(s.rowsRead == s.inserted + s.updated + s.unchanged + s.rejected,
                "read \(s.rowsRead) ≠ inserted \(s.inserted) + updated \(s.updated) + unchanged \(s.unchanged) + rejected \(s.rejected)",
                sourceLocation: sourceLocation)
        #expect(s.rejected == rejectedLines.count, "\(s.rejects)", sourceLocation: sourceLocation)
        let loadID = try warehouse.db.int("SELECT max(load_id) FROM load_log") ?? 0
        let log = try warehouse.db.rows("SELECT file_name, status, rows_read, rows_inserted, rows_updated, rows_unchanged, rows_rejected FROM load_log WHERE load_id = ?",
                                        [.integer(loadID)]).first ?? []
        #expect(log == [.text(name), .text("loaded"), .integer(Int64(s.rowsRead)), .integer(Int64(s.inserted)), .integer(Int64(s.updated)),
                        .integer(Int64(s.unchanged)), .integer(Int64(s.rejected))], "load_log: \(log)", sourceLocation: sourceLocation)
        let rejects = try warehouse.db.rows("SELECT file_name, line, reason FROM rejected_rows WHERE load_id = ? ORDER BY line", [.integer(loadID)])
        #expect(rejects.count == s.rejected, sourceLocation: sourceLocation)
        for (line, words) in rejectedLines.sorted(by: { $0.key < $1.key }) {
            let row = rejects.first { $0[1] == .integer(Int64(line)) }
            #expect(row?[0] == .text(name), "reject of line \(line) should name \(name): \(rejects)", sourceLocation: sourceLocation)
            #expect(row?[2].description.contains(words) == true, "line \(line) should be rejected for '\(words)': \(rejects)",
                    sourceLocation: sourceLocation)
            #expect(s.rejects.contains { $0.line == line }, "the summary should list line \(line): \(s.rejects)", sourceLocation: sourceLocation)
        }
        try expectNothingLost(sourceLocation: sourceLocation)
    }
}


@Suite struct BadInputTests {
    @Test(arguments: StoreKind.all) func emptyFile(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("empty.csv", "")
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "empty")
    }

    @Test(arguments: StoreKind.all) func onlyABOM(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("bom.csv", bytes: [0xEF, 0xBB, 0xBF])
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "empty")
    }

    @Test(arguments: StoreKind.all) func headerOnly(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("header.csv", messagesHeader + "\r\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 0)
        #expect(s.kind == .messages)
        #expect(try b.content() == b.contentBefore)
    }

    @Test(arguments: StoreKind.all) func binaryFile(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        var random = SeededRandom(seed: 6)
        var bytes = random.bytes(8192)
        bytes[0] = 0x7F  // not a UTF-16 BOM
        bytes[100] = 0
        let path = try b.write("export.csv", bytes: bytes)
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "binary")
    }

    /// A header and good rows, then binary bytes (with NULs) past the first 4 KB
    /// the loader looks at to recognise binary files.
    @Test(arguments: StoreKind.all) func binaryBytesAfterGoodRows(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        var random = SeededRandom(seed: 7)
        var text = messagesHeader + "\n"
        for i in 0..<40 { text += messageRow("bin\(i)", "2025-03-03 09:00:00", contact: "c9") + "\n" }
        var bytes = Array(text.utf8)
        #expect(bytes.count > 4096)
        var garbage = random.bytes(2000)
        for i in stride(from: 0, to: garbage.count, by: 50) { garbage[i] = 0 }
        bytes += garbage + Array("\n".utf8)
        let path = try b.write("messages_tail.csv", bytes: bytes)
        let s = b.loader.load(path: path)
        if s.error != nil {
            try b.expectRefused(s, path: path, saying: "UTF-8", line: 42)
        } else {
            // Or: the binary lines are rejected with their line and the rest loads.
            #expect(s.inserted == 40)
            #expect(s.rowsRead == s.inserted + s.updated + s.unchanged + s.rejected)
            #expect(s.rejected >= 1)
            try b.expectNothingLost()
        }
    }

    /// UTF-16 with its byte-order mark and Windows-1252 (what a spreadsheet
    /// saves) load as UTF-8 would (SpreadsheetTextTests has the rest).
    @Test(arguments: [("utf16le.csv", true), ("utf16be.csv", false)])
    func utf16TextWithBOM(_ name: String, _ littleEndian: Bool) throws {
        let b = try BadInputBench(.file)
        let text = usersHeader + "\r\n201,Zoë,Dubois,zoe@example.com,Agent,Support\r\n"
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 {
            let (lo, hi) = (UInt8(unit & 0xFF), UInt8(unit >> 8))
            bytes += littleEndian ? [lo, hi] : [hi, lo]
        }
        let path = try b.write(name, bytes: bytes)
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 1)
        #expect(s.encoding == (littleEndian ? "UTF-16LE" : "UTF-16BE"))
        #expect(try b.warehouse.db.text("SELECT first_name FROM dim_user WHERE user_id = '201'") == "Zoë")
    }

    /// UTF-16 without its byte-order mark is not a text file a spreadsheet writes: refused as binary.
    @Test(arguments: StoreKind.all) func utf16WithoutItsByteOrderMark(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let bytes = Array((usersHeader + "\n201,Zoë,Dubois,zoe@example.com,Agent,Support\n").utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let path = try b.write("utf16_no_bom.csv", bytes: bytes)
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "binary")
    }

    @Test(arguments: StoreKind.all) func latin1TextWithAccentedNames(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let text = usersHeader + "\n201,Jose,Alves,jose@example.com,Agent,Support\n202,José,Müller,jm@example.com,Agent,Support\n203,Ana,Lima,al@example.com,Agent,Sales\n"
        let path = try b.write("latin1.csv", bytes: Array(text.data(using: .isoLatin1)!))
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 3)
        #expect(s.encoding == "Windows-1252")
        #expect(try b.warehouse.db.text("SELECT last_name FROM dim_user WHERE user_id = '202'") == "Müller")
    }

    @Test(arguments: StoreKind.all) func aTenMegabyteField(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let big = String(repeating: "0123456789", count: 1_000_000)
        let path = try b.write("big_field.csv", messagesHeader + "\n"
            + messageRow("big1", "2025-03-03 09:00:00", contact: "c9", text: big) + "\n"
            + messageRow("big2", "2025-03-03 09:01:00", contact: "c9") + "\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 2)
        #expect(s.inserted == 2)
        #expect(try b.warehouse.db.int("SELECT length(content_text) FROM fact_message WHERE message_id = 'big1'") == 10_000_000)
    }

    @Test(arguments: StoreKind.all) func anUnbalancedQuoteAtTheEndOfTheFile(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("unbalanced.csv", messagesHeader + "\n"
            + messageRow("q1", "2025-03-03 09:00:00", contact: "c9") + "\n"     // line 2
            + messageRow("q2", "2025-03-03 09:01:00", contact: "c9") + "\n"     // line 3
            + "2025-03-03 09:02:00,c1,contact,c1,m1,text,message,\"{\"\"type\"\":\"\"text\"\",\"\"text\"\":\"\"changed, never closed\n")  // line 4
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 3, rejectedLines: [4: "quote"])
        #expect(s.inserted == 2)
    }

    @Test(arguments: StoreKind.all) func aRowWithTooManyFields(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("too_many.csv", messagesHeader + "\n"
            + messageRow("t1", "2025-03-03 09:00:00", contact: "c9") + "\n"
            + messageRow("m2", "2025-03-01 09:20:00", text: "changed") + ",extra\n"   // line 3: a stored message
            + messageRow("t2", "2025-03-03 09:01:00", contact: "c9") + "\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 3, rejectedLines: [3: "wrong number of fields: 12, header has 11"])
        #expect(s.inserted == 2)
    }

    @Test(arguments: StoreKind.all) func aRowWithTooFewFields(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("too_few.csv", messagesHeader + "\n"
            + messageRow("t1", "2025-03-03 09:00:00", contact: "c9") + "\n"
            + "2025-03-01 09:20:00,c1,contact,c1,m2,text,message\n"                        // line 3: a stored message, cut short
            + messageRow("t2", "2025-03-03 09:01:00", contact: "c9") + "\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 3, rejectedLines: [3: "wrong number of fields: 7, header has 11"])
        #expect(s.inserted == 2)
    }

    @Test(arguments: StoreKind.all) func aFileOfNoKnownKind(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("orders.csv", "Order ID,Amount,Customer\n1,20.00,c1\n")
        let s = b.loader.load(path: path)
        try b.expectRefused(s, path: path, saying: "not a known export")
        for kind in ExportKind.allCases { #expect(s.error?.contains(kind.keyColumns) == true, "\(kind)") }
    }

    @Test(arguments: StoreKind.all) func aMissingFile(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = b.path("missing.csv")
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "no such file")
    }

    @Test(arguments: StoreKind.all) func aDirectory(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = b.path("exports")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "is a directory")
    }

    @Test(arguments: StoreKind.all) func aGlobThatMatchedNothing(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        try FileManager.default.createDirectory(atPath: b.path("exports"), withIntermediateDirectories: true)
        let path = b.path("exports/*.csv")
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "a pattern that matched no file")
    }

    @Test(arguments: StoreKind.all) func aLocalTimeThatDoesNotExist(_ store: StoreKind) throws {
        let b = try BadInputBench(store, timeZone: "America/New_York")
        let messages = try b.write("dst_messages.csv", messagesHeader + "\n"
            + messageRow("d1", "2025-03-09 01:59:59", contact: "c9") + "\n"
            + messageRow("m1", "2025-03-09 02:30:00", text: "changed") + "\n"          // line 3: skipped by the clocks
            + messageRow("d2", "2025-03-09 03:00:00", contact: "c9") + "\n")
        try b.expectLoaded(b.loader.load(path: messages), path: messages, read: 3,
                           rejectedLines: [3: "nonexistent local time in Date & Time: '2025-03-09 02:30:00' does not occur in America/New_York"])
        #expect(try b.warehouse.db.rows("SELECT message_id, sent_ts FROM fact_message WHERE message_id IN ('d1', 'd2') ORDER BY 1")
                == [[.text("d1"), .integer(1_741_503_599)], [.text("d2"), .integer(1_741_503_600)]])
        try b.snapshot()
        let conversations = try b.write("dst_conversations.csv", conversationsHeader + "\n"
            + conversationRow("9001", "2025-03-01 09:00:00", "2025-03-09 02:15:00", summary: "changed") + "\n")  // line 2
        try b.expectLoaded(b.loader.load(path: conversations), path: conversations, read: 1,
                           rejectedLines: [2: "nonexistent local time in DateTime Conversation Resolved"])
    }

    @Test(arguments: StoreKind.all) func aDurationThatDoesNotParse(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("durations.csv", conversationsHeader + "\n"
            + conversationRow("9003", "2025-03-03 09:00:00", "2025-03-03 10:00:00", contact: "c9") + "\n"
            + conversationRow("9001", "2025-03-01 09:00:00", "2025-03-01 10:00:00", summary: "changed", rt: "12:75:00") + "\n"  // line 3
            + conversationRow("9004", "2025-03-04 09:00:00", "2025-03-04 10:00:00", contact: "c9", rt: "49:10:05") + "\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 3, rejectedLines: [3: "bad duration in Resolution Time: '12:75:00'"])
        #expect(s.inserted == 2)
        #expect(try b.warehouse.db.int("SELECT resolution_seconds FROM fact_conversation WHERE conversation_id = '9004'") == 177_005)
    }

    // Found by FuzzTests and while writing these tests: each is the smallest case.

    /// A messages file without its `Date & Time` column is refused: the message names the file.
    @Test(arguments: StoreKind.all) func aMessagesFileWithoutItsDateAndTimeColumn(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("no_date.csv", "Message ID,Sender Type,Contact ID\nm9,contact,c9\n")
        try b.expectRefused(b.loader.load(path: path), path: path, saying: "Date & Time")
    }

    /// A record that replaces a stored one counts as updated, never inserted, in
    /// the summary and in `load_log`, whatever the keys of other tables.
    @Test(arguments: StoreKind.all) func aReplacedRecordIsCountedAsUpdated(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let failedHeader = "Date & Time,Message ID,Contact ID,Channel ID,Sender Type,Sender ID,Failure Reason"
        let first = try b.write("failed_a.csv", failedHeader + "\n2025-03-01 09:00:00,f1,c1,ch1,user,101,Rate limit\n")
        #expect(b.loader.load(path: first).inserted == 1)
        let second = try b.write("failed_b.csv", failedHeader + "\n2025-03-01 09:00:00,f1,c1,ch1,user,101,Blocked by contact\n")
        let s = b.loader.load(path: second)
        #expect((s.inserted, s.updated, s.unchanged) == (0, 1, 0), "failed message f1 replaced: \(s.inserted) inserted, \(s.updated) updated")
        #expect(try b.warehouse.db.int("SELECT count(*) FROM fact_failed_message") == 1)
        #expect(try b.warehouse.db.int("SELECT rows_updated FROM load_log WHERE file_name = 'failed_b.csv'") == 1)

        // Messages: four are stored; after a few more loads the load IDs pass their keys.
        for i in 0..<3 { _ = b.loader.load(path: try b.write("empty_\(i).csv", messagesHeader + "\n")) }
        let edited = try b.write("edited.csv", messagesHeader + "\n" + messageRow("m1", "2025-03-01 09:10:00", text: "edited") + "\n")
        let m = b.loader.load(path: edited)
        #expect((m.inserted, m.updated, m.unchanged) == (0, 1, 0), "message m1 replaced: \(m.inserted) inserted, \(m.updated) updated")
        #expect(try b.warehouse.db.int("SELECT count(*) FROM fact_message") == 4)
    }

    /// A user ID is stored once, under one ID, with its teams, however many
    /// `.0` it ends with (the spreadsheet artefact is removed wherever a user ID stands).
    @Test(arguments: StoreKind.all) func aUserIDEndingInPointZeroTwice(_ store: StoreKind) throws {
        let b = try BadInputBench(store)
        let path = try b.write("users_b.csv", usersHeader + "\n5.0.0,Eve,Moreau,eve@example.com,Agent,Support\n")
        let s = b.loader.load(path: path)
        try b.expectLoaded(s, path: path, read: 1)
        #expect(s.inserted == 1)
        let users = try b.warehouse.db.rows("SELECT user_id, in_users_export FROM dim_user WHERE user_id LIKE '5%' ORDER BY user_key")
        #expect(users.count == 1, "one user, not \(users)")
        #expect(try b.warehouse.db.rows("""
            SELECT u.user_id, t.team_name FROM bridge_user_team b JOIN dim_user u USING (user_key) JOIN dim_team t USING (team_key)
            WHERE u.first_name = 'Eve'
            """).count == 1, "Eve's team should be on Eve's row")
    }
}
