import Foundation

/// Cells a spreadsheet would run as formulas when it opens a report's csv
/// (CSV injection), for the tests of spreadsheet-safe csv over HTTP and on the
/// command line: a contact named `=HYPERLINK("http://x","x")`, closing notes
/// starting with `@`, `+`, `-` and `=`, and a report of the user's own with a
/// tab, a carriage return and negative numbers.
public enum FormulaCells {
    public static let contactName = "=HYPERLINK(\"http://x\",\"x\")"
    public static let notes = ["@SUM(1+1)", "+1+1", "-1+1", "=1+1"]

    /// The contacts export: one contact with that name.
    public static let contacts = """
        "ContactID","FirstName","LastName","PhoneNumber","Email"
        "5550001","=HYPERLINK(""http://x"",""x"")","","",""

        """

    /// The conversations export: one conversation per note, of that contact, closed on 2025-03-10.
    public static var conversations: String {
        var text = "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Closing Note Summary,Closed By\n"
        for (i, note) in notes.enumerated() {
            text += "\(i + 1),2025-03-10 09:00:00,2025-03-10 1\(i):00:00,5550001,42,\(note),42\n"
        }
        return text
    }

    /// A report of the user's own (`queries/formula_cells.sql` beside the
    /// warehouse): text cells starting with a tab, a carriage return, `-` and
    /// `=`, and numbers, negative ones too.
    public static let report = """
        -- name: formula_cells
        -- description: Text cells a spreadsheet would run, and negative numbers.
        SELECT char(9) || 'tab' AS tab_text, char(13) || 'cr' AS cr_text, -5 AS negative, -2.5 AS negative_real,
               '-5' AS negative_text, '=1+1' AS formula, 'plain' AS plain

        """
    /// Its csv, spreadsheet-safe and raw.
    public static let reportSafe = "tab_text,cr_text,negative,negative_real,negative_text,formula,plain\n'\ttab,\"'\rcr\",-5,-2.5,'-5,'=1+1,plain\n"
    public static let reportRaw = "tab_text,cr_text,negative,negative_real,negative_text,formula,plain\n\ttab,\"\rcr\",-5,-2.5,-5,=1+1,plain\n"

    /// Writes the report file into `queries` beside the warehouse in `folder`.
    public static func installReport(besideWarehouseIn folder: URL) throws {
        let queries = folder.appendingPathComponent("queries")
        try FileManager.default.createDirectory(at: queries, withIntermediateDirectories: true)
        try Data(report.utf8).write(to: queries.appendingPathComponent("formula_cells.sql"))
    }

    /// The fields of an RFC 4180 csv text, row by row.
    public static func fields(_ csv: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(csv.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" { field.unicodeScalars.append("\""); chars = chars.dropFirst() } else { quoted = false }
                } else {
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }

    /// The cells of a csv text that a spreadsheet would run (they start with
    /// `=`, `+`, `-`, `@`, a tab or a carriage return) and are not numbers.
    public static func runnable(_ csv: String) -> [String] {
        fields(csv).flatMap { $0 }.filter { cell in
            guard let first = cell.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) else { return false }
            return Double(cell) == nil
        }
    }
}
