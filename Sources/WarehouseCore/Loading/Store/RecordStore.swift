import Foundation

/// The seam between the record path and the warehouse it writes to. The
/// loader is given its store; the sources and the kinds see only this. What a
/// kind tells a store is typed: its table's columns (`StoredColumns`, with the
/// table's surrogate key), the columns its writer works out (`DerivedColumn`),
/// the dimension a reference names, and records as the reading thread prepared
/// them (`PreparedRecord`, valid while its batch is being written). Everything
/// SQLite-specific (settings, journal modes, early disk writes, index builds,
/// the last-insert-rowid upsert, the summaries' SQL) stays behind it, in
/// `SQLiteStore`; a second store (PostgreSQL) is a second conformer, with the
/// kinds and sources untouched.
protocol RecordStore: AnyObject {
    // MARK: A load unit (a file, a batch of records)

    /// Runs `body` as one transaction: all of it stays, or nothing.
    func transaction<T>(_ body: () throws -> T) throws -> T
    /// Starts a unit in the load log. `bulkBytes`: the size of a file about to
    /// be loaded, which may say that it is a bulk load (the store then prepares
    /// for many rows, and `finish` completes that).
    func begin(name: String, path: String, kind: ExportKind, form: String?, started: Date, bulkBytes: Int?) throws
    /// Records a rejected record with its position (a file's line, a record's index).
    func reject(name: String, line: Int, reason: String, record: String) throws
    /// After the unit's records: brings links and summaries up to date, calling
    /// `step` after each step it takes, with the step's name.
    func finish(_ kind: ExportKind, step: (String) -> Void) throws
    /// Completes the unit's load log entry with its counts.
    func complete(sha256: String?, _ summary: LoadSummary) throws
    /// Records a unit that was refused or failed, after its transaction is gone.
    func logFailure(_ summary: LoadSummary, started: Date)

    // MARK: Writing records (the writing thread)

    /// Whether the store is given each batch while the one before is written (`lookAhead`).
    var looksAhead: Bool { get }
    /// Whether every fact must name its contact: a warehouse distributed by contact
    /// (Citus) places each row by it; a fact without one is rejected.
    var requiresContact: Bool { get }
    /// While the batch before `batch` is being written: a store that answers by
    /// round trips may start looking up what `batch`'s records replace.
    func lookAhead(_ batch: PreparedBatch) throws
    /// Before a batch's records are written: a store that answers by round trips
    /// (PostgreSQL) looks up at once what they refer to and what they replace.
    func prepare(_ batch: PreparedBatch) throws
    /// After a batch's records were written.
    func written(_ batch: PreparedBatch) throws

    /// The upsert of a kind's records by their natural key `key`.
    func upsert<Columns: StoredColumns>(_: Columns.Type, key: Columns, extra: [DerivedColumn], mode: UpsertMode<Columns>) throws -> any RecordUpsert<Columns>
    /// The writer of a kind whose records are a dimension's rows (contacts,
    /// users, channels): each row written is noted as the dimension's key for
    /// its value, then `after` runs with its key.
    func dimensionWriter<Columns: StoredColumns>(_: Columns.Type, key: Columns, dimension: Dimension, mode: UpsertMode<Columns>,
                                                 after: ((PreparedRecord, Int64) throws -> Void)?) throws -> (PreparedRecord) throws -> Written
    /// Replaces a user's teams, in the order given.
    func setTeams(ofUser user: Int64, _ names: [String]) throws

    // MARK: What a written record changes beyond its row

    /// Whether a conversation of `contact` written now is, as far as the unit
    /// has gone, the contact's first (decided again by `finish`).
    func isFirstConversationSeen(contact: Int64?) -> Bool
    /// A conversation was written: its contact, and the contact it had before.
    func conversationWritten(contact: Int64?, previousContact: Int64?)
    /// The conversation a message of `contact` at `time` belongs to.
    func conversation(ofMessageFrom contact: Int64, at time: Int64) throws -> Int64?
    /// A message was inserted, on local day `date`, into `conversation`.
    func messageInserted(date: Int, source: Int64, channel: Int64?, sender: UnsafeBufferPointer<UInt8>, user: Int64?, conversation: Int64?)
    /// A message was replaced; it is on local day `date` now.
    func messageReplaced(date: Int)

