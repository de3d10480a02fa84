/// The vocabulary an export kind is written in: its columns by header name and
/// how each is parsed (`ExportColumns`), and the columns its records are
/// stored in (`StoredColumns`). A kind file (`Conversations.swift`, …) declares
/// both once; the reading thread parses every column of a record by its
/// declared type before the kind maps the values onto the star schema.

/// How a column's values are read. Every type trims spaces and tabs but `raw`.
/// A spreadsheet writes numeric IDs back with a trailing `.0` (`335828368.0`):
/// `key`, `id` and `people` remove it from a value that is otherwise all digits.
enum FieldType {
    /// The natural key: blank rejects the row (`missing key Conversation ID`); a trailing `.0` is removed.
    case key
    /// An instant (`YYYY-MM-DD HH:MM:SS` in the workspace zone, ISO 8601 with an
    /// offset, or a spreadsheet's form: `SpreadsheetTimestamp`); blank is NULL.
    case timestamp
    /// An instant every record has: a file without the column is refused, a blank value rejects the row.
    case requiredTimestamp
    /// Seconds, from `HH:MM:SS` (hours past 24 allowed), plain seconds, or a
    /// spreadsheet's time of day on a 12-hour clock (`12:01:37 AM`); blank is NULL.
    case duration
    /// A non-negative whole number (`Number of …`); blank is NULL.
    case count
    /// An ID that is not the record's key (`Contact ID`, `Channel ID`, `Opened By Channel`): a trailing `.0` is removed.
    case id
    /// A user ID in a people column: a trailing `.0` is removed.
    case people
    /// Text, trimmed.
    case text
    /// Text exactly as written (message content, notes).
    case raw

    var isInstant: Bool { self == .timestamp || self == .requiredTimestamp }
}

/// The columns of an export kind, in the order their values are checked (the
/// first bad value names the row's reject). `Int` raw values from 0.
protocol ExportColumns: RawRepresentable<Int>, CaseIterable {
    /// The header name as the export writes it, and how its values are read.
    var spec: (name: String, type: FieldType) { get }
}

/// The columns a kind's record is stored in, in bind order (the case name is
/// the table's column name). The reading thread writes each record's values by
/// these names; a value written under another position than its column's
/// stops the load at once, so a kind can never bind a value to the wrong column.
protocol StoredColumns: RawRepresentable<Int>, CaseIterable {
    /// The table the kind's records go to.
    static var table: String { get }
    /// Its surrogate key, which the store numbers (the dimensions' keys, a conversation's).
    static var surrogateKey: String { get }
}

extension StoredColumns {
    /// The column names, in bind order.
    static var names: [String] { allCases.map { String(describing: $0) } }
    /// A column's name.
    var name: String { String(describing: self) }
}

/// The columns a kind's writer works out for a record beyond the record's own values
/// (not part of its hash), written with it.
enum DerivedColumn: String {
    /// A conversation's: whether it is its contact's first (`NewContacts`).
    case is_new_contact
    /// A message's: the conversation it belongs to (`MessageLinks`).
    case conversation_key
}

/// Why a record cannot be read; it is rejected on its own.
struct RowReject: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Which of a kind's columns a source has (by header position), resolved once per source.
struct ColumnPositions<Column: ExportColumns> {
    let header: Header
    /// Header position of each column, by raw value; nil when the source lacks it.
    let positions: [Int?]
    /// Header positions of columns whose name the kind does not declare (a contact's custom fields).
    let undeclared: [Int]

    init(header: Header) {
        self.header = header
        positions = Column.allCases.map { header.index(Header.normalise($0.spec.name)) }
        let declared = Set(Column.allCases.map { Header.normalise($0.spec.name) })
        undeclared = header.names.indices.filter { !declared.contains(Header.normalise(header.names[$0])) }
    }

    func has(_ column: Column) -> Bool { positions[column.rawValue] != nil }

    /// A file without a required column is refused.
    func checkRequired(_ kind: ExportKind) throws {
        for column in Column.allCases where column.spec.type == .requiredTimestamp && !has(column) {
            throw WarehouseError("this \(kind.rawValue) file has no \(column.spec.name) column")
        }
    }
}

