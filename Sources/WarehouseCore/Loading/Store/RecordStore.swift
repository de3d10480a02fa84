import Foundation

/// The seam between the record path and the warehouse it writes to. The
/// loader, the sources and the kinds see only this; `SQLiteStore` is the one
/// store, and everything SQLite-specific (settings, journal modes, index
/// builds, upsert SQL, the summaries' SQL) stays behind it. A second store
/// (PostgreSQL, say) would be a second conformer, with the kinds and sources
/// untouched.
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

    /// The upsert of a kind's records by their natural key `key`.
    func upsert<Columns: StoredColumns>(_: Columns.Type, key: Columns, extra: [String], mode: UpsertMode) throws -> any RecordUpsert<Columns>
    /// The writer of a kind whose records are a dimension's rows (contacts,
    /// users, channels): each row written is noted as the dimension's key for
    /// its value, then `after` runs with its key.
    func dimensionWriter<Columns: StoredColumns>(_: Columns.Type, key: Columns, dimension: Dimension, mode: UpsertMode,
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
}

/// A kind's upsert in a store: binds a prepared record, then writes it.
protocol RecordUpsert<Columns>: AnyObject {
    associatedtype Columns: StoredColumns
    /// Binds the record's values; a kind then binds its extras and writes.
    func bind(_ record: PreparedRecord) throws
    /// The dimension key a reference column got in `bind`; nil when NULL.
    func key(_ record: PreparedRecord, _ column: Columns) -> Int64?
    /// Binds extra value `i` (0-based, in the order the kind named them).
    func bindExtra(_ i: Int, _ value: Int64?)
    /// Writes the bound record unless it is identical to the stored one.
    func write(_ record: PreparedRecord) throws -> Written
    /// The stored row a look-up upsert found: its key and the mode's extra column.
    var stored: (key: Int64, extra: Int64?)? { get }
}

extension RecordStore {
    func dimensionWriter<Columns: StoredColumns>(_ columns: Columns.Type, key: Columns, dimension: Dimension,
                                                 mode: UpsertMode) throws -> (PreparedRecord) throws -> Written {
        try dimensionWriter(columns, key: key, dimension: dimension, mode: mode, after: nil)
    }
}
