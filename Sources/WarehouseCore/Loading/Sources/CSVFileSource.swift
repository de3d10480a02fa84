import Foundation

/// An export file as a record source: its header row names the columns, and
/// each record's position is the physical line where it starts (the header is
/// line 1). Opening checks what makes a file unloadable as a whole, with the
/// file named in the error: missing, a folder, empty, UTF-16, binary.
final class CSVFileSource: RecordSource {
    let name: String
    let header: Header
    private let reader: CSVReader
    private let size: Int
    private let maxRecordBytes: Int
    private let sha = SHA256Digester()
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

        let head = try reader.peek(4096)
        guard !head.isEmpty else { throw WarehouseError("\(path): the file is empty (no header row)") }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw WarehouseError("\(path): the file is UTF-16 text; export or save it as UTF-8 CSV")
        }
        if head.contains(0) { throw WarehouseError("\(path): not a CSV text file (it holds binary data)") }
        guard try reader.next() else { throw WarehouseError("\(path): the file is empty (no header row)") }
        header = Header(reader.strings)
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
            return "wrong number of fields: \(reader.fieldCount), header has \(header.count)"
        }
        return nil
    }

    var progress: (done: Int, total: Int) { (finished ? size : reader.bytesConsumed, size) }
    var exportBytes: Int? { size }
    var sha256: String? { finished ? sha.hexDigest() : nil }
    var recordText: String { reader.fields.csvText }

    /// The file opened again, after its header.
    func reopened() throws -> (any RecordSource)? {
        try CSVFileSource(path: name, maxRecordBytes: maxRecordBytes)
    }
}
