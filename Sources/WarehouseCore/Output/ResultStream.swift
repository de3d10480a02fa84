/// Prints a result while it is stepped, in a `ResultFormatter`'s format. csv,
/// json and ndjson hold one row at a time and table output only the rows it
/// shows (the others are counted), so printing every message of a warehouse
/// takes no more memory than printing forty. Markdown (its alignment line comes
/// before the rows and depends on all of them) and the heatmap (a grid) collect
/// the rows first. Output is handed to `output` in pieces of about 64 KiB, each
/// ending at the end of a row. csv is written from the statement's own bytes
/// (`add(_: ResultRow)`) instead of making a value, then a string, of each
/// field: conversation_list (300,000 rows) 2.49 → 2.01 s, and a million
/// messages through `warehouse sql` 3.96 → 2.11 s (minimum of 3).
public final class ResultStream {
    private let formatter: ResultFormatter
    private let display: String?
    private let columns: [String]
    private let output: ([UInt8]) -> Void
    private var buffer: [UInt8] = []
    private var count = 0
    /// Table: the rows shown; markdown and the heatmap: every row.
    private var kept: [[SQLValue]] = []
    /// Table: the columns to align right, over every row (shown or not).
    private var numeric: ResultFormatter.NumericColumns
    /// Made once, not per value: what each column's name says, and its JSON name.
    private let kinds: [ResultFormatter.ColumnKind]
    private let jsonNames: [String]

    private var collectsAll: Bool { formatter.format == .markdown || (formatter.format == .table && display == "heatmap") }

    /// `output` gets each piece as text.
    public convenience init(_ formatter: ResultFormatter, columns: [String], display: String? = nil, output: @escaping (String) -> Void) {
        self.init(formatter, columns: columns, display: display, bytes: { output(String(decoding: $0, as: UTF8.self)) })
    }

    /// `bytes` gets each piece as UTF-8, to write as it is. Printing
    /// conversation_list (300,000 rows, 50 MB of csv) without checking and
    /// copying it into a string first, and with integers written digit by
    /// digit: 2.46 → 2.21 s (minimum of 7, alternating, in a slow period of
    /// the machine); its CPU time 2.77–2.90 → 2.28–2.39 s (means of 5).
    public init(_ formatter: ResultFormatter, columns: [String], display: String? = nil, bytes output: @escaping ([UInt8]) -> Void) {
        self.formatter = formatter
        self.display = display
        self.columns = columns
        self.output = output
        numeric = ResultFormatter.NumericColumns(count: columns.count)
        kinds = columns.map(ResultFormatter.ColumnKind.init)
        jsonNames = formatter.format == .json || formatter.format == .ndjson ? columns.map { JSONText.string($0) + ":" } : []
        if formatter.format == .csv {
            let safe = formatter.spreadsheetSafe
            buffer.append(contentsOf: (columns.map { ResultFormatter.csvField($0, spreadsheetSafe: safe) }.joined(separator: ",") + "\n").utf8)
        }
    }

    public func add(_ row: [SQLValue]) {
        defer { count += 1 }
        if collectsAll { kept.append(row); return }
        switch formatter.format {
        case .csv:
            for (i, value) in row.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                // Only a text is neutralised: a number is a number, a negative one too.
                let isText = if case .text = value { true } else { false }
                ResultFormatter.appendCSVField(ResultFormatter.text(value, kind: kinds[i]), to: &buffer,
                                               spreadsheetSafe: formatter.spreadsheetSafe && isText)
            }
            buffer.append(10)
        case .json:
            buffer.append(contentsOf: ((count == 0 ? "[\n  " : ",\n  ") + ResultFormatter.jsonObject(names: jsonNames, kinds: kinds, row)).utf8)
        case .ndjson:
            buffer.append(contentsOf: (ResultFormatter.jsonObject(names: jsonNames, kinds: kinds, row) + "\n").utf8)
        case .table, .markdown:
            if count < formatter.maxTableRows { kept.append(row) }
            numeric.add(row)
        }
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Adds the current row of a statement being stepped. csv copies each
    /// field's bytes from SQLite (integers and text; other values as `add(_: [SQLValue])`
    /// shows them); the other formats take its values.
    public func add(_ row: ResultRow) {
        guard formatter.format == .csv else { return add(row.values) }
        defer { count += 1 }
        for i in 0..<kinds.count {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            switch row.field(i) {
            case .null: break
            case .text(let bytes): ResultFormatter.appendCSVField(bytes, to: &buffer, spreadsheetSafe: formatter.spreadsheetSafe)
            case .integer(let integer) where kinds[i] != .percent: ResultFormatter.appendDecimal(integer, to: &buffer)
            case .integer, .other:  // numbers (and blobs): never neutralised
                ResultFormatter.appendCSVField(ResultFormatter.text(row.value(i), kind: kinds[i]), to: &buffer)
            }
        }
        buffer.append(10)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Prints what is left: the end of the json array, or the table.
    public func finish() {
        if collectsAll {
            buffer.append(contentsOf: formatter.render(ResultTable(columns: columns, rows: kept), display: display).utf8)
        } else {
            switch formatter.format {
            case .json: buffer.append(contentsOf: (count == 0 ? "[]\n" : "\n]\n").utf8)
            case .table:
                buffer.append(contentsOf: formatter.table(columns: columns, shown: kept[...], total: count, right: numeric.right).utf8)
            default: break
            }
        }
        flush()
    }

    private func flush() {
        if !buffer.isEmpty { output(buffer) }
        buffer.removeAll(keepingCapacity: true)
    }
}
