import Foundation

/// One report of the library: a SQL file whose header comment documents it.
///
///     -- name: incoming_messages_by_channel
///     -- title: Incoming messages by channel
///     -- description: One line for `warehouse reports`.
///     -- params: from, to, tz, by, channel
///     -- optional_columns: period (with --by)
///     -- business_hours: avg_first_response_seconds
///     -- columns:
///     --   channel_id: what the column holds
///     SELECT …
///
/// `business_hours` names the columns that `--business-hours` counts in business
/// hours: with it they are named `…_business_seconds` (any other `…_in_business_hours`),
/// so every output says which time it counts. Other header keys (anchor, grain, order, notes, display) are kept for help
/// text; a value may continue on following comment lines indented by more than
/// one space. The body is one SQL statement that reads the report's parameters
/// as named parameters (`:from_ts`, `:tz`, …; see `ReportParameters`). A line
/// comment `-- include: NAME` in it stands for a shared fragment's SQL
/// (`ReportFragments`), pasted in when the file is read.
public struct Report: Sendable {
    public let name: String
    public let title: String
    public let description: String
    /// The parameters the report takes, in the header's order.
    public let parameters: [ReportParameter]
    /// (column, description) in the header's order.
    public let columns: [(name: String, description: String)]
    /// Every header key and its value, for help text.
    public let header: [(key: String, value: String)]
    /// Columns shown only when a parameter is given: column → parameter.
    public let optionalColumns: [String: ReportParameter]
    /// Columns in business seconds with --business-hours (`-- business_hours:`).
    public let businessHoursColumns: Set<String>
    /// The statement, its includes expanded: what SQLite prepares.
    public let sql: String
    /// Where the report comes from: "built-in" or the file's path.
    public let source: String

    public var isBuiltIn: Bool { source == "built-in" }

    /// A column's name with --business-hours: `avg_resolution_seconds` → `avg_resolution_business_seconds`,
    /// any other `bucket` → `bucket_in_business_hours`.
    public static func businessHoursName(_ column: String) -> String {
        column.hasSuffix("_seconds") ? column.dropLast("_seconds".count) + "_business_seconds" : column + "_in_business_hours"
    }
    public var display: String? { value(of: "display") }

    public func value(of key: String) -> String? { header.first { $0.key == key }?.value }

