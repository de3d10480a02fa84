import Foundation
import Testing
@testable import WarehouseCore
@testable import WarehouseGenerator

/// The export generator: deterministic files in the SPEC §1 formats that load
/// cleanly and agree with themselves (message counts, durations).
@Suite struct ExportGeneratorTests {
    static let small = GeneratorOptions(contacts: 200, days: 120, startDate: "2025-03-01", timeZone: "Europe/Berlin", seed: 42)

    func generate(_ options: GeneratorOptions, into dir: TempDir, _ name: String = "out") throws -> (String, [GeneratedFile]) {
        let path = dir.path(name)
        return (path, try ExportGenerator(options: options).write(to: path))
    }

    func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    /// Generates and loads `options` into a fresh warehouse in the same zone.
    func loaded(_ options: GeneratorOptions, _ dir: TempDir) throws -> (Warehouse, [GeneratedFile], [LoadSummary]) {
        let (_, files) = try generate(options, into: dir)
        let warehouse = try dir.warehouse(timeZone: options.timeZone)
        let summaries = try Loader(warehouse: warehouse).load(paths: files.map(\.path))
        return (warehouse, files, summaries)
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        let dir = try TempDir()
        let (a, filesA) = try generate(Self.small, into: dir, "a")
        let (b, _) = try generate(Self.small, into: dir, "b")
        var other = Self.small
        other.seed = 43
        let (c, _) = try generate(other, into: dir, "c")
        #expect(filesA.map(\.name) == ExportGenerator.fileNames)
        for name in ExportGenerator.fileNames {
            let first = try bytes(a + "/" + name)
            #expect(!first.isEmpty, "\(name)")
            #expect(first == (try bytes(b + "/" + name)), "\(name) differs between two runs with the same seed")
        }
        for name in ["contacts.csv", "conversations.csv", "messages.csv"] {
            #expect(try bytes(a + "/" + name) != bytes(c + "/" + name), "\(name) is the same for another seed")
        }
        // Nothing but the six files is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: a).sorted() == ExportGenerator.fileNames.sorted())
    }

    @Test func headersAreRecognisedAndEveryRowLoads() throws {
        let dir = try TempDir()
        let (w, files, summaries) = try loaded(Self.small, dir)
        let expectedKinds: [String: ExportKind] = [
            "users.csv": .users, "channels.csv": .channels, "contacts.csv": .contacts,
            "conversations.csv": .conversations, "messages.csv": .messages, "failed_messages.csv": .failedMessages,
        ]
        for file in files {
            let reader = try CSVReader(path: file.path)
            #expect(try reader.next())
            #expect(ExportKind.recognise(Header(reader.strings)) == expectedKinds[file.name], "\(file.name)")
        }
        for (file, summary) in zip(files, summaries.sortedLike(files)) {
            #expect(summary.error == nil, "\(file.name): \(summary.error ?? "")")
            #expect(summary.kind == expectedKinds[file.name])
            #expect(summary.rejected == 0, "\(file.name): \(summary.rejects)")
            #expect(summary.rowsRead == file.rows, "\(file.name)")
            #expect(summary.inserted == file.rows, "\(file.name): duplicate keys")
        }
        #expect(summaries.first { $0.kind == .conversations }?.form == "current")
        #expect(summaries.first { $0.kind == .messages }?.form == "current")
        #expect(try w.db.int("SELECT count(*) FROM rejected_rows") == 0)

        // Sizes in the expected range, and the variety real exports have.
        let conversations = try #require(try w.db.int("SELECT count(*) FROM conversations"))
        let messages = try #require(try w.db.int("SELECT count(*) FROM messages"))
        #expect(conversations > 100)
        #expect(messages > conversations * 6 && messages < conversations * 14)
        #expect(try w.db.int("SELECT count(DISTINCT user_id) FROM users") ?? 0 >= 20)
        #expect(try w.db.int("SELECT count(*) FROM messages WHERE instr(content_text, char(10)) > 0") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(*) FROM messages WHERE content_raw LIKE '%\"attachment\"%'") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(*) FROM contacts WHERE last_name IS NULL OR last_name = ''") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(*) FROM failed_messages") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(DISTINCT sender_type) FROM messages") ?? 0 >= 7)
        #expect(try w.db.int("SELECT count(*) FROM conversations WHERE closed_by IS NULL AND closed_by_source = 'workflow'") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(DISTINCT opened_by_source) FROM conversations") == 3)
    }

