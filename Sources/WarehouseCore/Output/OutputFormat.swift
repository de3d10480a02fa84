/// How results are printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    /// Box-drawn, for people (the default on a terminal).
    case table
    /// RFC 4180, for programs (the default when output is not a terminal).
    case csv
    /// One JSON array of objects.
    case json
    /// One JSON object per line.
    case ndjson
    /// A GitHub-flavoured Markdown table.
    case markdown
}

/// Formats a `ResultTable` in each output format.
public struct ResultFormatter: Sendable {
    public var format: OutputFormat
    /// Table output shows at most this many rows and says how many were left out
    /// (csv, json, ndjson and markdown never cut).
    public var maxTableRows: Int
    /// Columns whose name ends in `_seconds` are shown as `1h 02m 03s` in table output.
    public var humanDurations: Bool
    /// csv for a spreadsheet: a text cell that starts with `=`, `+`, `-`, `@`,
    /// a tab or a carriage return, which a spreadsheet would run as a formula
    /// (`=HYPERLINK(…)` in a contact's name), is written with a `'` before it,
    /// as OWASP advises for CSV injection; numbers (integer and real values)
    /// stay as they are, negative ones too. The command line's csv is raw
    /// unless `--spreadsheet-safe`; csv over HTTP is safe unless `raw=1`.
    public var spreadsheetSafe: Bool

    public init(format: OutputFormat, maxTableRows: Int = 40, humanDurations: Bool = true, spreadsheetSafe: Bool = false) {
        self.format = format
        self.maxTableRows = maxTableRows
        self.humanDurations = humanDurations
        self.spreadsheetSafe = spreadsheetSafe
    }

    /// `display: heatmap` (a report's header) draws a weekday × hour grid in table output.
    public func render(_ result: ResultTable, display: String? = nil) -> String {
        if format == .table, display == "heatmap", let grid = Heatmap(result) { return grid.render() }
        if format == .markdown { return markdown(result) }
        // The writer of a streamed result, fed the rows held: one way to write each format.
        var out = ""
        let stream = ResultStream(self, columns: result.columns) { out += $0 }
        result.rows.forEach(stream.add)
        stream.finish()
        return out
    }

    // MARK: CSV

