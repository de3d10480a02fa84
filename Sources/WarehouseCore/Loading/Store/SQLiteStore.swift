import Foundation

/// The part of a load that writes, and the only one that knows it is SQLite:
/// the connection's settings, one transaction per load unit (a file, a batch
/// of records), the load log and the rejects, the index drops and rebuilds of
/// a bulk file, the upserts, the dimensions' keys, and the owners of the
/// summaries and links. Kinds and sources talk to it, never to SQL; a second
/// store (PostgreSQL, say) would be another type with these operations.
final class SQLiteStore: RecordStore {
    let db: Database
    /// The warehouse file's path (`Writeback` writes its pages early).
    private let path: String
    /// Early disk writes of a file's load (none for a few named records: no thread of its own per request).
    private var writeback: Writeback?
    let dimensions: DimensionKeys
    private let dailyMessages: DailyMessageSummary
    private let conversationMessageCounts: ConversationMessageCounts
    private let newContacts: NewContacts
    private let links: MessageLinks
    private let identities: IdentityRows
    /// The load log row of the load unit being written.
    private(set) var loadID: Int64 = 0
    /// The indexes a bulk unit loads without (their SQL), and its size.
    private var bulkIndexes: [String] = []
    private var bulkBytes = 0

    /// The page cache of a load: 256 MiB (negative: in KiB). A new warehouse's
    /// six files of 3 million messages: the messages' rows 12.9–13.5 s → 11.8 s
    /// against 128 MiB, peak memory 318 → 428 MB (two alternating pairs).
    static let cacheSize = -262_144
    /// A load unit larger than this (bytes) has its indexes built with a small
    /// sort memory and helper threads (`buildIndexes`).
    static let largeFileBytes = 128 << 20

    init(warehouse: Warehouse) throws {
        db = warehouse.db
        path = warehouse.path
        let zone = try WorkspaceZone(warehouse.timeZone)
        try db.execute("PRAGMA cache_size = \(Self.cacheSize)")
        // Sorts (index builds, summaries) spill to temporary files rather than
        // grow in memory: memory stays bounded whatever the size of the data.
        try db.execute("PRAGMA temp_store = FILE")
        dimensions = DimensionKeys(db: db)
        dailyMessages = try DailyMessageSummary(db: db, zone: zone)
        conversationMessageCounts = try ConversationMessageCounts(db: db)
        newContacts = NewContacts(db: db)
        links = MessageLinks(db: db, counts: conversationMessageCounts)
        identities = IdentityRows(db: db)
    }

    // MARK: A load unit

