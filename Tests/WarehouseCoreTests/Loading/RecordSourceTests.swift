import Foundation
import Testing
@testable import WarehouseCore

/// The seam between sources and the record path: records given as named
/// fields (no CSV) load exactly as the same rows in a file do, rejects included.
@Suite struct RecordSourceTests {
    /// A file's records as named fields (header name → value), with the line
    /// each starts on; a row whose field count differs from the header's has
    /// no named form and is left out.
    func namedRecords(_ path: String) throws -> (records: [[(name: String, value: String)]], lines: [Int]) {
        let reader = try CSVReader(path: path)
        guard try reader.next() else { return ([], []) }
        let header = reader.strings
        var records: [[(name: String, value: String)]] = [], lines: [Int] = []
        while try reader.next() {
            guard reader.fieldCount == header.count && reader.malformation == nil else { continue }
            records.append(zip(header, reader.strings).map { (name: $0, value: $1) })
            lines.append(reader.line)
        }
        return (records, lines)
    }

    /// Every table a load writes, without the columns that say which load wrote a row.
    func contents(_ db: Database) throws -> [String: [[SQLValue]]] {
        var out: [String: [[SQLValue]]] = [:]
        for table in ["fact_conversation", "fact_message", "fact_failed_message", "dim_contact", "dim_user", "dim_channel",
                      "dim_team", "bridge_user_team", "dim_category", "dim_message_source", "dim_message_type", "dim_date",
                      "agg_message_daily", "agg_conversation_messages"] {
            let columns = try db.rows("SELECT name FROM pragma_table_info(?) WHERE name != 'load_id'", [.text(table)]).compactMap { $0[0].string }
            out[table] = try db.rows("SELECT \(columns.joined(separator: ", ")) FROM \(table) ORDER BY 1, 2")
        }
        return out
    }

    @Test func theFixturesAsNamedFieldsLoadAsTheirFilesDo() throws {
        let dir = try TempDir()
        let fromFiles = try dir.warehouse(timeZone: "Asia/Kuala_Lumpur", name: "files.db")
        let fromFields = try dir.warehouse(timeZone: "Asia/Kuala_Lumpur", name: "fields.db")
        let fileLoader = try Loader(warehouse: fromFiles), fieldLoader = try Loader(warehouse: fromFields)
        var compared = 0
        for path in Loader.loadOrder(try Fixtures.exportFiles()) {
            let (records, lines) = try namedRecords(path)
            let file = fileLoader.load(path: path)
            let fields = fieldLoader.load(NamedFieldsSource(name: "request \(compared)", records: records))
            #expect(file.error == nil && fields.error == nil, "\(path): \(file.error ?? fields.error ?? "")")
            #expect(fields.kind == file.kind, "\(path)")
            #expect(fields.form == file.form, "\(path)")
            // Rejects: the same reasons, each at the index of the line it was on in the file.
            let fileRejects = try fromFiles.db.rows("SELECT line, reason FROM rejected_rows WHERE load_id = (SELECT max(load_id) FROM load_log)")
                .compactMap { row -> (Int, String)? in
                    guard let line = lines.firstIndex(of: Int(row[0].int64!)) else { return nil }  // a row with no named form
                    return (line, row[1].string!)
                }
            let fieldRejects = try fromFields.db.rows("SELECT line, reason FROM rejected_rows WHERE load_id = (SELECT max(load_id) FROM load_log)")
                .map { (Int($0[0].int64!), $0[1].string!) }
            #expect(fieldRejects.map(\.0) == fileRejects.map(\.0), "\(path)")
            #expect(fieldRejects.map(\.1) == fileRejects.map(\.1), "\(path)")
            let unreadable = file.rowsRead - records.count
            #expect(fields.rowsRead == records.count)
            #expect(fields.rejected == file.rejected - unreadable, "\(path)")
            #expect([fields.inserted, fields.updated, fields.unchanged] as [Int] == [file.inserted, file.updated, file.unchanged], "\(path)")
            compared += 1
        }
        #expect(try compared == Fixtures.exportFiles().count)
        let (a, b) = (try contents(fromFiles.db), try contents(fromFields.db))
        for table in a.keys.sorted() {
            #expect(a[table]!.count > 0, "\(table) is empty")
            #expect(a[table]! == b[table]!, "\(table) differs")
        }
    }

