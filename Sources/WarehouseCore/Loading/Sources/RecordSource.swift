import Foundation

/// Where records come from: a CSV file (`CSVFileSource`), records given as
/// named fields (`NamedFieldsSource`: a JSON body, a webhook event mapped to
/// export columns). Every source yields its records the same way, as fields
/// under a header of export column names, each with its position (a file's
/// line, a request's index), and every source's records then take one path:
/// the kind's parsing, the same rejects, natural-key upserts, links,
/// summaries and load log (`Loader`).
protocol RecordSource: AnyObject {
    /// The source's name in the load log, the rejects and messages: a file's path, or a request's name.
    var name: String { get }
    /// Its column names.
    var header: Header { get }
    /// Advances to the next record; false after the last.
    func next() throws -> Bool
    /// The current record's fields, valid until `next()`.
    var fields: RecordFields { get }
    /// Where the current record is: a file's physical line where it starts, or
    /// its index among the records given.
    var position: Int { get }
    /// Set when the current record is not well formed; it is rejected with this reason.
    var malformation: String? { get }
    /// How far the source has got, and its whole size, in the units of its
    /// progress (bytes of a file); for the progress bar.
    var progress: (done: Int, total: Int) { get }
    /// The source's size in export bytes when it is known before its records
    /// are read (a file's): it tells the store a bulk load is coming.
    var exportBytes: Int? { get }
    /// The source's SHA-256 (hex) once it has been read to the end; nil when it has none.
    var sha256: String? { get }
    /// The current record as CSV text for the rejects table, cut at 2,000 characters.
    var recordText: String { get }
    /// A second reading of the same records from the first, independent of
    /// this one (a `SourceSurvey` reads ahead through it); nil when the source
    /// cannot be read twice.
    func reopened() throws -> (any RecordSource)?
    /// Whether the records may come without their natural key (a webhook
    /// event): a conversation is then kept by contact and start (`ContactIdentity`).
    var withoutIDs: Bool { get }
    /// Records sent live (SPEC 6: a JSON body, a webhook event) were typed by
    /// a program: only scientific notation marks their IDs as damaged, never
    /// zeros after the 15th digit (`SourceSurvey`).
    var isLive: Bool { get }
    /// Where the record at `position` came from, for its reject, when not the source itself.
    func origin(_ position: Int) -> (name: String, line: Int)?
    /// The source's encoding when it is not UTF-8 (`Windows-1252`, `UTF-16LE`).
    var encoding: String? { get }
    /// Its field separator when it is not a comma ("`;`", "tab").
    var separator: String? { get }
    /// Columns with no name at the end of its header (a spreadsheet's padding).
    var unnamedColumns: Int { get }
    /// Fields of a UTF-8 source that were not UTF-8 and were read as
    /// Windows-1252, and the line of the first; known once the source is read.
    var fieldsReadAsWindows1252: (count: Int, firstLine: Int?) { get }
}

extension RecordSource {
    /// Where the record at `position` came from, for its reject, when the
    /// source joins several (`NamedFieldsSource.combining`); nil: the source itself.
    func origin(_ position: Int) -> (name: String, line: Int)? { nil }
    var withoutIDs: Bool { false }
    var isLive: Bool { false }
    var encoding: String? { nil }
    var separator: String? { nil }
    var unnamedColumns: Int { 0 }
    var fieldsReadAsWindows1252: (count: Int, firstLine: Int?) { (0, nil) }
}

/// The fields of a source's current record: byte ranges of one buffer.
struct RecordFields {
    let base: UnsafePointer<UInt8>?
    let starts: UnsafePointer<Int>
    let ends: UnsafePointer<Int>
    let count: Int

    /// Field `i`'s bytes; valid until the source moves on.
    @inline(__always)
    func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + starts[i], count: ends[i] - starts[i])
    }

    var strings: [String] { (0..<count).map { String(decoding: field($0), as: UTF8.self) } }

    /// The record as one line of CSV, cut at 2,000 characters.
    var csvText: String {
        let text = strings.map { field -> String in
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",")
        return text.count > 2000 ? String(text.prefix(2000)) + "…" : text
    }
}
