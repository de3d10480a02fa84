import Foundation

/// The store of a warehouse on PostgreSQL (SPEC §8): the same load units, load
/// log, rejects, upserts, links and summaries as `SQLiteStore`, made for a
/// server, where every statement is a round trip. Before each batch it reads
/// what the batch's records refer to and replace (`ServerDimensionKeys`,
/// `ServerUpsert.prefetch`); the records are then decided in memory, and only
/// new and changed rows go to the server, by `COPY` (into the table, or into a
/// staging table and over their rows). After the unit's rows, links and
/// summaries are brought up to date from the facts, set by set. One transaction
/// per unit, and two loads into one warehouse take turns (an advisory lock).
final class PostgresStore: RecordStore {
    let server: any ServerConnection
    let dimensions: ServerDimensionKeys
    let zone: WorkspaceZone
    /// The load log row of the unit being written.
    private(set) var loadID: Int64 = 0
    private var writers: [WeakWriter] = []
    private var rejects = CopyText(capacity: 1 << 16)
    /// Staging tables made in the current transaction (they go at its end).
    private var staged: Set<String> = []

    // The unit's changes beyond its rows.
    var touchedContacts: Set<Int64> = []
    private var conversationsWereEmpty = false
    /// Local days whose messages changed (inserted, replaced: the day before and after, taken over).
    var touchedDays: Set<Int> = []
    var linkCounts = LinkCounts()
    /// The unit's inserted messages counted by summary row (used when it is all there is to count).
    var messageCounts = MessageCounts()
    /// Whether a message was replaced or deleted in the unit.
    var messagesReplaced = false
    var intervals: ConversationIntervals?
    /// What the unit met of IDs a spreadsheet damaged (PostgresStore+Identity.swift).
    var identities = IdentityTally()
    /// What makes the indexes a bulk unit loads without again (SQL), and the table.
    private var bulkIndexes: [String] = []
    private var bulkTable: String?
    /// Tables the unit added rows to (`analyseNewTables`), and those known to have statistics.
    var grownTables: Set<String> = []
    private var analysed: Set<String> = []
    /// Tables to analyse once the unit's transaction has committed (on Citus).
    private var afterCommit: Set<String> = []
    /// Conversation keys a packed read of many conversations takes at once (about 15 MB
    /// of text; `forEachPackedConversation`).
    var packedKeys: Int64 = 250_000