    @Test func messageCountsMatchTheLinkedMessages() throws {
        let dir = try TempDir()
        let (w, _, _) = try loaded(Self.small, dir)
        let rows = try w.db.rows("""
            SELECT c.incoming_messages, c.outgoing_messages,
                   (SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id AND m.direction = 'incoming'),
                   (SELECT count(*) FROM messages m WHERE m.conversation_id = c.conversation_id AND m.direction = 'outgoing')
            FROM conversations c
            """)
        var same = 0
        for r in rows {
            let (incoming, outgoing, linkedIn, linkedOut) = (r[0].int64, r[1].int64, r[2].int64, r[3].int64)
            if incoming == linkedIn && outgoing == linkedOut {
                same += 1
            } else {
                // The only difference: one outgoing message the messages export lacks.
                #expect(incoming == linkedIn && outgoing == linkedOut.map { $0 + 1 })
            }
        }
        #expect(same >= rows.count * 97 / 100, "\(same) of \(rows.count)")
        // Broadcasts fall outside every conversation.
        #expect(try w.db.int("SELECT count(*) FROM messages WHERE sender_type = 'broadcast' AND conversation_id IS NOT NULL") == 0)
        #expect(try w.db.int("SELECT count(*) FROM messages WHERE sender_type = 'broadcast'") ?? 0 > 0)
        // Each conversation's first message is at its start, from the contact, an agent or a workflow.
        #expect(try w.db.int("""
            SELECT count(*) FROM conversations c
            WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.conversation_id AND m.sent_ts = c.opened_ts)
            """) == 0)
    }

    @Test func durationsAgreeWithTimestamps() throws {
        let dir = try TempDir()
        var options = Self.small
        options.timeZone = "Asia/Kuala_Lumpur"  // no repeated hour: every wall time names one instant
        let (w, _, _) = try loaded(options, dir)
        let f = "fact_conversation"
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE resolution_seconds IS NULL OR resolution_is_derived = 1") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE resolution_seconds <> resolved_ts - started_ts") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE first_response_is_derived = 1") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE (first_response_seconds IS NULL) <> (first_response_ts IS NULL)") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE first_response_seconds <> first_response_ts - started_ts") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE time_to_first_assignment_seconds <> first_assignment_ts - started_ts") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE first_assignment_to_close_seconds <> resolved_ts - first_assignment_ts") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE last_assignment_to_close_seconds <> resolved_ts - last_assignment_ts") == 0)
        #expect(try w.db.int("SELECT count(*) FROM \(f) WHERE first_assignment_to_first_response_seconds <> first_response_ts - first_assignment_ts") == 0)
        #expect(try w.db.int("""
            SELECT count(*) FROM \(f)
            WHERE started_ts > first_assignment_ts OR first_assignment_ts > first_response_ts OR first_response_ts > resolved_ts
               OR last_assignment_ts < first_assignment_ts OR last_assignment_ts > resolved_ts
            """) == 0)
        // Every message of a conversation lies in [started, resolved]; a contact's conversations never overlap.
        #expect(try w.db.int("""
            SELECT count(*) FROM messages m JOIN conversations c USING (conversation_id)
            WHERE m.sent_ts < c.opened_ts OR m.sent_ts > c.closed_ts
            """) == 0)
        #expect(try w.db.int("""
            SELECT count(*) FROM fact_conversation a JOIN fact_conversation b
              ON a.contact_key = b.contact_key AND a.conversation_key <> b.conversation_key
             AND a.started_ts <= b.resolved_ts AND b.started_ts <= a.resolved_ts
            """) == 0)
        // Everything closes before the period's end: 120 days from 2025-03-01.
        #expect(try w.db.int("SELECT count(*) FROM conversations WHERE closed_at >= '2025-06-29'") == 0)
        // The long tail: most first responses under 5 minutes, some over an hour; resolutions of days.
        let quickPercent = try w.db.int("SELECT 100 * sum(first_response_seconds < 300) / count(first_response_seconds) FROM fact_conversation")
        #expect(quickPercent ?? 0 > 50)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation WHERE first_response_seconds > 3600") ?? 0 > 0)
        #expect(try w.db.int("SELECT count(*) FROM fact_conversation WHERE resolution_seconds > 86400") ?? 0 > 0)
    }

    /// The files are written in place (a link among them is followed and stays
    /// a link), and the scratch files have names of their own: a file or link
    /// named like one is neither truncated nor removed.
    @Test func theFolderIsWrittenInPlace() throws {
        let dir = try TempDir()
        let out = dir.path("out"), kept = dir.path("kept")
        for folder in [out, kept] { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) }
        let messages = try dir.write("kept/messages.csv", "old\n")
        let precious = try dir.write("kept/precious.txt", "precious\n")
        try FileManager.default.createSymbolicLink(atPath: out + "/messages.csv", withDestinationPath: messages)
        try FileManager.default.createSymbolicLink(atPath: out + "/.conversations.csv.spool", withDestinationPath: precious)
        let mine = try dir.write("out/.messages.csv.spool", "mine\n")
        let files = try ExportGenerator(options: GeneratorOptions(contacts: 20, days: 30, seed: 3)).write(to: out)
        let link = try FileManager.default.attributesOfItem(atPath: out + "/messages.csv")[.type] as? FileAttributeType
        #expect(link == .typeSymbolicLink)
        let written = try String(contentsOfFile: messages, encoding: .utf8)
        #expect(written.hasPrefix(ExportGenerator.messageColumns.joined(separator: ",")), "\(written.prefix(80))")
        #expect(Int64(written.utf8.count) == files.first { $0.name == "messages.csv" }?.bytes)
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == (ExportGenerator.fileNames + [".conversations.csv.spool", ".messages.csv.spool"]).sorted())
    }

    @Test func defaultsAndValidation() throws {
        let defaults = GeneratorOptions()
        #expect(defaults.contacts == 1000 && defaults.days == 365 && defaults.startDate == "2025-01-01")
        #expect(defaults.timeZone == "UTC" && defaults.seed == 1)
        #expect(throws: GeneratorError.self) { try ExportGenerator(options: GeneratorOptions(startDate: "2025-02-30")) }
        #expect(throws: GeneratorError.self) { try ExportGenerator(options: GeneratorOptions(contacts: 0)) }
        #expect(throws: GeneratorError.self) { try ExportGenerator(options: GeneratorOptions(days: 0)) }
        #expect(throws: (any Error).self) { try ExportGenerator(options: GeneratorOptions(timeZone: "Mars/Olympus")) }
    }

    @Test func idPermutationNeverRepeats() {
        var seen = Set<UInt64>()
        for x in UInt64(0)..<5000 {
            let v = IDPermutation.apply(x, below: 10_000, key: 7)
            #expect(v < 10_000)
            seen.insert(v)
        }
        #expect(seen.count == 5000)
    }
}

private extension Array where Element == LoadSummary {
    /// The summaries in the order of `files` (loads run in file-name order).
    func sortedLike(_ files: [GeneratedFile]) -> [LoadSummary] {
        files.compactMap { file in first { $0.fileName == file.name } }
    }
}