/// One record's values parsed by their columns' types, read by column name.
/// Kept by the reading thread and filled again for each record; bytes point
/// into the source's current record.
final class ParsedRecord<Column: ExportColumns> {
    let columns: ColumnPositions<Column>
    /// The source's form (`current`, `legacy`), for a kind with two.
    let form: String?
    /// A blank natural key is read as blank instead of rejecting the record:
    /// the source's records carry no IDs (a webhook event), and the kind keeps
    /// them by contact and time (`ContactIdentity`).
    let keyMayBeBlank: Bool
    private var bytes: [UnsafeBufferPointer<UInt8>]
    private var ints: [Int64?]
    private var fields: RecordFields?

    /// Each column's type and header position, by raw value (read once, not per record).
    private let types: [FieldType]
    /// What the source's values say about the whole source (date order, cut IDs).
    private let survey: SourceSurvey?
    private var begun = false
    /// By raw value: the column is in `survey.zeroPaddedIDColumns`.
    private var truncatedIDs: [Bool]

    /// `survey` asks about the source's timestamp and key columns; without one,
    /// a slash date is rejected (its order cannot be decided) and no ID looks cut.
    init(_ columns: ColumnPositions<Column>, form: String?, survey: SourceSurvey? = nil, keyMayBeBlank: Bool = false) {
        self.columns = columns
        self.form = form
        self.survey = survey
        self.keyMayBeBlank = keyMayBeBlank
        types = Column.allCases.map(\.spec.type)
        bytes = Array(repeating: UnsafeBufferPointer(start: nil, count: 0), count: types.count)
        ints = Array(repeating: nil, count: types.count)
        truncatedIDs = Array(repeating: false, count: types.count)
        survey?.watch(
            timestamps: Column.allCases.filter { $0.spec.type.isInstant }.compactMap { columns.positions[$0.rawValue] },
            ids: Column.allCases.filter { $0.spec.type == .key }.compactMap { column in
                columns.positions[column.rawValue].map { (Header.normalise(column.spec.name), $0) }
            },
            idColumns: Column.allCases.filter { [.key, .id, .people].contains($0.spec.type) }.compactMap { columns.positions[$0.rawValue] },
            durations: Column.allCases.filter { $0.spec.type == .duration }.compactMap { columns.positions[$0.rawValue] })
    }

    /// Reads every column of the source's current record, checking them in
    /// declaration order; throws the first value that does not parse. The
    /// first record lets the survey ask what it leaves open.
    func parse(_ record: RecordFields, zone: WorkspaceZone) throws {
        fields = record
        if !begun { try begin(record) }
        for i in 0..<types.count {
            let type = types[i]
            let column = Column(rawValue: i)!
            guard let position = columns.positions[i] else {
                // Named records may lack a key a file's header always has.
                if type == .key && !keyMayBeBlank { throw RowReject("missing key \(name(column))") }
                bytes[i] = UnsafeBufferPointer(start: nil, count: 0); ints[i] = nil
                continue
            }
            let field = record.field(position)
            let f = type == .raw ? field : FieldParsing.trimmed(field)
            bytes[i] = f
            switch type {
            case .key:
                if f.isEmpty && !keyMayBeBlank { throw RowReject("missing key \(name(column))") }
                bytes[i] = FieldParsing.withoutPointZero(f)
            case .id, .people:
                bytes[i] = FieldParsing.withoutPointZero(f)
            case .timestamp, .requiredTimestamp:
                ints[i] = try instant(f, column, zone)
                if ints[i] == nil && type == .requiredTimestamp { throw RowReject("missing \(name(column))") }
            case .duration:
                ints[i] = nil
                if !f.isEmpty {
                    guard let seconds = FieldParsing.duration(f) else { throw bad("duration", column, f) }
                    ints[i] = seconds
                }
            case .count:
                ints[i] = nil
                if !f.isEmpty {
                    guard let value = FieldParsing.count(f) else { throw bad("count", column, f) }
                    ints[i] = value
                }
            case .text, .raw:
                break
            }
        }
    }

