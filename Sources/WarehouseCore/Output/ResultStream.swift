/// Prints a result while it is stepped, in a `ResultFormatter`'s format. csv,
/// json and ndjson hold one row at a time and table output only the rows it
/// shows (the others are counted), so printing every message of a warehouse
/// takes no more memory than printing forty. Markdown (its alignment line comes
/// before the rows and depends on all of them) and the heatmap (a grid) collect
/// the rows first. Output is handed to `output` in pieces of about 64 KiB.
public final class ResultStream {
    private let formatter: ResultFormatter
    private let display: String?
    private let columns: [String]
    private let output: (String) -> Void
    private var buffer = ""
    private var count = 0
    /// Table: the rows shown; markdown and the heatmap: every row.
    private var kept: [[SQLValue]] = []
    /// Table: the columns to align right, over every row (shown or not).
    private var numeric: ResultFormatter.NumericColumns
    /// Made once, not per value: what each column's name says, and its JSON name.
    private let kinds: [ResultFormatter.ColumnKind]
    private let jsonNames: [String]

    private var collectsAll: Bool { formatter.format == .markdown || (formatter.format == .table && display == "heatmap") }

    public init(_ formatter: ResultFormatter, columns: [String], display: String? = nil, output: @escaping (String) -> Void) {
        self.formatter = formatter
        self.display = display
        self.columns = columns
        self.output = output
        numeric = ResultFormatter.NumericColumns(count: columns.count)
        kinds = columns.map(ResultFormatter.ColumnKind.init)
        jsonNames = formatter.format == .json || formatter.format == .ndjson ? columns.map { JSONText.string($0) + ":" } : []
        if formatter.format == .csv {
            buffer = columns.map(ResultFormatter.csvField).joined(separator: ",") + "\n"
        }
    }

    public func add(_ row: [SQLValue]) {
        defer { count += 1 }
        if collectsAll { kept.append(row); return }
        switch formatter.format {
        case .csv:
            for (i, value) in row.enumerated() {
                if i > 0 { buffer += "," }
                buffer += ResultFormatter.csvField(ResultFormatter.text(value, kind: kinds[i]))
            }
            buffer += "\n"
        case .json:
            buffer += (count == 0 ? "[\n  " : ",\n  ") + ResultFormatter.jsonObject(names: jsonNames, kinds: kinds, row)
        case .ndjson:
            buffer += ResultFormatter.jsonObject(names: jsonNames, kinds: kinds, row) + "\n"
        case .table, .markdown:
            if count < formatter.maxTableRows { kept.append(row) }
            numeric.add(row)
        }
        if buffer.utf8.count >= 1 << 16 { flush() }
    }

    /// Prints what is left: the end of the json array, or the table.
    public func finish() {
        if collectsAll {
            buffer += formatter.render(ResultTable(columns: columns, rows: kept), display: display)
        } else {
            switch formatter.format {
            case .json: buffer += count == 0 ? "[]\n" : "\n]\n"
            case .table:
                buffer += formatter.table(columns: columns, shown: kept[...], total: count, right: numeric.right)
            default: break
            }
        }
        flush()
    }

    private func flush() {
        if !buffer.isEmpty { output(buffer) }
        buffer = ""
    }
}
