import Crypto
import Foundation

struct RowReject: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Loads export files into the warehouse: one transaction per file, natural
/// keys (a later record replaces the stored one), rejected rows recorded with
/// file, line and reason, messages linked to conversations.
public final class Loader {
    public let warehouse: Warehouse
    let db: Database
    let zone: WorkspaceZone
    /// Called now and then with (bytes read, file size) of the file being loaded.
    public var progress: ((Int, Int) -> Void)?
    /// How many rejects a summary keeps in memory (the table keeps all).
    public var rejectsInSummary = 20
    /// The longest record the CSV reader accepts; a longer one fails the file.
    public var maxRecordBytes = CSVReader.defaultMaxRecordBytes

    // Dimension keys by natural value, valid for the current transaction's view
    // of the database; emptied when a file's transaction rolls back.
    private var keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
    /// Whether a message source is outgoing, by key.
    private var outgoingSources = Set<Int64>()
    /// Date keys known to be in `dim_date`.
    private var knownDates: Set<Int> = []

    // Per file.
    private var loadID: Int64 = 0
    private var summary = LoadSummary(path: "")
    private var touchedContacts: Set<Int64> = []
    /// Messages inserted by this file, counted for the daily summary.
    private var messageCounts = MessageCounts()
    /// Date keys of messages this file replaced: their daily summary is redone from the facts.
    private var replacedMessageDays: Set<Int> = []
    /// What this file's inserted and re-linked messages change in `agg_conversation_messages`.
    private var linkCounts = LinkCounts()
    /// The keys of the current record's references, by value position.
    private var referenceKeys = [Int64](repeating: 0, count: 64)

    /// The page cache of a load: 256 MiB (negative: in KiB). A new warehouse's
    /// six files of 3 million messages: the messages' rows 12.9–13.5 s → 11.8 s
    /// against 128 MiB, peak memory 318 → 428 MB (two alternating pairs).
    static let cacheSize = -262_144
    /// A file larger than this (bytes) has its indexes built with a small sort
    /// memory and helper threads (`buildIndexes`).
    static let largeFileBytes = 128 << 20

    public init(warehouse: Warehouse) throws {
        self.warehouse = warehouse
        self.db = warehouse.db
        self.zone = try WorkspaceZone(warehouse.timeZone)
        try db.execute("PRAGMA cache_size = \(Self.cacheSize)")
        // Sorts (index builds, summaries) spill to temporary files rather than
        // grow in memory: memory stays bounded whatever the size of the data.
        try db.execute("PRAGMA temp_store = FILE")
        // The day a replaced message was on before (its summary changes too).
        try db.execute("""
            CREATE TEMP TABLE IF NOT EXISTS replaced_message_days(date_key INTEGER PRIMARY KEY);
            CREATE TEMP TRIGGER IF NOT EXISTS message_replaced
            AFTER UPDATE OF sent_date_key, source_key, channel_key, sender_id, sender_user_key ON main.fact_message
            BEGIN
                -- Not INSERT OR IGNORE: in a trigger the upsert's own conflict handling would apply.
                INSERT INTO replaced_message_days SELECT old.sent_date_key
                WHERE NOT EXISTS (SELECT 1 FROM replaced_message_days WHERE date_key = old.sent_date_key);
            END;
            -- A message replaced by a later export (the upsert sets row_hash; a
            -- re-link sets only conversation_key and is counted by the loader)
            -- moves its count to its new conversation. A count may pass through
            -- a missing row or below 0: the file's own changes are added after its rows.
            CREATE TEMP TRIGGER IF NOT EXISTS message_relinked
            AFTER UPDATE OF row_hash ON main.fact_message
            WHEN old.conversation_key IS NOT new.conversation_key
            BEGIN
                INSERT INTO agg_conversation_messages (conversation_key, linked_messages)
                SELECT key, 0 FROM (SELECT old.conversation_key AS key UNION SELECT new.conversation_key)
                WHERE key IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM agg_conversation_messages WHERE conversation_key = key);
                UPDATE agg_conversation_messages SET linked_messages = linked_messages - 1
                WHERE conversation_key = old.conversation_key;
                UPDATE agg_conversation_messages SET linked_messages = linked_messages + 1
                WHERE conversation_key = new.conversation_key;
            END;
            """)
    }

    /// Files in the order they load: by file name, then by path.
    public static func loadOrder(_ paths: [String]) -> [String] {
        paths.sorted { a, b in
            let (na, nb) = ((a as NSString).lastPathComponent, (b as NSString).lastPathComponent)
            return na == nb ? a < b : na < nb
        }
    }

    /// Loads each file in its own transaction, in `loadOrder`.
    public func load(paths: [String]) -> [LoadSummary] {
        Self.loadOrder(paths).map { load(path: $0) }
    }