    /// Whether text holds a NUL byte, which PostgreSQL's text cannot.
    static func holdsNUL(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return false }
        return memchr(base, 0, bytes.count) != nil
    }

    /// Rows sent once this many bytes of them wait.
    static let flushBytes = 4 << 20

    /// Whether each unit runs inside a transaction its caller holds (`warehouse serve`'s
    /// group, which took the load lock): then in a savepoint of its own.
    private let nested: Bool

    /// Whether the warehouse is distributed with Citus (`Schema/postgresql/citus.sql`): its
    /// facts are placed by their contact, and its contacts are spread over the workers.
    let distributed: Bool

    init(server: any ServerConnection, zone: String, nested: Bool, distributed: Bool) throws {
        self.server = server
        self.nested = nested
        self.zone = try WorkspaceZone(zone)
        self.distributed = distributed
        dimensions = ServerDimensionKeys(server: server, distributed: distributed)
    }

    var requiresContact: Bool { distributed }

    /// A batch's keys in a statement, bound as one text parameter (`ServerArray.text`):
    /// `$1::text[]`. On Citus, as the array made once in a subquery: the cast a worker is
    /// sent is not folded into a constant there, and a shard it scans whole cast the
    /// 2,000 keys' text again for each row (0.9 s a batch of contacts on a 4-shard cluster).
    var keysParameter: String { Self.keysParameter(distributed: distributed) }

    static func keysParameter(distributed: Bool) -> String {
        distributed ? "ARRAY(SELECT unnest($1::text[]))" : "$1::text[]"
    }

    private struct WeakWriter { weak var writer: (any ServerRowWriter)? }
    var liveWriters: [any ServerRowWriter] { writers.compactMap(\.writer) }
    private func register(_ writer: any ServerRowWriter) {
        writers = writers.filter { $0.writer != nil } + [WeakWriter(writer: writer)]
    }

    // MARK: A load unit

    /// The lock two writers of one warehouse take turns on, held to the transaction's end:
    /// loads, and `warehouse serve`'s groups (on any number of servers).
    static let lock = "SELECT pg_advisory_xact_lock(hashtext('warehouse load ' || current_schema()))"

    func transaction<T>(_ body: () throws -> T) throws -> T {
        // Staging tables go at the commit (or with the savepoint): made again when missing.
        staged = []
        do {
            if nested {
                return try server.inSavepoint("load_unit") {
                    let result = try body()
                    try flush()
                    afterCommit = []
                    return result
                }
            }
            try server.execute("BEGIN")
            do {
                try server.execute(Self.lock)
                let result = try body()
                try flush()
                try server.execute("COMMIT")
                // The file is stored: statistics are the planner's help, not part of it.
                for table in afterCommit.sorted() where (try? server.execute("ANALYZE \(table)")) != nil {
                    analysed.insert(table)
                }
                afterCommit = []
                return result
            } catch {
                try? server.execute("ROLLBACK")
                throw error
            }
        } catch {
            dimensions.forget()
            // Statistics made in the transaction went with it.
            analysed = []
            grownTables = []
            afterCommit = []
            rejects = CopyText(capacity: 1 << 16)
            throw error
        }
    }

    func begin(name: String, path: String, kind: ExportKind, form: String?, started: Date, bulkBytes: Int?) throws {
        loadID = try server.int64("""
            INSERT INTO load_log (file_name, file_path, kind, form, status, started_at)
            VALUES ($1, $2, $3, $4, 'loaded', $5) RETURNING load_id
            """, .text(name), .text(path), .text(kind.rawValue), form.map(SQLValue.text) ?? .null, .text(LoadLog.timestamp(started)))
        dimensions.begin(bytes: bulkBytes)
        touchedContacts = []
        touchedDays = []
        linkCounts = LinkCounts()
        messageCounts = MessageCounts()
        messagesReplaced = false
        intervals = nil
        identities = IdentityTally()
        conversationsWereEmpty = false
        if kind == .conversations {
            conversationsWereEmpty = try server.holdsNone("fact_conversation")
        }
        bulkIndexes = []
        bulkTable = nil
        if bulkBytes != nil { try deferIndexes(kind) }
    }

    /// A rejected record is kept as read, but for NUL bytes (PostgreSQL's text cannot hold
    /// one), kept as U+FFFD; a record that loads with one refuses its file (`ServerUpsert.bind`).
    func reject(name: String, line: Int, reason: String, record: String) throws {
        func storable(_ text: String) -> String { text.contains("\0") ? text.replacingOccurrences(of: "\0", with: "\u{FFFD}") : text }
        rejects.int(loadID); rejects.text(name); rejects.int(Int64(line)); rejects.text(storable(reason)); rejects.text(storable(record))
        rejects.endRow()
    }

    func finish(_ kind: ExportKind, step: (String) -> Void) throws {
        try flush()
        try dimensions.fillDateGaps()
        if kind == .conversations && !touchedContacts.isEmpty {
            try relink(touchedContacts)
            step("message links")
            try decideNewContacts(touchedContacts)
            step("new contacts")
        }
        if let table = bulkTable {
            try leaveBulk()
            // Statistics for the planner now, not when autovacuum comes by: the daily
            // summary's pass over 3 million messages 2.1 → 1.4 s, and the reports after it.
            try server.execute("ANALYZE \(table)")
            analysed.insert(table)
            step("indexes")
        }
        try analyseNewTables()
        if kind == .messages {
            try redoDays()
            step("daily summary")
        }
        if kind == .messages || kind == .conversations {
            try addLinkCounts()
            step("link counts")
        }
    }

    /// Analyses each table the unit added rows to that has no statistics yet (its first
    /// rows, or rows autovacuum has not come by for). A natural ID's index is not unique
    /// (tables.sql), so without statistics the planner takes a batch's 2,000 keys
    /// (`= ANY`) for a large share of the table and reads all of it: an unchanged reload of
    /// the benchmark's 100,000 contacts right after their first load took 14.6 s, 0.4 s
    /// with statistics. Asked once per table and loader.
    ///
    /// On Citus, after the commit instead: a reference table has a copy on the coordinator,
    /// which the unit read, and Citus analyses no table in a transaction that did (the
    /// workers' autovacuum comes by within a minute where a unit runs in a `serve` group).
    private func analyseNewTables() throws {
        let tables = grownTables.union(dimensions.grownTables).subtracting(analysed)
        grownTables = []
        dimensions.grownTables = []
        if distributed {
            afterCommit.formUnion(tables)
            return
        }
        for table in tables.sorted() {
            let known = try server.int64("SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() AND tablename = $1", .text(table))
            if known == 0 { try server.execute("ANALYZE \(table)") }
            analysed.insert(table)
        }
    }

    func complete(sha256: String?, _ s: LoadSummary) throws {
        _ = try server.query("""
            UPDATE load_log SET sha256 = $1, rows_read = $2, rows_inserted = $3, rows_updated = $4, rows_unchanged = $5,
                   rows_rejected = $6, finished_at = $7 WHERE load_id = $8
            """, [sha256.map(SQLValue.text) ?? .null, .integer(Int64(s.rowsRead)), .integer(Int64(s.inserted)),
                  .integer(Int64(s.updated)), .integer(Int64(s.unchanged)), .integer(Int64(s.rejected)),
                  .text(LoadLog.timestamp(Date())), .integer(loadID)])
    }

    func logFailure(_ s: LoadSummary, started: Date) {
        _ = try? server.query("""
            INSERT INTO load_log (file_name, file_path, kind, status, message, rows_read, started_at, finished_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text(s.fileName), .text(s.path), s.kind.map { .text($0.rawValue) } ?? .null,
                  .text(s.kind == nil ? "refused" : "failed"), .text(s.error ?? ""),
                  .integer(Int64(s.rowsRead)), .text(LoadLog.timestamp(started)), .text(LoadLog.timestamp(Date()))])
    }

    /// A file into an empty fact table loads without the table's secondary indexes
    /// and its natural key's index, made again after its rows (one sort
    /// each, instead of an entry per row; the unit keeps its own keys apart in
    /// memory, and a key it meets twice has the indexes made first). A record that
    /// must read the table by them (a key met twice, a damaged ID) has them made
    /// first (`leaveBulk`). The surrogate key's own (`<table>_key`, with the contact) stays:
    /// its entries come in order.
    /// Not, as on SQLite, any file larger than its table: dropping an index locks
    /// the table against readers until the commit, and making it again writes it
    /// whole to the write-ahead log (an unchanged reload of the benchmark's
    /// messages did both: 5.5 s of its 32 s).
    private func deferIndexes(_ kind: ExportKind) throws {
        guard let (table, _, _) = SQLiteStore.bulkTable(kind),
              try server.holdsNone(table) else { return }
        let indexes = try server.query("""
            SELECT 'DROP INDEX ' || quote_ident(i.indexname), i.indexdef FROM pg_indexes i
            WHERE i.schemaname = current_schema() AND i.tablename = $1 AND NOT EXISTS (
                SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
            UNION ALL
            SELECT 'ALTER TABLE ' || quote_ident($1) || ' DROP CONSTRAINT ' || quote_ident(c.conname),
                   'ALTER TABLE ' || quote_ident($1) || ' ADD CONSTRAINT ' || quote_ident(c.conname) || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c WHERE c.conrelid = to_regclass(quote_ident($1)) AND c.contype = 'u' AND c.conname <> $1 || '_key'
            ORDER BY 1
            """, [.text(table)])
        for index in indexes {
            guard let drop = index[0].string, let create = index[1].string else { continue }
            try server.execute(drop)
            bulkIndexes.append(create)
        }
        bulkTable = table
    }

    /// Makes the indexes a bulk unit dropped again, after sending the waiting rows: at
    /// its end, or before a record must read the table by them.
    func leaveBulk() throws {
        guard !bulkIndexes.isEmpty else { return }
        try flush()
        for create in bulkIndexes { try server.execute(create) }
        bulkIndexes = []
    }

    // MARK: Batches

    var looksAhead: Bool { true }

    func lookAhead(_ batch: PreparedBatch) throws {
        for writer in liveWriters { try writer.lookAhead(batch) }
    }

    func prepare(_ batch: PreparedBatch) throws {
        try dimensions.prepare(batch)
        for writer in liveWriters { try writer.prefetch(batch) }
    }

    func written(_ batch: PreparedBatch) throws {
        if rejects.count + liveWriters.reduce(0, { $0 + $1.waitingBytes }) >= Self.flushBytes { try flush() }
    }

    /// Sends every waiting row.
    func flush() throws {
        for writer in liveWriters where writer.isWaiting { try writer.flush() }
        if !rejects.isEmpty {
            try server.copy(into: "rejected_rows", columns: ["load_id", "file_name", "line", "reason", "record"], text: rejects.take())
        }
    }

    /// A staging table of the current transaction with `columns` of `table` (no rows, no constraints).
    func staging(_ table: String, columns: [String]) throws -> String {
        try staging("stage_\(table)", "ON COMMIT DROP AS SELECT \(columns.joined(separator: ", ")) FROM \(table) WITH NO DATA")
    }

    private func staging(_ name: String, _ definition: String) throws -> String {
        if !staged.contains(name) {
            try server.execute("CREATE TEMP TABLE IF NOT EXISTS \(name) \(definition)")
            staged.insert(name)
        }
        return name
    }

    /// Applies `changes`, pairs of a key and a value, with `apply` (statements separated by
    /// `;` that name them `changes`). A few go as two arrays, read by `unnest` in each
    /// statement; many by COPY into a staging table, analysed first. A staging table made
    /// for one ingest group cost 4–5 ms of it (made, analysed, emptied, dropped at the
    /// commit): `warehouse serve`'s groups change tens of rows.
    func applyChanges(_ changes: [(key: Int64, value: Int64?)], columns: (String, String), apply: String) throws {
        guard !changes.isEmpty else { return }
        if changes.count <= Self.arrayChanges {
            let arrays = [ServerArray.integers(changes.map(\.key)), ServerArray.integers(changes.map(\.value))]
            for statement in apply.split(separator: ";") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                _ = try server.query("""
                    WITH changes(\(columns.0), \(columns.1)) AS (SELECT * FROM unnest($1::bigint[], $2::bigint[])) \(statement)
                    """, arrays)
            }
            return
        }
        var rows = CopyText(capacity: changes.count * 16)
        for (key, value) in changes {
            rows.int(key); rows.int(value); rows.endRow()
        }
        let name = "stage_\(columns.0)_\(columns.1)"
        _ = try staging(name, "(\(columns.0) BIGINT, \(columns.1) BIGINT) ON COMMIT DROP")
        try server.copy(into: name, columns: [columns.0, columns.1], text: rows.take())
        try server.execute("ANALYZE \(name); \(apply.replacingOccurrences(of: "changes", with: name)); TRUNCATE \(name)")
    }

    /// Changes up to this many go as arrays (`applyChanges`).
    static let arrayChanges = 5_000

    // MARK: Writing records

    func upsert<Columns: StoredColumns>(_: Columns.Type, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>) throws -> any RecordUpsert<Columns> {
        // A replaced message's day and link before, for the summaries (SQLite's triggers note them).
        let messages = Columns.table == Messages.Stored.table
        let upsert = ServerUpsert(store: self, key: key, extra: extra, mode: mode, explicitKeys: false,
                                  previous: messages ? ["sent_date_key", "conversation_key"] : [])
        if messages {
            upsert.onReplace = { [unowned self] previous, extras in
                guard previous.count == 2 else { return }
                if let day = previous[0] { touchedDays.insert(Int(day)) }
                let (before, after) = (previous[1], extras.first ?? nil)
                if before != after {
                    if let before { linkCounts.add(before, -1) }
                    if let after { linkCounts.add(after, 1) }
                }
            }
        }
        register(upsert)
        return upsert
    }

    func dimensionWriter<Columns: StoredColumns>(
        _: Columns.Type, key: Columns, dimension: Dimension, mode: UpsertMode<Columns>,
        after: ((PreparedRecord, Int64) throws -> Void)?
    ) throws -> (PreparedRecord) throws -> Written {
        let upsert = ServerUpsert(store: self, key: key, extra: [], mode: mode, explicitKeys: true, previous: [])
        register(upsert)
        let dimensions = self.dimensions
        return { record in
            try upsert.bind(record)
            let written = try upsert.write(record)
            guard written != .unchanged else { return written }
            dimensions.remember(dimension, record.bytes(key.rawValue), key: upsert.writtenKey)
            try after?(record, upsert.writtenKey)
            return written
        }
    }

    func setTeams(ofUser user: Int64, _ names: [String]) throws {
        _ = try server.query("DELETE FROM bridge_user_team WHERE user_key = $1", [.integer(user)])
        guard !names.isEmpty else { return }
        var values: [SQLValue] = []
        var rows: [String] = []
        for (position, name) in names.enumerated() {
            values += [.integer(user), .integer(try dimensions.key(.team, name)), .integer(Int64(position + 1))]
            rows.append("($\(values.count - 2), $\(values.count - 1), $\(values.count))")
        }
        _ = try server.query("INSERT INTO bridge_user_team (user_key, team_key, position) VALUES \(rows.joined(separator: ", ")) ON CONFLICT DO NOTHING", values)
    }

    // MARK: What a written record changes beyond its row

    func isFirstConversationSeen(contact: Int64?) -> Bool {
        conversationsWereEmpty && contact.map { !touchedContacts.contains($0) } ?? false
    }

    func conversationWritten(contact: Int64?, previousContact: Int64?) {
        if let contact { touchedContacts.insert(contact) }
        if let previousContact { touchedContacts.insert(previousContact) }
    }

    func conversation(ofMessageFrom contact: Int64, at time: Int64) throws -> Int64? {
        if intervals == nil { intervals = try readIntervals(only: nil) }
        return intervals!.conversation(contact: contact, at: time)
    }

    func messageInserted(date: Int, source: Int64, channel: Int64?, sender: UnsafeBufferPointer<UInt8>, user: Int64?, conversation: Int64?) {
        touchedDays.insert(date)
        if let conversation { linkCounts.add(conversation, 1) }
        messageCounts.add(date: date, source: source, channel: channel, sender: dimensions.isOutgoing(source: source) ? sender : nil, user: user)
    }

    func messageReplaced(date: Int) {
        touchedDays.insert(date)
        messagesReplaced = true
    }
}