    @Test func aNamedRecordThatCannotBeReadIsRejectedWithItsIndexAndTouchesNothing() throws {
        let dir = try TempDir()
        let warehouse = try dir.warehouse()
        let loader = try Loader(warehouse: warehouse)
        func message(_ id: String, _ time: String, _ text: String) -> [(name: String, value: String)] {
            [("Message ID", id), ("Date & Time", time), ("Sender ID", "7.0"), ("Sender Type", "user"),
             ("Contact ID", "c1"), ("Content", #"{"type":"text","text":"\#(text)"}"#)]
        }
        let first = loader.load(NamedFieldsSource(name: "request 1", records: [message("m1", "2025-03-01 09:00:00", "hello")]), as: .messages)
        #expect(first.inserted == 1 && first.error == nil)
        let second = loader.load(NamedFieldsSource(name: "request 2", records: [
            message("m2", "2025-03-01 09:05:00", "fine"),
            message("m1", "2025-03-01 25:00:00", "changed"),
            message("m3", "", "no time"),
        ]), as: .messages)
        #expect(second.rowsRead == 3 && second.inserted == 1 && second.rejected == 2)
        #expect(second.rejects == [.init(line: 1, reason: "bad timestamp in Date & Time: '2025-03-01 25:00:00'"),
                                   .init(line: 2, reason: "missing Date & Time")])
        #expect(try warehouse.db.text("SELECT content_text FROM fact_message WHERE message_id = 'm1'") == "hello")
        #expect(try warehouse.db.int("SELECT count(*) FROM rejected_rows WHERE file_name = 'request 2'") == 2)
        // The user ID's `.0` is removed as in a file, and the load is logged under the batch's name.
        #expect(try warehouse.db.text("SELECT sender_id FROM fact_message WHERE message_id = 'm2'") == "7")
        #expect(try warehouse.db.text("SELECT kind FROM load_log WHERE file_name = 'request 2'") == "messages")
    }

    /// The server stores only the first rejects of each request (`rejectsStored`),
    /// however many a source combines, and counts them all; a loader left as it
    /// is (`warehouse load`) stores every reject of a file.
    @Test func theRejectsStoredCanBeLimitedPerRequestAndAreAllStoredOtherwise() throws {
        let dir = try TempDir()
        let warehouse = try dir.warehouse()
        func message(_ id: String, _ time: String) -> [(name: String, value: String)] {
            [("Message ID", id), ("Date & Time", time), ("Sender ID", "7"), ("Sender Type", "user"), ("Contact ID", "c1"), ("Content", "hi")]
        }
        let limited = try Loader(warehouse: warehouse)
        limited.rejectsStored = 3
        let a = NamedFieldsSource(name: "request A", records: (0..<5).map { message("a\($0)", "") })
        let b = NamedFieldsSource(name: "request B", records: [message("b0", ""), message("b1", "2025-03-01 09:00:00"), message("b2", "")])
        let both = limited.load(NamedFieldsSource.combining([a, b], name: "request A +1"), as: .messages)
        #expect(both.error == nil && both.inserted == 1 && both.rejected == 7 && both.rejectsKept == 5)
        #expect(try warehouse.db.rows("SELECT file_name, line FROM rejected_rows ORDER BY file_name, line").map { "\($0[0]):\($0[1])" }
                == ["request A:0", "request A:1", "request A:2", "request B:0", "request B:2"])
        #expect(try warehouse.db.int("SELECT rows_rejected FROM load_log WHERE file_name = 'request A +1'") == 7)

        let file = try dir.write("messages.csv", "Message ID,Date & Time,Sender ID,Sender Type,Contact ID,Content\n"
                                 + (0..<1500).map { "f\($0),not a time,7,user,c1,hi\n" }.joined())
        let all = try Loader(warehouse: warehouse).load(path: file)
        #expect(all.error == nil && all.rejected == 1500 && all.rejectsKept == 1500)
        #expect(try warehouse.db.int("SELECT count(*) FROM rejected_rows WHERE file_name = 'messages.csv'") == 1500)
    }

    @Test func namedRecordsOfNoKnownKindOrWithAColumnTwiceAreRefusedOrRejected() throws {
        let dir = try TempDir()
        let loader = try Loader(warehouse: try dir.warehouse())
        let unknown = loader.load(NamedFieldsSource(name: "request 1", records: [[("Colour", "red")]]))
        #expect(unknown.error?.contains("not a known export") == true)
        let twice = loader.load(NamedFieldsSource(name: "request 2", records: [
            [("Channel ID", "1"), ("Channel Name", "WhatsApp")],
            [("Channel ID", "2"), ("Channel Name", "Mail"), ("channel_name", "E-mail")],
        ]), as: .channels)
        #expect(twice.inserted == 1 && twice.rejects.map(\.line) == [1])
        #expect(twice.rejects.first?.reason.contains("given twice") == true)
    }
}