    // MARK: Records kept by contact and time (`ContactIdentity`)

    /// Whether the warehouse holds any record of `table` kept by contact and time.
    func holdsIdentities(_ table: IdentityTable) throws -> Bool
    /// A record with an intact ID arrived: the row kept under `identity`, if
    /// any, becomes the row of `id`; when `id` is stored already, a message
    /// kept under `identity` is the same message twice, and goes.
    func takeOver(_ table: IdentityTable, identity: String, id: String) throws
    /// A row kept by contact and time is being written to `table`.
    func identityWritten(_ table: IdentityTable)
    /// Whether a conversation of `contact` that started in the minute of
    /// `started` is stored under an intact ID.
    func intactConversation(contact: Int64, started: Int64) throws -> Bool
    /// Whether a message (or failed message) of `contact` in the minute of
    /// `sent` with the same content (or failure reason) print is stored under an intact ID.
    func intactMessage(_ table: IdentityTable, contact: Int64, sent: Int64, contentPrint: UInt64) throws -> Bool
    /// Counts, for the unit's summary, a record kept by contact and time
    /// because its ID was damaged, or a conversation ID that stood for two.
    func note(_ event: IdentityEvent)
    /// What `note` and `identityWritten` counted in the current unit.
    var identityCounts: IdentityCounts { get }
}

/// What a load unit did with records kept by contact and time (`ContactIdentity`).
struct IdentityCounts {
    /// Records whose ID a spreadsheet damaged.
    var damagedIDs = 0
    /// Conversation IDs that stood for two conversations.
    var collisions = 0
    /// Records written under their contact and time: damaged IDs, and records without an ID.
    var kept = 0
}

enum IdentityTable { case conversations, messages, failedMessages }
enum IdentityEvent { case damagedID, collision }

/// A kind's upsert in a store: binds a prepared record, then writes it.
protocol RecordUpsert<Columns>: AnyObject {
    associatedtype Columns: StoredColumns
    /// Binds the record's values; a kind then binds its extras and writes.
    func bind(_ record: PreparedRecord) throws
    /// The dimension key a reference column got in `bind`; nil when NULL.
    func key(_ record: PreparedRecord, _ column: Columns) -> Int64?
    /// Binds extra value `i` (0-based, in the order the kind named them).
    func bindExtra(_ i: Int, _ value: Int64?)
    /// Looks up the row the record would replace (a look-up upsert); `stored` then says it.
    func find(_ record: PreparedRecord) throws
    /// Writes the record under another key than its own.
    func rekey(_ key: String)
    /// Writes the bound record unless it is identical to the stored one.
    func write(_ record: PreparedRecord) throws -> Written
    /// The stored row a look-up upsert found: its key and the mode's extra and `also` columns.
    var stored: StoredRow? { get }
}

extension RecordStore {
    func dimensionWriter<Columns: StoredColumns>(_ columns: Columns.Type, key: Columns, dimension: Dimension,
                                                 mode: UpsertMode<Columns>) throws -> (PreparedRecord) throws -> Written {
        try dimensionWriter(columns, key: key, dimension: dimension, mode: mode, after: nil)
    }
}

/// The load log's times: UTC, to the second, ISO 8601 (`2025-03-01T09:30:00Z`).
enum LoadLog {
    static func timestamp(_ date: Date) -> String {
        let s = Int64(date.timeIntervalSince1970.rounded(.down))
        return CivilTime.format(wallSeconds: s).replacingOccurrences(of: " ", with: "T") + "Z"
    }
}
