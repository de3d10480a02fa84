import Foundation
import WarehouseCore

/// A shell command that starts with a dot.
struct DotCommand {
    let name: String
    let usage: String
    let help: String
    let run: (ShellSession, [String]) throws -> Void

    static func onOff(_ arguments: [String], _ command: String) throws -> Bool {
        switch arguments.first?.lowercased() {
        case "on" where arguments.count == 1: return true
        case "off" where arguments.count == 1: return false
        default: throw WarehouseError("usage: \(command) on|off")
        }
    }

    static let all: [DotCommand] = [
        DotCommand(name: ".help", usage: ".help", help: "this list") { session, _ in
            let width = all.map(\.usage.count).max() ?? 0
            var out = ""
            for command in all { out += command.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + command.help + "\n" }
            out += "\nSQL statements end with ; and may span several lines. Ctrl-C stops a running query; Ctrl-D leaves.\n"
            session.emit(out)
        },
        DotCommand(name: ".reports", usage: ".reports", help: "the report library: name and description") { session, _ in
            let width = session.library.reports.map(\.name.count).max() ?? 0
            session.emit(session.library.reports.map { $0.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.description + "\n" }.joined())
        },
        DotCommand(name: ".report", usage: ".report NAME [--param VALUE …]", help: "run a report (.report NAME --help for its parameters)") { session, arguments in
            if arguments.count == 2, arguments[1] == "--help" || arguments[1] == "-h" {
                session.emit(try session.library.report(named: arguments[0]).help)
                return
            }
            try session.runReport(arguments)
        },
        DotCommand(name: ".hours", usage: ".hours", help: "the business hours that --business-hours counts in (warehouse hours sets them)") { session, _ in
            session.emit(HoursText.describe(try BusinessHours.read(from: session.warehouse), zone: session.warehouse.timeZone))
        },
        DotCommand(name: ".tables", usage: ".tables [PATTERN]", help: "tables and views (names containing PATTERN)") { session, arguments in
            let pattern = arguments.first?.lowercased()
            let names = session.tableNames().filter { pattern == nil || $0.lowercased().contains(pattern!) }
            let width = (names.map(\.count).max() ?? 0) + 2
            let perLine = max(1, 100 / max(width, 1))
            var out = ""
            for (i, name) in names.enumerated() {
                out += (i % perLine == perLine - 1 || i == names.count - 1) ? name + "\n" : name.padding(toLength: width, withPad: " ", startingAt: 0)
            }
            session.emit(out)
        },
        DotCommand(name: ".schema", usage: ".schema [NAME]", help: "the CREATE statements (of NAME)") { session, arguments in
            guard case .file(let warehouse) = session.store else {
                throw WarehouseError(".schema reads SQLite's catalog and is for a warehouse file: on PostgreSQL, psql's \\d NAME shows a table (or SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'NAME').")
            }
            var sql = "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"
            var values: [SQLValue] = []
            if let name = arguments.first {
                sql += " AND (name = ? OR tbl_name = ?)"
                values = [.text(name), .text(name)]
            }
            let rows = try warehouse.db.rows(sql + " ORDER BY type DESC, name", values)
            if rows.isEmpty, let name = arguments.first {
                throw WarehouseError("no table or view named \(name)." + Suggestions.didYouMean(name, session.tableNames()))
            }
            session.emit(rows.compactMap { $0[0].string.map { $0 + ";\n" } }.joined())
        },
        DotCommand(name: ".mode", usage: ".mode table|csv|json|ndjson|markdown|line", help: "how results are shown") { session, arguments in
            guard arguments.count == 1, let mode = ShellSession.Mode(rawValue: arguments[0].lowercased()) else {
                throw WarehouseError("usage: .mode " + ShellSession.Mode.allCases.map(\.rawValue).joined(separator: "|") + " (now \(session.mode.rawValue))")
            }
            session.mode = mode
        },
        DotCommand(name: ".headers", usage: ".headers on|off", help: "column names above the rows") { session, arguments in
            session.headers = try onOff(arguments, ".headers")
        },
        DotCommand(name: ".timer", usage: ".timer on|off", help: "how long each statement took") { session, arguments in
            session.timer = try onOff(arguments, ".timer")
        },
        DotCommand(name: ".spreadsheet-safe", usage: ".spreadsheet-safe on|off",
                   help: "csv: a ' before a text cell starting with = + - @ tab or CR") { session, arguments in
            session.spreadsheetSafe = try onOff(arguments, ".spreadsheet-safe")
        },
        DotCommand(name: ".once", usage: ".once FILE", help: "the next result to FILE") { session, arguments in
            guard arguments.count == 1 else { throw WarehouseError("usage: .once FILE") }
            try session.setOnce(arguments[0])
        },
        DotCommand(name: ".output", usage: ".output FILE|stdout", help: "results to FILE from now on, or back to the screen") { session, arguments in
            guard arguments.count <= 1 else { throw WarehouseError("usage: .output FILE|stdout") }
            try session.setOutput(arguments.first)
        },
        DotCommand(name: ".read", usage: ".read FILE", help: "run the statements and commands of FILE") { session, arguments in
            guard arguments.count == 1 else { throw WarehouseError("usage: .read FILE") }
            try session.read(arguments[0])
        },
        DotCommand(name: ".quit", usage: ".quit", help: "leave the shell") { session, _ in session.quit() },
        DotCommand(name: ".exit", usage: ".exit", help: "leave the shell") { session, _ in session.quit() },
    ]

    struct SplitError: Error, CustomStringConvertible {
        var description: String { "a quote is not closed" }
    }

    /// The words of a dot command: separated by spaces; "…" and '…' keep spaces.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for c in line {
            if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c == " " || c == "\t" {
                if inWord { words.append(word); word = ""; inWord = false }
            } else {
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw SplitError() }
        if inWord { words.append(word) }
        return words
    }
}