    /// Loads one file. Errors are in the summary, never thrown: a file that
    /// fails leaves the warehouse as it was before it.
    public func load(path: String) -> LoadSummary {
        let started = Date()
        summary = LoadSummary(path: path)
        let writeback = Writeback(databasePath: warehouse.path)
        defer { writeback.stop() }
        do {
            try loadFile(path: path, started: started)
        } catch {
            forgetCachedKeys()
            // Every error names the file (SQLite's own, like a full disk, do not).
            let message = "\(error)"
            summary.error = message.hasPrefix(path) ? message : "\(path): \(message)"
            // Nothing of the file stayed: neither its records nor its rejects.
            summary.inserted = 0; summary.updated = 0; summary.unchanged = 0
            summary.rejected = 0; summary.rejects = []
            // The file's transaction is gone; say so in the log.
            try? db.execute(
                "INSERT INTO load_log(file_name, file_path, kind, status, message, rows_read, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [.text(summary.fileName), .text(path), summary.kind.map { .text($0.rawValue) } ?? .null,
                 .text(summary.kind == nil ? "refused" : "failed"), .text(summary.error ?? ""),
                 .integer(Int64(summary.rowsRead)), .text(Self.iso(started)), .text(Self.iso(Date()))])
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    static func iso(_ date: Date) -> String {
        let s = Int64(date.timeIntervalSince1970.rounded(.down))
        return CivilTime.format(wallSeconds: s).replacingOccurrences(of: " ", with: "T") + "Z"
    }

    // MARK: One file

    private func loadFile(path: String, started: Date) throws {
        do {
            try loadFileRows(path: path, started: started)
        } catch let failure as CSVReader.Failure {
            throw WarehouseError("\(path):\(failure.line): \(failure.message); nothing of this file was loaded")
        }
    }

    private func loadFileRows(path: String, started: Date) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WarehouseError(path.contains("*") || path.contains("?")
                ? "\(path): no such file (a pattern that matched no file is passed on as it is: check the folder and the pattern)"
                : "\(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw WarehouseError("\(path): is a directory; name the CSV files in it (for example \(path)/*.csv)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let reader: CSVReader
        do { reader = try CSVReader(path: path, maxRecordBytes: maxRecordBytes) } catch { throw WarehouseError("\(path): cannot read: \(error)") }
        let sha = SHA256Digester()
        reader.onRead = { sha.update($0) }

        let head = try reader.peek(4096)
        guard !head.isEmpty else { throw WarehouseError("\(path): the file is empty (no header row)") }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw WarehouseError("\(path): the file is UTF-16 text; export or save it as UTF-8 CSV")
        }
        if head.contains(0) { throw WarehouseError("\(path): not a CSV text file (it holds binary data)") }

        guard try reader.next() else { throw WarehouseError("\(path): the file is empty (no header row)") }
        let header = Header(reader.strings)
        guard let kind = ExportKind.recognise(header) else {
            throw WarehouseError("\(path): not a known export: its header (\(header.names.prefix(6).joined(separator: ", "))\(header.count > 6 ? ", …" : "")) matches no kind. The kinds and their key columns: \(ExportKind.kindList). Nothing of it was loaded.")
        }
        summary.kind = kind
        let handler = try makeHandler(kind, header: header)

        var stepStart = Date()
        func step(_ name: String) {
            summary.steps.append(.init(name: name, seconds: Date().timeIntervalSince(stepStart)))
            stepStart = Date()
        }
        try db.inTransaction {
            try db.execute("INSERT INTO load_log(file_name, file_path, kind, form, status, started_at) VALUES (?, ?, ?, ?, 'loaded', ?)",
                           [.text(summary.fileName), .text(path), .text(kind.rawValue), summary.form.map(SQLValue.text) ?? .null, .text(Self.iso(started))])
            loadID = db.lastInsertRowID
            touchedContacts = []
            intervals = nil
            let deferredIndexes = try deferIndexes(kind, fileSize: size)
            messageCounts = MessageCounts()
            linkCounts = LinkCounts()
            replacedMessageDays = []
            try db.execute("DELETE FROM temp.replaced_message_days")
            let rejectStatement = try db.cachedStatement("INSERT INTO rejected_rows(load_id, file_name, line, reason, record) VALUES (?, ?, ?, ?, ?)")
            func reject(_ r: PreparedBatch.Reject) throws {
                summary.rejected += 1
                if summary.rejects.count < rejectsInSummary {
                    summary.rejects.append(.init(line: r.line, reason: r.reason))
                }
                try rejectStatement.bind([.integer(loadID), .text(summary.fileName), .integer(Int64(r.line)), .text(r.reason), .text(r.text)])
                try rejectStatement.run()
            }
            let pipeline = RecordPipeline(reader: reader, fieldCount: header.count, zone: try WorkspaceZone(zone.identifier), prepare: handler.prepare)
            defer { pipeline.stop() }
            var lastProgress = Date()
            while let batch = try pipeline.next() {
                try batch.forEach(record: handler.apply, reject: reject)
                summary.rowsRead += batch.records.count + batch.rejects.count
                if let progress, Date().timeIntervalSince(lastProgress) > 0.1 {
                    progress(batch.bytesConsumed, size)
                    lastProgress = Date()
                }
                pipeline.recycle(batch)
            }
            step("rows")
            try finishFile(kind, fileSize: size, deferredIndexes: deferredIndexes, step: step)
            try db.execute("""
                UPDATE load_log SET sha256 = ?, rows_read = ?, rows_inserted = ?, rows_updated = ?, rows_unchanged = ?,
                       rows_rejected = ?, finished_at = ? WHERE load_id = ?
                """, [.text(sha.hexDigest()), .integer(Int64(summary.rowsRead)), .integer(Int64(summary.inserted)),
                      .integer(Int64(summary.updated)), .integer(Int64(summary.unchanged)), .integer(Int64(summary.rejected)),
                      .text(Self.iso(Date())), .integer(loadID)])
        }
        step("commit")
        progress?(size, size)
    }

    /// The record as CSV text (for the rejects table), cut at 2,000 characters.
    static func recordText(_ reader: CSVReader) -> String {
        let text = reader.strings.map { field -> String in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
        return text.count > 2000 ? String(text.prefix(2000)) + "…" : text
    }

    private func forgetCachedKeys() {
        keys = [KeyCache](repeating: KeyCache(), count: Dimension.allCases.count)
        outgoingSources = []; knownDates = []; lastDateKey = 0
    }

    /// After the rows: complete the date dimension, re-link the messages of
    /// contacts whose conversations changed, build the indexes a bulk file
    /// loaded without, and bring the summaries up to date.
    private func finishFile(_ kind: ExportKind, fileSize: Int, deferredIndexes: [String], step: (String) -> Void) throws {
        try fillDateGaps()
        if kind == .conversations && !touchedContacts.isEmpty {
            intervals = nil  // this file changed them
            try relinkMessages(of: touchedContacts)
            step("message links")
            // Before the indexes: its updates then touch only the table.
            try markNewContacts(touchedContacts)
            step("new contacts")
        }
        if !deferredIndexes.isEmpty {
            try buildIndexes(deferredIndexes, largeFile: fileSize > Self.largeFileBytes)
            step("indexes")
        }
        if kind == .messages {
            try summariseMessages()
            step("daily summary")
        }
        if kind == .messages || kind == .conversations {
            try linkCounts.add(to: db)
            // A conversation left with no linked message has no row.
            try db.execute("DELETE FROM agg_conversation_messages WHERE linked_messages = 0")
            step("link counts")
        }
    }

    /// A file with more records than its fact table holds loads without the
    /// table's secondary indexes, which are built again after its rows in the
    /// same transaction (one sort each instead of a B-tree insert per row and
    /// index): 300,000 messages loaded in 3.7 s against 4.5 s; 300,000
    /// conversations, with the new-contact pass before the index builds, in
    /// 5.4 s against 7.5–9.0 s. Returns the SQL that builds them again; empty
    /// when none was dropped.
    private func deferIndexes(_ kind: ExportKind, fileSize: Int) throws -> [String] {
        // Export bytes a record takes, about (generated and fixture exports).
        let (table, bytesPerRecord): (String, Int)
        switch kind {
        case .messages: (table, bytesPerRecord) = ("fact_message", 170)
        case .conversations: (table, bytesPerRecord) = ("fact_conversation", 300)
        default: return []
        }
        // The largest key bounds the rows stored without counting them (a scan of the table).
        let stored = try db.int64("SELECT coalesce(max(rowid), 0) FROM \(table)")
        guard stored < Int64(fileSize / bytesPerRecord) else { return [] }
        // The indexes as the schema made them (not those of UNIQUE constraints).
        let indexes = try db.rows("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                                  [.text(table)])
        var sql: [String] = []
        for index in indexes {
            guard let name = index[0].string, let create = index[1].string else { continue }
            try db.execute("DROP INDEX \(name)")
            sql.append(create)
        }
        return sql
    }

    /// Builds indexes again after a bulk file. For a file larger than 128 MiB
    /// (its table, mostly this file's rows, is then about as large), SQLite's
    /// sorter gets 16 MiB instead of the whole cache: it then sorts the keys as
    /// several runs on helper threads (the reading thread is idle by then, so
    /// the second core takes a share) and merges them. Building the messages'
    /// contact index over 3 million rows: 4.0–4.8 s → 2.1–2.3 s; the seven
    /// indexes of 600,000 conversations: 6.6 s with a 256 MiB cache, 6.0 s so.
    /// A smaller table keeps the whole cache, which holds it for every index.
    private func buildIndexes(_ sql: [String], largeFile: Bool) throws {
        if largeFile {
            try db.execute("PRAGMA threads = 2; PRAGMA cache_size = -16384")
        }
        defer { if largeFile { try? db.execute("PRAGMA threads = 0; PRAGMA cache_size = \(Self.cacheSize)") } }
        for create in sql { try db.execute(create) }
    }

    /// Brings `agg_message_daily` up to date with the file's messages. The days
    /// of replaced messages (the day they were on and the day they are on now)
    /// are redone from the facts, days close together as one range of the
    /// `sent_ts` index; the counts of inserted messages are added to the others.
    private func summariseMessages() throws {
        var days = replacedMessageDays
        for row in try db.rows("SELECT date_key FROM temp.replaced_message_days") {
            if let key = row[0].int64 { days.insert(Int(key)) }
        }
        var ranges: [ClosedRange<Int>] = []
        for day in days.map(Self.dayNumber).sorted() {
            if let last = ranges.last, day - last.upperBound <= 7 {
                ranges[ranges.count - 1] = last.lowerBound...day
            } else {
                ranges.append(day...day)
            }
        }
        let delete = try db.prepare("DELETE FROM agg_message_daily WHERE sent_date_key BETWEEN ? AND ?")
        let insert = try db.prepare("""
            INSERT INTO agg_message_daily (sent_date_key, source_key, channel_key, sender_id, sender_user_key, messages)
            SELECT m.sent_date_key, m.source_key, m.channel_key,
                   CASE WHEN s.direction = 'outgoing' THEN m.sender_id END, m.sender_user_key, count(*)
            FROM fact_message m
            JOIN dim_message_source s ON s.source_key = m.source_key
            WHERE m.sent_ts >= ? AND m.sent_ts < ?
            GROUP BY 1, 2, 3, 4, 5
            """)
        for range in ranges {
            try delete.bind([.integer(Int64(CivilTime.dateKey(days: range.lowerBound))), .integer(Int64(CivilTime.dateKey(days: range.upperBound)))])
            try delete.run()
            try insert.bind([.integer(ReportParameters.startOf(day: range.lowerBound, in: zone)),
                             .integer(ReportParameters.startOf(day: range.upperBound + 1, in: zone))])
            try insert.run()
        }
        try messageCounts.add(to: db) { dateKey in
            let day = Self.dayNumber(dateKey)
            return ranges.contains { $0.contains(day) }
        }
    }

    static func dayNumber(_ dateKey: Int) -> Int {
        CivilTime.days(year: dateKey / 10000, month: dateKey / 100 % 100, day: dateKey % 100)
    }

    /// Marks which conversations of `contacts` are their contact's first known
    /// to the warehouse (earliest start, ties by ID as in `natural_id`).
    /// Read in one pass and decided here: a window function over the same rows
    /// sorted every conversation by contact, start and ID (300,000: 1.1 s).
    private func markNewContacts(_ contacts: Set<Int64>) throws {
        struct First { var started: Int64; var key: Int64; var id: String }
        var first: [Int64: First] = [:]
        var flagged: [Int64: Bool] = [:]  // conversation key -> is_new_contact as stored
        // All conversations when most contacts were touched, else contact by contact.
        let all = try db.int64("SELECT count(*) FROM dim_contact") < Int64(contacts.count) * 4
        let rows = try db.prepare(all
            ? "SELECT contact_key, started_ts, conversation_key, is_new_contact, conversation_id FROM fact_conversation WHERE contact_key IS NOT NULL"
            : "SELECT contact_key, started_ts, conversation_key, is_new_contact, conversation_id FROM fact_conversation WHERE contact_key = ?")
        func scan() throws {
            while try rows.step() {
                let contact = rows.int64(at: 0)
                guard all ? contacts.contains(contact) : true else { continue }
                let key = rows.int64(at: 2)
                flagged[key] = rows.int64(at: 3) != 0
                guard !rows.isNull(at: 1) else { continue }  // no start: never the first
                let started = rows.int64(at: 1)
                if let best = first[contact] {
                    if started > best.started { continue }
                    let id = rows.string(at: 4) ?? ""
                    if started == best.started && !NaturalID.less(id, best.id) { continue }
                    first[contact] = First(started: started, key: key, id: id)
                } else {
                    first[contact] = First(started: started, key: key, id: rows.string(at: 4) ?? "")
                }
            }
        }
        if all {
            try scan()
        } else {
            for contact in contacts {
                rows.reset()
                rows.bindInt(1, contact)
                try scan()
            }
        }
        let newKeys = Set(first.values.map(\.key))
        let update = try db.prepare("UPDATE fact_conversation SET is_new_contact = ? WHERE conversation_key = ?")
        for (key, stored) in flagged where stored != newKeys.contains(key) {
            update.bindInt(1, stored ? 0 : 1)
            update.bindInt(2, key)
            try update.run()
        }
        try db.execute("UPDATE fact_conversation SET is_new_contact = 1 WHERE contact_key IS NULL AND is_new_contact = 0")
    }

    // MARK: Handlers

    /// How one kind of file loads: `prepare` reads a record into values on the
    /// reading thread (no database there); `apply` writes them on this one.
    struct Handler {
        let prepare: RecordPipeline.Prepare
        let apply: (PreparedRecord) throws -> Void
    }

    private func makeHandler(_ kind: ExportKind, header: Header) throws -> Handler {
        let columns = Columns(header: header)
        switch kind {
        case .conversations:
            summary.form = header.contains("firstassignee") || header.contains("closedbyteam")
                || header.contains("openedbysource") || header.contains("numberofresponses") ? "current" : "legacy"
            return try conversationHandler(columns)
        case .messages:
            summary.form = header.contains("channelid") ? "current" : "legacy"
            try columns.require("date&time", as: "Date & Time", in: kind)
            return try messageHandler(columns)
        case .failedMessages: return try failedMessageHandler(columns)
        case .contacts: return try contactHandler(columns)
        case .users: return try userHandler(columns)
        case .channels: return try channelHandler(columns)
        }
    }

    /// Binds a prepared record's values from parameter 1 on, references as their
    /// dimension keys (kept in `referenceKeys` by position), and returns the
    /// next parameter's index. The text is bound in place: the batch outlives the step.
    private func bindValues(_ record: PreparedRecord, to statement: Statement) throws -> Int32 {
        var index: Int32 = 1
        for i in 0..<record.valueCount {
            let value = record.value(i)
            switch value.tag {
            case .null: statement.bindNull(index)
            case .int: statement.bindInt(index, value.payload)
            case .date:
                try noteDate(Int(value.payload))
                statement.bindInt(index, value.payload)
            case .text: statement.bindStaticText(index, record.bytes(of: value))
            case .reference:
                let key = try referenceKey(value.dimension, record.bytes(of: value), hash: value.keyHash)
                referenceKeys[i] = key
                statement.bindInt(index, key)
            }
            index += 1
        }
        return index
    }

    /// The dimension key a reference value got in `bindValues`; nil when NULL.
    private func boundKey(_ record: PreparedRecord, _ i: Int) -> Int64? {
        record.value(i).tag == .reference ? referenceKeys[i] : nil
    }

    /// Looks up the stored (key, hash, extra) of a natural key.
    private func existing(_ lookup: Statement, key: UnsafeBufferPointer<UInt8>) throws -> (key: Int64, hash: Int64, extra: Int64?)? {
        lookup.reset()
        lookup.bindText(1, key)
        defer { lookup.reset() }
        guard try lookup.step() else { return nil }
        return (lookup.int64(at: 0), lookup.int64(at: 1), lookup.isNull(at: 2) ? nil : lookup.int64(at: 2))
    }

    /// Writes a bound upsert (its row hash and load id at `index`) unless the
    /// stored record is identical, and counts it. A stub (a dimension row made
    /// from a reference, not from its own export) being filled in counts as an
    /// insert. Returns whether it wrote.
    @discardableResult
    private func write(_ statement: Statement, at index: Int32, record: PreparedRecord,
                       existing: (key: Int64, hash: Int64, extra: Int64?)?, isStub: Bool = false) throws -> Bool {
        let hash = Int64(bitPattern: record.hash)
        statement.bindInt(index, hash)
        statement.bindInt(index + 1, loadID)
        defer { statement.reset() }
        if let existing, !isStub, existing.hash == hash {
            summary.unchanged += 1
            return false
        }
        try statement.run()
        if existing == nil || isStub { summary.inserted += 1 } else { summary.updated += 1 }
        return true
    }

    enum Written { case unchanged, inserted, updated }

    /// Runs a bound `upsertUnlessUnchangedSQL` statement (its row hash and load
    /// id at `index`) and counts what it did: no change is an unchanged record;
    /// SQLite sets the last insert rowid on an insert and leaves it on the
    /// upsert's update, so with it set to 0 (no row has rowid 0) beforehand, a
    /// rowid afterwards means an insert. One statement instead of a look-up and
    /// a write (200,000 new messages: 3.80 s against 3.89 s; reloaded unchanged: 2.93 s).
    private func writeUnlessUnchanged(_ statement: Statement, at index: Int32, record: PreparedRecord) throws -> Written {
        statement.bindInt(index, Int64(bitPattern: record.hash))
        statement.bindInt(index + 1, loadID)
        db.lastInsertRowID = 0
        try statement.run()
        guard db.changes > 0 else {
            summary.unchanged += 1
            return .unchanged
        }
        if db.lastInsertRowID != 0 {
            summary.inserted += 1
            return .inserted
        }
        summary.updated += 1
        return .updated
    }

    private func conversationHandler(_ c: Columns) throws -> Handler {
        let idKey = c["conversationid"], started = c["datetimeconversationstarted"], resolved = c["datetimeconversationresolved"]
        let contact = c["contactid"], assignee = c["assignee"], outgoing = c["numberofoutgoingmessages"], incoming = c["numberofincomingmessages"]
        let firstResponse = c["datetimefirstresponse"], category = c["conversationcategory"], summaryColumn = c["closingnotesummary"]
        let closedBy = c["closedby"], frt = c["firstresponsetime"], rt = c["resolutiontime"], firstAssignee = c["firstassignee"]
        let closedBySource = c["closedbysource"], closedByTeam = c["closedbyteam"], openedBySource = c["openedbysource"]
        let openedByChannel = c["openedbychannel"], firstAssignment = c["firstassignmenttimestamp"], firstResponseBy = c["firstresponseby"]
        let lastAssignment = c["lastassignmenttimestamp"], lastAssignee = c["lastassignee"]
        let durations = ["timetofirstassignment", "firstassignmenttofirstresponsetime", "lastassignmenttoresponsetime",
                         "firstassignmenttoclosetime", "lastassignmenttoclosetime", "averageresponsetime"].map { c[$0] }
        let assignments = c["numberofassignments"], responses = c["numberofresponses"]
        let people = [assignee, firstAssignee, lastAssignee, closedBy, firstResponseBy]
        let form = summary.form ?? "current"

        let upsert = try db.cachedStatement(upsertSQL(table: "fact_conversation", columns: [
            "conversation_id", "export_form", "contact_key",
            "started_ts", "started_local", "started_date_key", "started_hour",
            "resolved_ts", "resolved_local", "resolved_date_key", "resolved_hour",
            "first_response_ts", "first_response_local",
            "assignee_user_key", "first_assignee_user_key", "last_assignee_user_key", "closed_by_user_key", "first_response_by_user_key",
            "outgoing_messages", "incoming_messages", "category_key", "closing_note_summary",
            "closed_by_source", "closed_by_team_key", "opened_by_source", "opened_by_channel_key",
            "first_assignment_ts", "first_assignment_local", "last_assignment_ts", "last_assignment_local",
            "first_response_seconds", "first_response_is_derived", "resolution_seconds", "resolution_is_derived",
            "time_to_first_assignment_seconds", "first_assignment_to_first_response_seconds", "last_assignment_to_response_seconds",
            "first_assignment_to_close_seconds", "last_assignment_to_close_seconds", "average_response_seconds",
            "number_of_assignments", "number_of_responses", "row_hash", "load_id", "is_new_contact",
        ], conflict: "conversation_id"))
        let lookup = try db.cachedStatement("SELECT conversation_key, row_hash, contact_key FROM fact_conversation WHERE conversation_id = ?")
        let contactValue = 2  // position of the contact reference
        // Into an empty table, a contact's first row in the file is stored as its
        // first conversation: `markNewContacts` then only corrects the rows of a
        // file not in start order, instead of writing every contact's first row
        // again (300,000 conversations: that step 0.55–1.1 s → 0.3 s).
        let tableWasEmpty = try db.int64("SELECT NOT EXISTS (SELECT 1 FROM fact_conversation)") == 1

        return Handler(prepare: { r, w in
            let zone = w.zone
            let id = try c.key(r, idKey)
            // Read and check every value before anything is written.
            let startedTs = try Self.instant(r, started, c, zone)
            let resolvedTs = try Self.instant(r, resolved, c, zone)
            let firstResponseTs = try Self.instant(r, firstResponse, c, zone)
            let firstAssignmentTs = try Self.instant(r, firstAssignment, c, zone)
            let lastAssignmentTs = try Self.instant(r, lastAssignment, c, zone)
            let exportFRT = try Self.duration(r, frt, c)
            let exportRT = try Self.duration(r, rt, c)
            let otherDurations = try durations.map { try Self.duration(r, $0, c) }
            let outgoingCount = try Self.count(r, outgoing, c), incomingCount = try Self.count(r, incoming, c)
            let assignmentCount = try Self.count(r, assignments, c), responseCount = try Self.count(r, responses, c)

            // Blank in the export but both timestamps there: real elapsed seconds
            // (never negative: a start after the event leaves it NULL).
            func elapsed(_ to: Int64?) -> Int64? {
                guard let startedTs, let to, to >= startedTs else { return nil }
                return to - startedTs
            }
            let derivedFRT = exportFRT == nil ? elapsed(firstResponseTs) : nil
            let derivedRT = exportRT == nil ? elapsed(resolvedTs) : nil

            w.text(id)
            w.text(form)
            w.reference(.contact, FieldParsing.trimmed(c.field(r, contact)))
            w.instant(startedTs, withDate: true)
            w.instant(resolvedTs, withDate: true)
            w.instant(firstResponseTs, withDate: false)
            for person in people {
                w.reference(.user, FieldParsing.userID(c.field(r, person)))
            }
            w.int(outgoingCount)
            w.int(incomingCount)
            w.reference(.category, FieldParsing.trimmed(c.field(r, category)))
            w.text(c.field(r, summaryColumn))
            w.text(FieldParsing.trimmed(c.field(r, closedBySource)))
            w.reference(.team, FieldParsing.trimmed(c.field(r, closedByTeam)))
            w.text(FieldParsing.trimmed(c.field(r, openedBySource)))
            w.reference(.channel, FieldParsing.trimmed(c.field(r, openedByChannel)))
            w.instant(firstAssignmentTs, withDate: false)
            w.instant(lastAssignmentTs, withDate: false)
            w.int(exportFRT ?? derivedFRT)
            w.int(Int64(derivedFRT == nil ? 0 : 1))
            w.int(exportRT ?? derivedRT)
            w.int(Int64(derivedRT == nil ? 0 : 1))
            for d in otherDurations { w.int(d) }
            w.int(assignmentCount)
            w.int(responseCount)
        }, apply: { [unowned self] record in
            let next = try bindValues(record, to: upsert)
            let contactKey = boundKey(record, contactValue)
            let firstSeen = tableWasEmpty && contactKey.map { !touchedContacts.contains($0) } ?? false
            upsert.bindInt(next + 2, firstSeen ? 1 : 0)
            let stored = try existing(lookup, key: record.bytes(0))
            if try write(upsert, at: next, record: record, existing: stored) {
                if let contactKey { touchedContacts.insert(contactKey) }
                if let old = stored?.extra { touchedContacts.insert(old) }
            }
        })
    }

    private func messageHandler(_ c: Columns) throws -> Handler {
        let idKey = c["messageid"], time = c["date&time"], senderID = c["senderid"], senderType = c["sendertype"]
        let contact = c["contactid"], contentType = c["contenttype"], messageType = c["messagetype"], content = c["content"]
        let channel = c["channelid"], type = c["type"], subType = c["subtype"]
        let upsert = try db.cachedStatement(upsertUnlessUnchangedSQL(table: "fact_message", columns: [
            "message_id", "sent_ts", "sent_local", "sent_date_key", "sent_hour", "contact_key", "source_key",
            "sender_id", "sender_user_key", "message_type_key", "channel_key", "content_raw", "content_text",
            "conversation_key", "row_hash", "load_id",
        ], conflict: "message_id"))
        // Positions of the values the writing side reads back.
        let sentValue = 1, dateValue = 3, contactValue = 5, sourceValue = 6, senderValue = 7, userValue = 8, channelValue = 10

        return Handler(prepare: { r, w in
            let id = try c.key(r, idKey)
            guard let sentTs = try Self.instant(r, time, c, w.zone) else { throw RowReject("missing \(c.name(time))") }
            let source = Self.lowercased(FieldParsing.trimmed(c.field(r, senderType)))
            let sender = FieldParsing.userID(c.field(r, senderID))
            w.text(id)
            w.instant(sentTs, withDate: true)
            w.reference(.contact, FieldParsing.trimmed(c.field(r, contact)))
            w.reference(.source, source)
            w.text(sender)
            if source == "user" { w.reference(.user, sender) } else { w.null() }
            w.reference(.messageType, Self.messageTypeValue([contentType, messageType, type, subType].map { c.field(r, $0) }))
            w.reference(.channel, FieldParsing.trimmed(c.field(r, channel)))
            let raw = c.field(r, content)
            w.text(raw)
            w.text(raw.isEmpty ? nil : MessageContent.text(of: raw))
        }, apply: { [unowned self] record in
            var next = try bindValues(record, to: upsert)
            // The link is derived, not part of the record: bound without hashing.
            let contactKey = boundKey(record, contactValue)
            let link = try contactKey.flatMap { try conversationOf(contact: $0, at: record.int(sentValue)!) }
            if let link { upsert.bindInt(next, link) } else { upsert.bindNull(next) }
            next += 1
            let dateKey = Int(record.int(dateValue)!)
            switch try writeUnlessUnchanged(upsert, at: next, record: record) {
            case .unchanged: break
            case .updated: replacedMessageDays.insert(dateKey)
            case .inserted:
                if let link { linkCounts.add(link, 1) }
                let sourceKey = boundKey(record, sourceValue)!
                messageCounts.add(date: dateKey, source: sourceKey, channel: boundKey(record, channelValue),
                                  sender: outgoingSources.contains(sourceKey) ? record.bytes(senderValue) : nil,
                                  user: boundKey(record, userValue))
            }
        })
    }

    /// The conversation a message belongs to: the contact's conversation whose
    /// [started, resolved] interval holds the message time, ends included; where
    /// two do, the later-started one (then the larger conversation ID, all-digit
    /// IDs compared as numbers).
    private func conversationOf(contact: Int64, at time: Int64) throws -> Int64? {
        if intervals == nil { intervals = try ConversationIntervals(db) }
        return intervals!.conversation(contact: contact, at: time)
    }

    /// Every conversation's interval by contact, read once per file that links
    /// messages: a look-up in memory per message instead of a query.
    private var intervals: ConversationIntervals?

    /// Re-links the messages of `contacts` after their conversations changed.
    private func relinkMessages(of contacts: Set<Int64>) throws {
        guard try db.int64("SELECT EXISTS (SELECT 1 FROM fact_message)") == 1 else { return }
        let messages = try db.prepare("SELECT message_key, sent_ts, conversation_key FROM fact_message WHERE contact_key = ?")
        let update = try db.prepare("UPDATE fact_message SET conversation_key = ? WHERE message_key = ?")
        for contact in contacts {
            messages.reset()
            messages.bindInt(1, contact)
            var changes: [(Int64, Int64?)] = []
            while try messages.step() {
                let old: Int64? = messages.isNull(at: 2) ? nil : messages.int64(at: 2)
                let new = try conversationOf(contact: contact, at: messages.int64(at: 1))
                if new != old {
                    changes.append((messages.int64(at: 0), new))
                    if let old { linkCounts.add(old, -1) }
                    if let new { linkCounts.add(new, 1) }
                }
            }
            for (message, conversation) in changes {
                update.reset()
                try update.bind([conversation.map(SQLValue.integer) ?? .null, .integer(message)])
                try update.run()
            }
        }
    }

    private func failedMessageHandler(_ c: Columns) throws -> Handler {
        let idKey = c["messageid"], time = c["date&time"], contact = c["contactid"], channel = c["channelid"]
        let senderType = c["sendertype"], senderID = c["senderid"], reason = c["failurereason"]
        let upsert = try db.cachedStatement(upsertUnlessUnchangedSQL(table: "fact_failed_message", columns: [
            "message_id", "failed_ts", "failed_local", "failed_date_key", "failed_hour", "contact_key", "channel_key",
            "source_key", "sender_id", "sender_user_key", "failure_reason", "row_hash", "load_id",
        ], conflict: "message_id"))
        return Handler(prepare: { r, w in
            let id = try c.key(r, idKey)
            let failedTs = try Self.instant(r, time, c, w.zone)
            let source = Self.lowercased(FieldParsing.trimmed(c.field(r, senderType)))
            let sender = FieldParsing.userID(c.field(r, senderID))
            w.text(id)
            w.instant(failedTs, withDate: true)
            w.reference(.contact, FieldParsing.trimmed(c.field(r, contact)))
            w.reference(.channel, FieldParsing.trimmed(c.field(r, channel)))
            if source.isEmpty { w.null() } else { w.reference(.source, source) }
            w.text(sender)
            if source == "user" { w.reference(.user, sender) } else { w.null() }
            w.text(c.field(r, reason))
        }, apply: { [unowned self] record in
            let next = try bindValues(record, to: upsert)
            _ = try writeUnlessUnchanged(upsert, at: next, record: record)
        })
    }

    /// The contact columns the export defines; any other column is a custom field.
    static let contactColumns: Set<String> = [
        "contactid", "firstname", "lastname", "phonenumber", "email", "country", "language", "tags",
        "status", "lifecycle", "assignee", "lastinteractiontime", "datetimecreated", "channels",
    ]

    private func contactHandler(_ c: Columns) throws -> Handler {
        let idKey = c["contactid"]
        let plain = ["firstname", "lastname", "phonenumber", "email", "country", "language", "tags", "status", "lifecycle"].map { c[$0] }
        let assignee = c["assignee"], lastInteraction = c["lastinteractiontime"], created = c["datetimecreated"], channels = c["channels"]
        let custom = c.header.names.indices.filter { !Self.contactColumns.contains(Header.normalise(c.header.names[$0])) }
        let upsert = try db.cachedStatement(upsertSQL(table: "dim_contact", columns: [
            "contact_id", "first_name", "last_name", "phone_number", "email", "country", "language", "tags", "status", "lifecycle",
            "assignee_user_key", "last_interaction_ts", "last_interaction_local", "created_ts", "created_local", "channels",
            "custom_fields", "in_contacts_export", "row_hash", "load_id",
        ], conflict: "contact_id"))
        let lookup = try db.cachedStatement("SELECT contact_key, coalesce(row_hash, 0), in_contacts_export FROM dim_contact WHERE contact_id = ?")
        return Handler(prepare: { r, w in
            let id = try c.key(r, idKey)
            let lastInteractionTs = try Self.instant(r, lastInteraction, c, w.zone)
            let createdTs = try Self.instant(r, created, c, w.zone)
            var customFields: [(String, String)] = []
            for i in custom where !FieldParsing.trimmed(r.field(i)).isEmpty {
                customFields.append((c.header.names[i], r.string(i)))
            }
            w.text(id)
            for column in plain { w.text(c.field(r, column)) }
            w.reference(.user, FieldParsing.userID(c.field(r, assignee)))
            w.instant(lastInteractionTs, withDate: false)
            w.instant(createdTs, withDate: false)
            w.text(FieldParsing.trimmed(c.field(r, channels)))
            w.text(customFields.isEmpty ? nil : JSONText.object(customFields))
            w.int(1)
        }, apply: { [unowned self] record in
            let next = try bindValues(record, to: upsert)
            let id = record.bytes(0)
            let stored = try existing(lookup, key: id)
            try write(upsert, at: next, record: record, existing: stored, isStub: stored?.extra == 0)
            if stored == nil { keys[Dimension.contact.index].set(id, hash: KeyCache.hash(id), key: db.lastInsertRowID) }
        })
    }

    private func userHandler(_ c: Columns) throws -> Handler {
        let idKey = c["userid"], first = c["firstname"], last = c["lastname"], email = c["email"], role = c["role"], team = c["team"]
        let upsert = try db.cachedStatement(upsertSQL(table: "dim_user", columns: [
            "user_id", "first_name", "last_name", "email", "role", "teams", "in_users_export", "row_hash", "load_id",
        ], conflict: "user_id"))
        let lookup = try db.cachedStatement("SELECT user_key, coalesce(row_hash, 0), in_users_export FROM dim_user WHERE user_id = ?")
        let clearTeams = try db.cachedStatement("DELETE FROM bridge_user_team WHERE user_key = ?")
        let addTeam = try db.cachedStatement("INSERT OR IGNORE INTO bridge_user_team(user_key, team_key, position) VALUES (?, ?, ?)")
        let teamsValue = 5
        return Handler(prepare: { r, w in
            let id = FieldParsing.withoutPointZero(try c.key(r, idKey))
            let teams = String(decoding: c.field(r, team), as: UTF8.self)
                .split(separator: ";").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
            w.text(id)
            w.text(FieldParsing.trimmed(c.field(r, first)))
            w.text(FieldParsing.trimmed(c.field(r, last)))
            w.text(FieldParsing.trimmed(c.field(r, email)))
            w.text(FieldParsing.trimmed(c.field(r, role)))
            w.text(teams.joined(separator: ";"))
            w.int(1)
        }, apply: { [unowned self] record in
            let next = try bindValues(record, to: upsert)
            let id = record.bytes(0)
            let stored = try existing(lookup, key: id)
            guard try write(upsert, at: next, record: record, existing: stored, isStub: stored?.extra == 0) else { return }
            let hash = KeyCache.hash(id)
            let key = try stored?.key ?? referenceKey(.user, id, hash: hash)
            keys[Dimension.user.index].set(id, hash: hash, key: key)
            clearTeams.reset(); clearTeams.bindInt(1, key); try clearTeams.run()
            let teams = String(decoding: record.bytes(teamsValue), as: UTF8.self).split(separator: ";")
            for (position, name) in teams.enumerated() {
                let teamKey = try referenceKey(.team, String(name))
                addTeam.reset()
                addTeam.bindInt(1, key); addTeam.bindInt(2, teamKey); addTeam.bindInt(3, Int64(position + 1))
                try addTeam.run()
            }
        })
    }

    private func channelHandler(_ c: Columns) throws -> Handler {
        let idKey = c["channelid"], name = c["channelname"], type = c["channeltype"]
        let upsert = try db.cachedStatement(upsertSQL(table: "dim_channel", columns: [
            "channel_id", "channel_name", "channel_type", "in_channels_export", "row_hash", "load_id",
        ], conflict: "channel_id"))
        let lookup = try db.cachedStatement("SELECT channel_key, coalesce(row_hash, 0), in_channels_export FROM dim_channel WHERE channel_id = ?")
        return Handler(prepare: { r, w in
            w.text(try c.key(r, idKey))
            w.text(FieldParsing.trimmed(c.field(r, name)))
            w.text(FieldParsing.trimmed(c.field(r, type)))
            w.int(1)
        }, apply: { [unowned self] record in
            let next = try bindValues(record, to: upsert)
            let id = record.bytes(0)
            let stored = try existing(lookup, key: id)
            try write(upsert, at: next, record: record, existing: stored, isStub: stored?.extra == 0)
            if stored == nil { keys[Dimension.channel.index].set(id, hash: KeyCache.hash(id), key: db.lastInsertRowID) }
        })
    }

    // MARK: Values (on the reading thread)

    /// Instants from 1970 to 2199 (UTC): a year outside is a typo (a year 9025
    /// would make the date dimension 2.5 million days long), and is rejected.
    static let plausibleInstants: Range<Int64> = 0..<7_258_118_400

    /// A timestamp column as a UTC instant; nil when blank.
    static func instant(_ r: CSVReader, _ index: Int?, _ c: Columns, _ zone: WorkspaceZone) throws -> Int64? {
        let f = FieldParsing.trimmed(c.field(r, index))
        if f.isEmpty { return nil }
        guard let parsed = FieldParsing.timestamp(f) else {
            throw RowReject("bad timestamp in \(c.name(index)): '\(String(decoding: f, as: UTF8.self))'")
        }
        let t: Int64
        switch parsed {
        case .utc(let instant): t = instant
        case .wall(let wall):
            switch zone.utc(wallTime: wall) {
            case .instant(let instant): t = instant
            case .nonexistent:
                throw RowReject("nonexistent local time in \(c.name(index)): '\(String(decoding: f, as: UTF8.self))' does not occur in \(zone.identifier) (the clocks skip it)")
            }
        }
        guard plausibleInstants.contains(t) else {
            throw RowReject("timestamp out of range in \(c.name(index)): '\(String(decoding: f, as: UTF8.self))' (years 1970 to 2199 are accepted)")
        }
        return t
    }

    static func duration(_ r: CSVReader, _ index: Int?, _ c: Columns) throws -> Int64? {
        let f = FieldParsing.trimmed(c.field(r, index))
        if f.isEmpty { return nil }
        guard let seconds = FieldParsing.duration(f) else {
            throw RowReject("bad duration in \(c.name(index)): '\(String(decoding: f, as: UTF8.self))'")
        }
        return seconds
    }

    static func count(_ r: CSVReader, _ index: Int?, _ c: Columns) throws -> Int64? {
        let f = FieldParsing.trimmed(c.field(r, index))
        if f.isEmpty { return nil }
        guard let value = FieldParsing.count(f) else {
            throw RowReject("bad count in \(c.name(index)): '\(String(decoding: f, as: UTF8.self))'")
        }
        return value
    }

    /// A Sender Type in lower case (Unicode case mapping only when it is not plain lower-case ASCII).
    static func lowercased(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: bytes, as: UTF8.self).lowercased()
    }

    /// Content Type, Message Type, Type and Sub Type, trimmed, as one reference
    /// value: each part's length (4 bytes) then its bytes.
    static func messageTypeValue(_ parts: [UnsafeBufferPointer<UInt8>]) -> String {
        var bytes: [UInt8] = []
        for part in parts.map(FieldParsing.trimmed) {
            withUnsafeBytes(of: UInt32(part.count).littleEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: part)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Dimensions (on the writing thread)

    /// The dimensions whose natural value is one column: table, key column, value column.
    static let plainDimensions: [Dimension: (table: String, key: String, value: String)] = [
        .contact: ("dim_contact", "contact_key", "contact_id"),
        .user: ("dim_user", "user_key", "user_id"),
        .team: ("dim_team", "team_key", "team_name"),
        .channel: ("dim_channel", "channel_key", "channel_id"),
        .category: ("dim_category", "category_key", "category_name"),
    ]

    /// The key of a dimension's natural value, added to the dimension when new.
    private func referenceKey(_ dimension: Dimension, _ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) throws -> Int64 {
        if let key = keys[dimension.index].key(bytes, hash: hash) { return key }
        let key: Int64
        switch dimension {
        case .contact, .user, .team, .channel, .category:
            let (table, keyColumn, valueColumn) = Self.plainDimensions[dimension]!
            let find = try db.cachedStatement("SELECT \(keyColumn) FROM \(table) WHERE \(valueColumn) = ?")
            find.bindText(1, bytes)
            defer { find.reset() }
            if try find.step() {
                key = find.int64(at: 0)
            } else {
                find.reset()
                let add = try db.cachedStatement("INSERT INTO \(table)(\(valueColumn)) VALUES (?)")
                add.bindText(1, bytes)
                try add.run()
                key = db.lastInsertRowID
            }
        case .source:
            let senderType = String(decoding: bytes, as: UTF8.self)
            let direction = senderType == "contact" ? "incoming" : "outgoing"
            try db.execute("INSERT INTO dim_message_source(sender_type, direction) VALUES (?, ?) ON CONFLICT(sender_type) DO NOTHING",
                           [.text(senderType), .text(direction)])
            let row = try db.rows("SELECT source_key, direction FROM dim_message_source WHERE sender_type = ?", [.text(senderType)])[0]
            key = row[0].int64!
            if row[1].string == "outgoing" { outgoingSources.insert(key) } else { outgoingSources.remove(key) }
        case .messageType:
            var parts: [SQLValue] = []
            var i = 0
            while i + 4 <= bytes.count {
                let n = Int(UInt32(littleEndian: UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt32.self)))
                parts.append(.text(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 4)..<(i + 4 + n)]), as: UTF8.self)))
                i += 4 + n
            }
            try db.execute("INSERT INTO dim_message_type(content_type, message_type, type, sub_type) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", parts)
            key = try db.int64("SELECT message_type_key FROM dim_message_type WHERE content_type = ? AND message_type = ? AND type = ? AND sub_type = ?", parts)
        }
        keys[dimension.index].set(bytes, hash: hash, key: key)
        return key
    }

    private func referenceKey(_ dimension: Dimension, _ value: String) throws -> Int64 {
        var value = value
        return try value.withUTF8 { try referenceKey(dimension, $0, hash: KeyCache.hash($0)) }
    }

    /// The date key seen last: records come in runs of one day.
    private var lastDateKey = 0

    private func noteDate(_ dateKey: Int) throws {
        guard dateKey != lastDateKey else { return }
        lastDateKey = dateKey
        guard !knownDates.contains(dateKey) else { return }
        try insertDate(Self.dayNumber(dateKey))
        knownDates.insert(dateKey)
    }


    private func insertDate(_ days: Int) throws {
        let (y, m, d) = CivilTime.date(days: days)
        let weekday = CivilTime.weekday(days: days)
        let monday = days - (weekday - 1)
        // ISO week: the week's Thursday decides the year.
        let thursday = monday + 3
        let isoYear = CivilTime.date(days: thursday).year
        let isoWeek = (thursday - CivilTime.days(year: isoYear, month: 1, day: 1)) / 7 + 1
        let statement = try db.cachedStatement("""
            INSERT OR IGNORE INTO dim_date(date_key, date, year, quarter, month, month_name, year_month, day,
                weekday, weekday_name, week_start, iso_year, iso_week, is_weekend)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        try statement.bind([
            .integer(Int64(y * 10000 + m * 100 + d)), .text(CivilTime.formatDate(days: days)), .integer(Int64(y)),
            .integer(Int64((m - 1) / 3 + 1)), .integer(Int64(m)), .text(monthNames[m - 1]),
            .text(String(CivilTime.formatDate(days: days).prefix(7))), .integer(Int64(d)), .integer(Int64(weekday)),
            .text(weekdayNames[weekday - 1]), .text(CivilTime.formatDate(days: monday)), .integer(Int64(isoYear)),
            .integer(Int64(isoWeek)), .integer(weekday >= 6 ? 1 : 0),
        ])
        try statement.run()
    }

    /// Every date between the first and the last one seen gets a row.
    private func fillDateGaps() throws {
        guard let row = try db.rows("SELECT min(date), max(date), count(*) FROM dim_date").first,
              let first = row[0].string, let last = row[1].string, let count = row[2].int64 else { return }
        func days(_ s: String) -> Int {
            let p = s.split(separator: "-").compactMap { Int($0) }
            return CivilTime.days(year: p[0], month: p[1], day: p[2])
        }
        let (from, to) = (days(first), days(last))
        guard Int64(to - from + 1) != count else { return }
        for day in from...to where !knownDates.contains(CivilTime.dateKey(days: day)) {
            try insertDate(day)
            knownDates.insert(CivilTime.dateKey(days: day))
        }
    }
}

/// The columns of one file, by normalised name.
struct Columns {
    let header: Header
    init(header: Header) { self.header = header }

    subscript(_ normalised: String) -> Int? { header.index(normalised) }

    func name(_ index: Int?) -> String { index.map { header.names[$0] } ?? "?" }

    func require(_ normalised: String, as display: String, in kind: ExportKind) throws {
        guard header.contains(normalised) else {
            throw WarehouseError("this \(kind.rawValue) file has no \(display) column")
        }
    }

    /// A field's bytes; empty when the file has no such column.
    @inline(__always)
    func field(_ r: CSVReader, _ index: Int?) -> UnsafeBufferPointer<UInt8> {
        guard let index else { return UnsafeBufferPointer(start: nil, count: 0) }
        return r.field(index)
    }

    /// The natural key, trimmed; a blank key rejects the row.
    func key(_ r: CSVReader, _ index: Int?) throws -> UnsafeBufferPointer<UInt8> {
        let key = FieldParsing.trimmed(field(r, index))
        if key.isEmpty { throw RowReject("missing key \(name(index))") }
        return key
    }
}