    public struct HeaderError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses a report file, its includes (`-- include: NAME`) expanded first with `fragments`.
    /// `expectedName` is the file name without `.sql`.
    public init(text: String, expectedName: String, source: String, fragments: ReportFragments = .builtInOnly) throws {
        let file = source == "built-in" ? expectedName + ".sql" : source
        func fail(_ message: String) -> HeaderError { HeaderError(description: "\(file): \(message)") }
        let text = try fragments.expand(text, file: file)
        var header: [(key: String, value: String)] = []
        var columns: [(name: String, description: String)] = []
        var inColumns = false
        // The header, line by line; the body is the rest, taken whole (reading it line by line
        // was a third of the time the built-in reports take to read, at every start).
        var rest = Substring(text)
        while !rest.isEmpty {
            let (line, next) = rest.splittingFirstLine()
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { rest = next; continue }
            guard trimmed.hasPrefix("--") else { break }
            rest = next
            let content = trimmed.dropFirst(2)
            let indented = content.hasPrefix("  ")
            let entry = content.trimmingWhitespace()
            if entry.isEmpty { continue }
            if indented {
                if inColumns, let colon = entry.firstIndex(of: ":"), !entry[..<colon].contains(" ") {
                    columns.append((String(entry[..<colon]), entry[entry.index(after: colon)...].trimmingWhitespace()))
                } else if inColumns, let last = columns.popLast() {
                    columns.append((last.name, last.description + " " + entry))
                } else if let last = header.popLast() {
                    header.append((last.key, last.value + " " + entry))
                }
                continue
            }
            guard let colon = entry.firstIndex(of: ":") else { continue }
            let key = entry[..<colon].trimmingWhitespace().lowercased()
            let value = entry[entry.index(after: colon)...].trimmingWhitespace()
            inColumns = key == "columns"
            if !inColumns { header.append((key, value)) }
        }
        let value = { (key: String) in header.first { $0.key == key }?.value }

        guard let name = value("name"), !name.isEmpty else { throw fail("the header has no `-- name:` line") }
        guard name == expectedName else { throw fail("the header names the report '\(name)' but the file is \(expectedName).sql: they must match") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.first?.isLetter == true else {
            throw fail("'\(name)' is not a report name: use letters, digits and _ , starting with a letter")
        }
        guard let description = value("description"), !description.isEmpty else { throw fail("the header has no `-- description:` line") }
        var parameters: [ReportParameter] = []
        for word in (value("params") ?? "").split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let parameter = ReportParameter(rawValue: word.hasPrefix("--") ? String(word.dropFirst(2)) : String(word)) else {
                throw fail("unknown parameter '\(word)' in `-- params:`; the parameters are \(ReportParameter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            parameters.append(parameter)
        }
        var optional: [String: ReportParameter] = [:]
        for entry in (value("optional_columns") ?? "").split(separator: ",") {
            // "period (with --by)"
            let parts = entry.split(whereSeparator: { " ()".contains($0) })
            guard parts.count == 3, parts[1] == "with", let parameter = ReportParameter(rawValue: String(parts[2].drop { $0 == "-" })) else {
                throw fail("`-- optional_columns:` entries read `COLUMN (with --PARAM)`, not '\(entry.trimmingWhitespace())'")
            }
            optional[String(parts[0])] = parameter
        }
        let businessHours = Set((value("business_hours") ?? "").split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty })
        if !businessHours.isEmpty, !parameters.contains(.businessHours) {
            throw fail("`-- business_hours:` lists columns but `-- params:` has no business-hours")
        }
        let body = rest.withLineBreaksAsNewlines().trimmingWhitespace()
        guard !body.isEmpty else { throw fail("there is no SQL after the header") }

        self.name = name
        self.title = value("title") ?? name
        self.description = description
        self.parameters = parameters
        self.columns = columns
        self.header = header
        self.optionalColumns = optional
        self.businessHoursColumns = businessHours
        self.sql = body.hasSuffix(";") ? String(body.dropLast()) : body
        self.source = source
    }

    /// The report's help: title, description, the other header notes, parameters and columns.
    public var help: String {
        var out = "\(name): \(title)\n\(description)\n"
        for (key, value) in header where !["name", "title", "description", "params", "optional_columns", "display", "business_hours"].contains(key) {
            out += "\n" + Self.wrap("\(key.prefix(1).uppercased() + key.dropFirst()): ", value, indent: "  ")
        }
        if !businessHoursColumns.isEmpty {
            let renamed = header.first { $0.key == "business_hours" }?.value.split(separator: ",")
                .map { Self.businessHoursName($0.trimmingWhitespace()) }.joined(separator: ", ") ?? ""
            out += "\n" + Self.wrap("In business hours: ", "with --business-hours these columns count in business hours and are named " + renamed, indent: "  ")
        }
        out += "\n\nParameters:"
        if parameters.isEmpty { out += " none" }
        if !parameters.isEmpty { out += "\n" + ReportParameter.helpLines(parameters) }
        if !columns.isEmpty {
            out += "\n\nColumns:"
            let width = max(12, (columns.map(\.name.count).max() ?? 0) + 2)
            for column in columns {
                out += "\n" + Self.wrap("  " + column.name.padding(toLength: width, withPad: " ", startingAt: 0), column.description,
                                      indent: String(repeating: " ", count: width + 2))
            }
        }
        if !isBuiltIn { out += "\n\nFrom \(source)." }
        return out + "\n"
    }

    /// `lead` then `text` wrapped at 100 columns, continuing lines with `indent`.
    static func wrap(_ lead: String, _ text: String, indent: String, width: Int = 100) -> String {
        var lines: [String] = []
        var line = lead
        var lineHasWords = false
        for word in text.split(separator: " ") {
            if lineHasWords, line.count + 1 + word.count > width {
                lines.append(line)
                line = indent + word
            } else {
                line += (lineHasWords ? " " : "") + word
            }
            lineHasWords = true
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}

extension Substring {
    /// The first line and what follows its line break (`\n`, `\r\n` or `\r`), found in the
    /// UTF-8 bytes rather than Character by Character; the rest is empty after the last line.
    func splittingFirstLine() -> (line: Substring, rest: Substring) {
        let bytes = utf8
        guard let lineBreak = bytes.firstIndex(where: { $0 == 10 || $0 == 13 }) else { return (self, self[endIndex...]) }
        var next = bytes.index(after: lineBreak)
        if bytes[lineBreak] == 13, next < bytes.endIndex, bytes[next] == 10 { next = bytes.index(after: next) }
        return (self[..<lineBreak], self[next...])
    }

    /// The text with every line break written `\n`: "\r\n" (a file saved on Windows) and the
    /// other line breaks of Unicode included. Text of ASCII with only `\n` (most SQL) as it is.
    func withLineBreaksAsNewlines() -> Substring {
        guard utf8.contains(where: { $0 == 13 || $0 == 11 || $0 == 12 || $0 >= 0x80 }) else { return self }
        return Substring(split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: "\n"))
    }
}

extension StringProtocol {
    /// Without leading and trailing white space (spaces, tabs, line breaks). Native:
    /// Foundation's `trimmingCharacters(in:)` copied each report's SQL through UTF-16,
    /// which was 28 % of the 40 ms `warehouse sql "SELECT 1"` took (the built-in reports
    /// are parsed at every start, to check the warehouse's views).
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
