import Foundation

/// An export file as a record source: its header row names the columns, and
/// each record's position is the physical line where it starts (the header is
/// line 1). Opening checks what makes a file unloadable as a whole, with the
/// file named in the error: missing, a folder, empty, binary.
///
/// Opening also finds how the file is written (SPEC 1, "Exports after a
/// spreadsheet"): its encoding from its first mebibyte (`TextEncoding.sniff`:
/// UTF-8, UTF-16 with its byte-order mark, or Windows-1252) and its separator
/// from its header line (`CSVReader.separator(inHeaderOf:)`). A native export,
/// UTF-8 with commas, is read exactly as before: no decoding layer, the comma.
/// The SHA-256 is always that of the file's own bytes.
///
/// A header line that ends in columns with no name is a spreadsheet's padding
/// (`RowPadding`): the header is its named columns, and a record may fill the
/// unnamed ones with nothing; a value under one rejects its record.
final class CSVFileSource: RecordSource {
    let name: String
    let header: Header
    private let reader: CSVReader
    private let size: Int
    private let maxRecordBytes: Int
    /// The encoding the file is read in.
    let textEncoding: TextEncoding
    /// How much of the file decides its encoding.
    static let sniffBytes = 1 << 20
    private let sha = SHA256Digester()
    /// Columns with no name at the end of the header line: a spreadsheet padded
    /// every row to its widest one (`RowPadding`). They are not in `header`.
    let unnamedColumns: Int
    private var finished = false

    init(path: String, maxRecordBytes: Int) throws {
        name = path
        self.maxRecordBytes = maxRecordBytes
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw WarehouseError(path.contains("*") || path.contains("?")
                ? "\(path): no such file (a pattern that matched no file is passed on as it is: check the folder and the pattern)"
                : "\(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw WarehouseError("\(path): is a directory; name the CSV files in it (for example \(path)/*.csv)")
        }
        size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        do { reader = try CSVReader(path: path, maxRecordBytes: maxRecordBytes) } catch { throw WarehouseError("\(path): cannot read: \(error)") }
        reader.onRead = { [sha] in sha.update($0) }

        let head = try reader.peek(Self.sniffBytes)
        guard !head.isEmpty else { throw WarehouseError("\(path): the file is empty (no header row)") }
        textEncoding = TextEncoding.sniff(head, complete: head.count < Self.sniffBytes)
        reader.decode(as: textEncoding)
        // NUL bytes in the text (UTF-16 has them in its bytes, not in its text).
        let text = textEncoding == .utf8 ? Array(head.prefix(64 << 10)) : try reader.peek(64 << 10)
        if text.prefix(4096).contains(0) {
            throw WarehouseError("\(path): not a CSV text file (it holds binary data)")
        }
        reader.separator = CSVReader.separator(inHeaderOf: text)
        guard try reader.next() else { throw WarehouseError("\(path): the file is empty (no header row)") }
        let names = reader.strings
        let named = RowPadding.namedCount(names)
        header = Header(Array(names.prefix(named)))
        unnamedColumns = names.count - named
    }

    func next() throws -> Bool {
        let more = try reader.next()
        if !more { finished = true }
        return more
    }

    var fields: RecordFields { reader.fields }
    var position: Int { reader.line }

    var malformation: String? {
        if let problem = reader.malformation { return problem }
        if reader.fieldCount != header.count {
            return RowPadding.fieldCountMismatch(reader.fields, header: header.count, unnamedColumns: unnamedColumns)
        }
        return nil
    }

    var progress: (done: Int, total: Int) { (finished ? size : min(reader.fileBytesConsumed, size), size) }
    var exportBytes: Int? { size }
    var sha256: String? { finished ? sha.hexDigest() : nil }
    var recordText: String { reader.fields.csvText }

    /// The file opened again, after its header.
    func reopened() throws -> (any RecordSource)? {
        try CSVFileSource(path: name, maxRecordBytes: maxRecordBytes)
    }

    var encoding: String? { textEncoding == .utf8 ? nil : textEncoding.rawValue }
    var separator: String? { CSVReader.describe(separator: reader.separator) }
    var fieldsReadAsWindows1252: (count: Int, firstLine: Int?) {
        (reader.fieldsReadAsWindows1252, reader.firstLineReadAsWindows1252)
    }
}