    /// Runs `body` as one transaction; when it throws, nothing of it stays and
    /// the cached keys (which may name rolled-back rows) are forgotten.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        defer {
            writeback?.stop()
            writeback = nil
        }
        do {
            return try db.inTransaction("IMMEDIATE", body)
        } catch {
            dimensions.forget()
            throw error
        }
    }

    /// Starts a load unit in the load log, and the summaries' and links' per-unit state.
    func begin(name: String, path: String, kind: ExportKind, form: String?, started: Date, bulkBytes: Int?) throws {
        try db.execute("INSERT INTO load_log(file_name, file_path, kind, form, status, started_at) VALUES (?, ?, ?, ?, 'loaded', ?)",
                       [.text(name), .text(path), .text(kind.rawValue), form.map(SQLValue.text) ?? .null, .text(LoadLog.timestamp(started))])
        loadID = db.lastInsertRowID
        links.start()
        identities.start()
        try newContacts.start()
        try dailyMessages.start()
        conversationMessageCounts.start()
        self.bulkBytes = bulkBytes ?? 0
        if bulkBytes != nil { writeback = Writeback(databasePath: path) }
        bulkIndexes = try bulkBytes.map { try deferIndexes(kind, size: $0) } ?? []
    }

    func reject(name: String, line: Int, reason: String, record: String) throws {
        let statement = try db.cachedStatement("INSERT INTO rejected_rows(load_id, file_name, line, reason, record) VALUES (?, ?, ?, ?, ?)")
        try statement.bind([.integer(loadID), .text(name), .integer(Int64(line)), .text(reason), .text(record)])
        try statement.run()
    }

    /// After the rows: complete the date dimension, re-link the messages of
    /// contacts whose conversations changed, build the indexes a bulk unit
    /// loaded without, and bring the summaries up to date.
    func finish(_ kind: ExportKind, step: (String) -> Void) throws {
        try dimensions.fillDateGaps()
        if kind == .conversations && !newContacts.touched.isEmpty {
            try links.relink(newContacts.touched)
            step("message links")
            // Before the indexes: its updates then touch only the table.
            try newContacts.finish()
            step("new contacts")
        }
        if !bulkIndexes.isEmpty {
            try buildIndexes(bulkIndexes, largeFile: bulkBytes > Self.largeFileBytes)
            step("indexes")
        }
        if kind == .messages {
            try dailyMessages.finish()
            step("daily summary")
        }
        if kind == .messages || kind == .conversations {
            try conversationMessageCounts.finish()
            step("link counts")
        }
    }

    /// Completes the unit's load log row.
    func complete(sha256: String?, _ s: LoadSummary) throws {
        try db.execute("""
            UPDATE load_log SET sha256 = ?, rows_read = ?, rows_inserted = ?, rows_updated = ?, rows_unchanged = ?,
                   rows_rejected = ?, finished_at = ? WHERE load_id = ?
            """, [sha256.map(SQLValue.text) ?? .null, .integer(Int64(s.rowsRead)), .integer(Int64(s.inserted)),
                  .integer(Int64(s.updated)), .integer(Int64(s.unchanged)), .integer(Int64(s.rejected)),
                  .text(LoadLog.timestamp(Date())), .integer(loadID)])
    }

    /// Records a unit that was refused or failed (after its transaction is gone).
    func logFailure(_ s: LoadSummary, started: Date) {
        try? db.execute(
            "INSERT INTO load_log(file_name, file_path, kind, status, message, rows_read, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.text(s.fileName), .text(s.path), s.kind.map { .text($0.rawValue) } ?? .null,
             .text(s.kind == nil ? "refused" : "failed"), .text(s.error ?? ""),
             .integer(Int64(s.rowsRead)), .text(LoadLog.timestamp(started)), .text(LoadLog.timestamp(Date()))])
    }

    // MARK: Bulk units

    /// A unit with more records than its fact table holds loads without the
    /// table's secondary indexes, which are built again after its rows in the
    /// same transaction (one sort each instead of a B-tree insert per row and
    /// index): 300,000 messages loaded in 3.7 s against 4.5 s; 300,000
    /// conversations, with the new-contact pass before the index builds, in
    /// 5.4 s against 7.5–9.0 s. `size` is the unit's bytes of export. Returns
    /// the SQL that builds them again; empty when none was dropped.
    private func deferIndexes(_ kind: ExportKind, size: Int) throws -> [String] {
        guard let (table, _, bytesPerRecord) = Self.bulkTable(kind) else { return [] }
        // The largest key bounds the rows stored without counting them (a scan of the table).
        let stored = try db.int64("SELECT coalesce(max(rowid), 0) FROM \(table)")
        guard stored < Int64(size / bytesPerRecord) else { return [] }
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

    /// The fact table a bulk unit of `kind` fills, and the export bytes a record takes, about
    /// (generated and fixture exports): more records than the table holds make it a bulk unit.
    static func bulkTable(_ kind: ExportKind) -> (table: String, key: String, bytesPerRecord: Int)? {
        switch kind {
        case .messages: ("fact_message", "message_key", 170)
        case .conversations: ("fact_conversation", "conversation_key", 300)
        default: nil
        }
    }

    /// Builds indexes again after a bulk unit. For one larger than 128 MiB
    /// (its table, mostly this unit's rows, is then about as large), SQLite's
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

    // MARK: Writing records

    /// Nothing to look up ahead: SQLite answers each record's look-ups in place.
    var looksAhead: Bool { false }
    var requiresContact: Bool { false }
    func lookAhead(_ batch: PreparedBatch) {}
    func prepare(_ batch: PreparedBatch) {}
    func written(_ batch: PreparedBatch) {}

    func upsert<Columns: StoredColumns>(_: Columns.Type, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>) throws -> any RecordUpsert<Columns> {
        try Upsert(store: self, key: key, extra: extra, mode: mode)
    }

    func dimensionWriter<Columns: StoredColumns>(
        _: Columns.Type, key: Columns, dimension: Dimension, mode: UpsertMode<Columns>,
        after: ((PreparedRecord, Int64) throws -> Void)?
    ) throws -> (PreparedRecord) throws -> Written {
        let upsert = try Upsert(store: self, key: key, extra: [], mode: mode)
        let dimensions = self.dimensions
        return { record in
            try upsert.bind(record)
            let written = try upsert.write(record)
            guard written != .unchanged else { return written }
            let rowKey = upsert.writtenKey
            dimensions.remember(dimension, record.bytes(key.rawValue), key: rowKey)
            try after?(record, rowKey)
            return written
        }
    }

    /// Replaces a user's teams (in the order given) in `bridge_user_team`.
    func setTeams(ofUser user: Int64, _ names: [String]) throws {
        let clear = try db.cachedStatement("DELETE FROM bridge_user_team WHERE user_key = ?")
        clear.reset(); clear.bindInt(1, user); try clear.run()
        let add = try db.cachedStatement("INSERT OR IGNORE INTO bridge_user_team(user_key, team_key, position) VALUES (?, ?, ?)")
        for (position, name) in names.enumerated() {
            let team = try dimensions.referenceKey(.team, name)
            add.reset()
            add.bindInt(1, user); add.bindInt(2, team); add.bindInt(3, Int64(position + 1))
            try add.run()
        }
    }

    // MARK: What a written record changes beyond its row

    func isFirstConversationSeen(contact: Int64?) -> Bool { newContacts.isFirstSeen(contact) }

    func conversationWritten(contact: Int64?, previousContact: Int64?) {
        newContacts.touch(contact)
        newContacts.touch(previousContact)
    }

    func conversation(ofMessageFrom contact: Int64, at time: Int64) throws -> Int64? {
        try links.conversation(contact: contact, at: time)
    }

    func messageInserted(date: Int, source: Int64, channel: Int64?, sender: UnsafeBufferPointer<UInt8>, user: Int64?, conversation: Int64?) {
        if let conversation { conversationMessageCounts.add(conversation, 1) }
        dailyMessages.inserted(date: date, source: source, channel: channel,
                               sender: dimensions.isOutgoing(source: source) ? sender : nil, user: user)
    }

    func messageReplaced(date: Int) {
        dailyMessages.replaced(date: date)
        conversationMessageCounts.messageReplaced()
    }

    // MARK: Records kept by contact and time

    func holdsIdentities(_ table: IdentityTable) throws -> Bool { try identities.holds(table) }
    func takeOver(_ table: IdentityTable, identity: String, id: String) throws {
        if case .deleted(let date, let conversation) = try identities.takeOver(table, identity: identity, id: id) {
            if let date { messageReplaced(date: date) }
            if let conversation { conversationMessageCounts.add(conversation, -1) }
        }
    }
    func intactConversation(contact: Int64, started: Int64) throws -> Bool {
        try identities.intactConversation(contact: contact, started: started)
    }
    func intactMessage(_ table: IdentityTable, contact: Int64, sent: Int64, contentPrint: UInt64) throws -> Bool {
        try identities.intactMessage(table, contact: contact, sent: sent, contentPrint: contentPrint)
    }
    func note(_ event: IdentityEvent) { identities.note(event) }
    func identityWritten(_ table: IdentityTable) { identities.written(table) }
    var identityCounts: IdentityCounts { identities.tally.counts }
}