    /// A field quoted when it holds a comma, a quote or a line break (its quotes
    /// doubled). Over UTF-8 bytes: comparing Characters and Foundation's replacing
    /// took most of the time of a long csv output.
    /// `spreadsheetSafe`: a text that starts as a formula gets a `'` before it.
    public static func csvField(_ s: String, spreadsheetSafe: Bool = false) -> String {
        guard s.utf8.contains(where: isSpecial) || (spreadsheetSafe && startsAsFormula(s.utf8.first)) else { return s }
        var out: [UInt8] = []
        appendCSVField(s, to: &out, spreadsheetSafe: spreadsheetSafe)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendCSVField(_ s: String, to out: inout [UInt8], spreadsheetSafe: Bool = false) {
        var s = s
        s.withUTF8 { appendCSVField($0, to: &out, spreadsheetSafe: spreadsheetSafe) }
    }

    /// Whether a text starting with `byte` is read as a formula by a spreadsheet:
    /// `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's list).
    static func startsAsFormula(_ byte: UInt8?) -> Bool {
        switch byte {
        case UInt8(ascii: "=")?, UInt8(ascii: "+")?, UInt8(ascii: "-")?, UInt8(ascii: "@")?, 9?, 13?: return true
        default: return false
        }
    }

    /// Copies a field, quoted when it must be (its quotes doubled);
    /// `spreadsheetSafe`: with a `'` before it when it starts as a formula.
    static func appendCSVField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8], spreadsheetSafe: Bool = false) {
        let neutralised = spreadsheetSafe && startsAsFormula(bytes.first)
        guard bytes.contains(where: isSpecial) else {
            if neutralised { out.append(UInt8(ascii: "'")) }
            return out.append(contentsOf: bytes)
        }
        out.append(UInt8(ascii: "\""))
        if neutralised { out.append(UInt8(ascii: "'")) }
        var rest = bytes[...]
        while let quote = rest.firstIndex(of: UInt8(ascii: "\"")) {
            out.append(contentsOf: rest[...quote])
            out.append(UInt8(ascii: "\""))
            rest = rest[(quote + 1)...]
        }
        out.append(contentsOf: rest)
        out.append(UInt8(ascii: "\""))
    }

    /// An integer's decimal digits, as `String(value)` writes them.
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    private static func isSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13
    }

    /// A value as csv, json and markdown show it: `_pct` columns with two
    /// decimals, `_seconds` columns in whole seconds.
    public static func text(_ value: SQLValue, column: String) -> String {
        text(value, kind: ColumnKind(column))
    }

    /// What a column's name says of its values.
    enum ColumnKind {
        case percent, seconds, other
        init(_ column: String) {
            self = column.hasSuffix("_pct") ? .percent : column.hasSuffix("_seconds") ? .seconds : .other
        }
    }

    static func text(_ value: SQLValue, kind: ColumnKind) -> String {
        switch (value, kind) {
        case (.real(let v), .percent) where v.isFinite:
            return String(format: "%.2f", v)
        case (.integer(let v), .percent):
            return "\(v).00"
        case (.real(let v), .seconds) where v.isFinite && abs(v) < 9.2e18:  // beyond, Int64(_:) would trap
            return String(Int64(v.rounded(.toNearestOrAwayFromZero)))
        default:
            return value.description
        }
    }

    // MARK: JSON

    static func jsonValue(_ v: SQLValue) -> String {
        switch v {
        case .null: return "null"
        case .integer(let i): return String(i)
        case .real(let d): return d.isFinite ? SQLValue.format(d) : "null"
        case .text(let s): return JSONText.string(s)
        case .blob: return JSONText.string(v.description)
        }
    }

    /// `names`: each column's JSON name and colon, made once per result.
    static func jsonObject(names: [String], kinds: [ColumnKind], _ row: [SQLValue]) -> String {
        var out = "{"
        for (i, value) in row.enumerated() {
            if i > 0 { out += "," }
            out += names[i]
            switch value {
            case .real(let v) where v.isFinite: out += text(value, kind: kinds[i])
            case .integer: out += text(value, kind: kinds[i])
            default: out += jsonValue(value)
            }
        }
        return out + "}"
    }

    // MARK: Line

    /// One `column = value` line per column, a blank line between rows (the
    /// sqlite3 shell's line mode): for wide rows.
    public static func lines(_ r: ResultTable) -> String {
        let width = r.columns.map { TextWidth.of($0) }.max() ?? 0
        return r.rows.map { row in
            zip(r.columns, row).map { column, value in
                String(repeating: " ", count: width - TextWidth.of(column)) + column + " = " + text(value, column: column)
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
    }

    // MARK: Markdown

    func markdown(_ r: ResultTable) -> String {
        func cell(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
        }
        var numeric = NumericColumns(count: r.columns.count)
        r.rows.forEach { numeric.add($0) }
        var out = "| " + r.columns.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + numeric.right.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for row in r.rows {
            out += "| " + zip(r.columns, row).map { cell(Self.text($1, column: $0)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }

    // MARK: Table

    /// `1h 02m 03s`, `2m 05s`, `45s`; days are shown as hours.
    public static func humanDuration(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude  // abs(Int64.min) would trap
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60)
        func two(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        if h > 0 { return "\(sign)\(h)h \(two(m))m \(two(sec))s" }
        if m > 0 { return "\(sign)\(m)m \(two(sec))s" }
        return "\(sign)\(sec)s"
    }

    /// As `humanDuration`, to the minute from an hour up (the dashboard's `1h 02m`):
    /// `1h 02m`, `12m 05s`, `45s`; seconds rounded half away from zero.
    public static func shortDuration(_ seconds: Int64) -> String {
        guard abs(seconds) >= 3600 else { return humanDuration(seconds) }
        let minutes = (abs(seconds) + 30) / 60
        return "\(seconds < 0 ? "-" : "")\(minutes / 60)h \(minutes % 60 < 10 ? "0" : "")\(minutes % 60)m"
    }

    /// The columns aligned right: those holding numbers only (NULLs aside), at least one.
    struct NumericColumns {
        private var sawNumber: [Bool]
        private var sawOther: [Bool]

        init(count: Int) {
            sawNumber = Array(repeating: false, count: count)
            sawOther = sawNumber
        }

        mutating func add(_ row: [SQLValue]) {
            for (i, value) in row.enumerated() {
                switch value {
                case .integer, .real: sawNumber[i] = true
                case .null: break
                default: sawOther[i] = true
                }
            }
        }

        var right: [Bool] { zip(sawNumber, sawOther).map { $0 && !$1 } }
    }

    func displayText(_ value: SQLValue, column: String, durationRow: Bool = false) -> String {
        let isDuration = column.hasSuffix("_seconds") || (durationRow && (column == "value" || column == "previous_value"))
        if humanDurations, isDuration {
            switch value {
            case .integer(let v): return Self.humanDuration(v)
            case .real(let v) where v.isFinite && abs(v) < 9.2e18: return Self.humanDuration(Int64(v.rounded()))
            default: break
            }
        }
        // One line per cell: newlines are shown as ⏎.
        return Self.text(value, column: column).replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
    }

    /// The box-drawn table of the rows shown, of `total`; `right`: the columns
    /// aligned right (numbers).
    func table(columns: [String], shown: ArraySlice<[SQLValue]>, total: Int, right: [Bool]) -> String {
        // A KPI table (column kpi) shows the values of its `…_seconds` KPIs as durations.
        let kpi = columns.firstIndex(of: "kpi")
        let cells = shown.map { row in
            let durationRow = kpi.map { row[$0].string?.hasSuffix("_seconds") ?? false } ?? false
            return zip(columns, row).map { displayText($1, column: $0, durationRow: durationRow) }
        }
        var widths = columns.map { TextWidth.of($0) }
        for row in cells { for (i, c) in row.enumerated() { widths[i] = max(widths[i], min(TextWidth.of(c), 60)) } }
        func line(_ l: String, _ m: String, _ rr: String) -> String {
            l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + rr + "\n"
        }
        func row(_ values: [String], alignRight: [Bool]) -> String {
            "│" + values.enumerated().map { i, v in
                let text = TextWidth.truncate(v, to: widths[i])
                let pad = String(repeating: " ", count: widths[i] - TextWidth.of(text))
                return " " + (alignRight[i] ? pad + text : text + pad) + " "
            }.joined(separator: "│") + "│\n"
        }
        var out = line("┌", "┬", "┐")
        out += row(columns, alignRight: right)
        out += line("├", "┼", "┤")
        for c in cells { out += row(c, alignRight: right) }
        out += line("└", "┴", "┘")
        let left = total - shown.count
        if left > 0 {
            out += "\(total) rows; the first \(shown.count) shown, \(left) left out (use --format csv or json for all).\n"
        } else {
            out += "\(total) row\(total == 1 ? "" : "s")\n"
        }
        return out
    }
}

/// Display width of text in a terminal: East Asian wide characters and emoji take two columns.
public enum TextWidth {
    public static func of(_ s: String) -> Int {
        s.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of c: Character) -> Int {
        guard let scalar = c.unicodeScalars.first else { return 0 }
        let v = scalar.value
        if v < 0x1100 { return 1 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1FAFF).contains(v) || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }

    /// Cuts `s` to at most `width` columns, ending in `…` when cut.
    public static func truncate(_ s: String, to width: Int) -> String {
        if of(s) <= width { return s }
        var out = ""
        var w = 0
        for c in s {
            let cw = self.width(of: c)
            if w + cw > width - 1 { break }
            out.append(c); w += cw
        }
        return out + "…"
    }
}