    /// The column's bytes as parsed (trimmed, `.0` removed by its type); empty when blank or absent.
    @inline(__always)
    subscript(_ column: Column) -> UnsafeBufferPointer<UInt8> { bytes[column.rawValue] }

    /// A timestamp (UTC seconds), duration (seconds) or count; nil when blank or absent.
    @inline(__always)
    func int(_ column: Column) -> Int64? { ints[column.rawValue] }

    /// True when `column` is a key column whose every ID in the source has 16+
    /// digits and only zeros after the 15th: a spreadsheet cut them, and they
    /// cannot tell records apart (`SourceSurvey.zeroPaddedIDColumns`).
    @inline(__always)
    func idLooksTruncated(_ column: Column) -> Bool { truncatedIDs[column.rawValue] }

    private func begin(_ record: RecordFields) throws {
        begun = true
        guard let survey else { return }
        try survey.begin(record)
        for column in Column.allCases where survey.zeroPaddedIDColumns.contains(Header.normalise(column.spec.name)) {
            truncatedIDs[column.rawValue] = columns.has(column)
        }
    }

    /// The columns the kind does not declare, as (header name, value as written).
    func undeclared() -> [(name: String, value: UnsafeBufferPointer<UInt8>)] {
        guard let fields else { return [] }
        return columns.undeclared.map { (columns.header.names[$0], fields.field($0)) }
    }

    /// The column's name as the source's header spells it.
    func name(_ column: Column) -> String {
        columns.positions[column.rawValue].map { columns.header.names[$0] } ?? column.spec.name
    }

    private func bad(_ what: String, _ column: Column, _ f: UnsafeBufferPointer<UInt8>) -> RowReject {
        RowReject("bad \(what) in \(name(column)): '\(String(decoding: f, as: UTF8.self))'")
    }

    /// Instants from 1970 to 2199 (UTC): a year outside is a typo (a year 9025
    /// would make the date dimension 2.5 million days long), and is rejected.
    static var plausibleInstants: Range<Int64> { 0..<7_258_118_400 }

    private func instant(_ f: UnsafeBufferPointer<UInt8>, _ column: Column, _ zone: WorkspaceZone) throws -> Int64? {
        if f.isEmpty { return nil }
        guard let parsed = try FieldParsing.timestamp(f) ?? spreadsheetTimestamp(f, column) else { throw bad("timestamp", column, f) }
        let t: Int64
        switch parsed {
        case .utc(let instant): t = instant
        case .wall(let wall):
            switch zone.utc(wallTime: wall) {
            case .instant(let instant): t = instant
            case .nonexistent:
                throw RowReject("nonexistent local time in \(name(column)): '\(String(decoding: f, as: UTF8.self))' does not occur in \(zone.identifier) (the clocks skip it)")
            }
        }
        guard Self.plausibleInstants.contains(t) else {
            throw RowReject("timestamp out of range in \(name(column)): '\(String(decoding: f, as: UTF8.self))' (years 1970 to 2199 are accepted)")
        }
        return t
    }

    /// A timestamp in a spreadsheet's form, read in the source's date order
    /// (which the survey decides, or refuses the source for); nil when it is in
    /// no form. A date alone, or no date in that order, rejects the row.
    private func spreadsheetTimestamp(_ f: UnsafeBufferPointer<UInt8>, _ column: Column) throws -> FieldParsing.Timestamp? {
        guard let t = SpreadsheetTimestamp.read(f) else { return nil }
        if t.isDateAlone {
            throw RowReject("bad timestamp in \(name(column)): '\(String(decoding: f, as: UTF8.self))' is a date without its time of day")
        }
        var order: DateOrder?
        if t.needsOrder {
            guard let survey else { return nil }
            order = try survey.order(for: t, value: f)
        }
        guard let wall = t.wallTime(order: order) else { return nil }
        survey?.saw(t)
        return .wall(wall)
    }
}
