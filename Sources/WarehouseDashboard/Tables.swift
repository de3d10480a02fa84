import WarehouseCore

/// A report column shown in a table: its name in the report and the heading
/// the page gives it (default `Display.heading`).
struct Column {
    let name: String
    let label: String
    /// How the column's values read, where not as `Display.text` shows them.
    let show: ((SQLValue) -> String)?

    init(_ name: String, _ label: String? = nil, show: ((SQLValue) -> String)? = nil) {
        self.name = name
        self.label = label ?? Display.heading(name)
        self.show = show
    }
}

extension TableModel {
    /// A long table scrolls on a screen.
    static let longRows = 15

    /// The report's rows, the given columns in order: each cell formatted by
    /// `Display`, with the report's own value beside it. `durationRow`: rows
    /// whose numbers are durations whatever the column (a KPI row).
    init(_ result: ReportResult, caption: String, columns: [Column], durationRow: (([SQLValue]) -> Bool)? = nil,
         flagged: (([SQLValue]) -> Bool)? = nil) {
        let shown = columns.filter { result.index($0.name) != nil }
        let numeric = shown.map { column in
            let i = result.index(column.name)!
            return !result.rows.isEmpty && result.rows.allSatisfy { row in
                switch row[i] { case .integer, .real, .null: return true; default: return false }
            }
        }
        self.init(
            caption: caption, report: result.run.report.name, byParameter: result.run.arguments.by, groupByParameter: result.run.arguments.groupBy,
            headers: zip(shown, numeric).map { HeaderModel(label: $0.label, headerNumeric: $1) },
            rows: result.rows.map { row in
                let asDuration = durationRow?(row) ?? false
                let cells = shown.enumerated().map { position, column in
                    let value = row[result.index(column.name)!]
                    return CellModel(text: column.show?(value) ?? Display.text(value, column: column.name, asDuration: asDuration),
                                     value: ResultFormatter.text(value, column: column.name), column: column.name,
                                     numeric: numeric[position], rowHeader: position == 0)
                }
                return RowModel(cells: cells, flagged: flagged?(row) ?? false)
            },
            long: result.rows.count > Self.longRows)
    }

    /// A table of numbers the page arranges itself (the heatmap's grid, the
    /// contact types side by side): each cell's value is the report's, each
    /// row's heading keeps its key (a weekday's number, a period) as its value.
    init(caption: String, _ result: ReportResult, headers: [String],
         rows: [(key: String, label: String, cells: [(column: String, value: SQLValue)])]) {
        self.init(
            caption: caption, report: result.run.report.name, byParameter: result.run.arguments.by, groupByParameter: result.run.arguments.groupBy,
            headers: headers.enumerated().map { HeaderModel(label: $1, headerNumeric: $0 > 0) },
            rows: rows.map { row in
                let head = CellModel(text: row.label, value: row.key, column: "", numeric: false, rowHeader: true)
                return RowModel(cells: [head] + row.cells.map { cell in
                    CellModel(text: Display.text(cell.value, column: cell.column), value: ResultFormatter.text(cell.value, column: cell.column),
                              column: cell.column, numeric: true, rowHeader: false)
                }, flagged: false)
            },
            long: rows.count > Self.longRows)
    }
}
