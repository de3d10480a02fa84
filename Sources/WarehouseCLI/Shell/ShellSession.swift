import ArgumentParser
import CSQLite
import Foundation
import WarehouseCore
import WarehousePostgres

/// The engine of `warehouse shell`: takes input a line at a time, runs SQL
/// statements once they are complete and dot commands at once, and writes what
/// they print. It knows nothing of terminals; `Shell` feeds it lines from the
/// line editor or from a script.
final class ShellSession {
    /// Where the SQL runs: the warehouse file, or a PostgreSQL schema.
    enum Store {
        case file(Warehouse)
        case postgres(PostgresWarehouse)
    }

    let store: Store
    let library: ReportLibrary
    let writable: Bool

    /// Standard output, where results go unless `.output` or `.once` named a file.
    let write: (String) -> Void
    var writeError: (String) -> Void
    private var outputFile: OutputFile?
    private var onceFile: OutputFile?
    /// A write to the file failed in this statement or command (said once).
    private var outputFailed = false

    var mode: Mode = .table
    var headers = true
    var timer = false
    /// `.spreadsheet-safe on`: csv as `--spreadsheet-safe` writes it.
    var spreadsheetSafe = false
    var maxTableRows = 40
    /// The SQL typed so far that is not yet a complete statement.
    private(set) var pending = ""
    /// Errors so far (a script's exit status).
    private(set) var errorCount = 0
    /// Set by `.quit`/`.exit`.
    private(set) var finished = false
    /// Nesting of `.read`.
    private var readDepth = 0

    enum Mode: String, CaseIterable {
        case table, csv, json, ndjson, markdown, line
    }

    init(store: Store, library: ReportLibrary, writable: Bool,
         write: @escaping (String) -> Void, writeError: @escaping (String) -> Void) {
        self.store = store
        self.library = library
        self.writable = writable
        self.write = write
        self.writeError = writeError
    }

    convenience init(warehouse: Warehouse, library: ReportLibrary, writable: Bool,
                     write: @escaping (String) -> Void, writeError: @escaping (String) -> Void) {
        self.init(store: .file(warehouse), library: library, writable: writable, write: write, writeError: writeError)
    }

    /// The warehouse, whichever store it is on (what reads it the same way on both uses this).
    var warehouse: any ReportStore {
        switch store {
        case .file(let warehouse): return warehouse
        case .postgres(let warehouse): return warehouse
        }
    }

    var isContinuing: Bool { !pending.isEmpty }

    // MARK: Input

    /// Handles one line of input.
    func handle(line: String) {
        if pending.isEmpty {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { return }
            if trimmed.hasPrefix(".") {
                runDotCommand(trimmed)
                return
            }
        }
        pending += (pending.isEmpty ? "" : "\n") + line
        if ShellSession.isComplete(pending) {
            let sql = pending
            pending = ""
            runSQL(sql)
        }
    }

    /// Drops a statement being typed (Ctrl-C at a continuation prompt).
    func cancelPending() { pending = "" }

    /// Runs a whole script: lines in order, then whatever statement is left unterminated.
    func runScript(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if finished || ShellSignals.takeInterrupt() { break }
            handle(line: String(line.hasSuffix("\r") ? line.dropLast() : line))
        }
        if !pending.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !finished {
            let sql = pending
            pending = ""
            runSQL(sql)
        }
    }

    /// Whether `sql` ends with a complete statement (SQLite's own tokenizer:
    /// a `;` outside strings, comments and trigger bodies).
    static func isComplete(_ sql: String) -> Bool {
        sqlite3_complete(sql) != 0
    }

    // MARK: SQL

    func runSQL(_ sql: String) {
        let started = DispatchTime.now()
        outputFailed = false
        switch store {
        case .file(let warehouse): runSQL(sql, on: warehouse)
        case .postgres(let warehouse): runSQL(sql, on: warehouse)
        }
        finishOnce()
        emitTime(since: started)
    }

    private func runSQL(_ sql: String, on warehouse: Warehouse) {
        ShellSignals.activeDatabase = warehouse.db.handle
        defer { ShellSignals.activeDatabase = nil }
        var shown = 0
        do {
            try warehouse.db.forEachStatement(sql) { statement in
                if statement.columnCount == 0 {
                    try statement.run()
                } else {
                    let result = try statement.collect()
                    if shown > 0 && mode == .table { emit("\n") }
                    emit(render(result))
                    shown += 1
                }
            }
        } catch let error as SQLiteError {
            reportSQLError(error)
        } catch {
            fail("\(error)")
        }
    }

    private func reportSQLError(_ error: SQLiteError) {
        if error.primaryCode == SQLITE_INTERRUPT {
            fail("interrupted")
            return
        }
        if error.primaryCode == SQLITE_READONLY && !writable {
            fail("the warehouse is open read-only: start the shell with --write to change it (\(error.message))")
            return
        }
        var text = "SQL error: \(error.message)"
        if let sql = error.sql, let offset = error.offset {
            // The line of the statement that holds the error, and a caret under it.
            let before = sql.prefix(offset)
            let lineStart = before.lastIndex(of: "\n").map { sql.index(after: $0) } ?? sql.startIndex
            let lineEnd = sql[lineStart...].firstIndex(of: "\n") ?? sql.endIndex
            let column = sql.distance(from: lineStart, to: before.endIndex)
            text += "\n  " + sql[lineStart..<lineEnd] + "\n  " + String(repeating: " ", count: column) + "^ here"
        } else if let sql = error.sql, !sql.isEmpty {
            text += "\n  in: " + (sql.count > 200 ? sql.prefix(200) + "…" : sql)
        }
        fail(text)
    }

    func fail(_ message: String) {
        errorCount += 1
        writeError("Error: " + message + "\n")
    }

    // MARK: Output

    func render(_ result: ResultTable, display: String? = nil) -> String {
        if mode == .line { return ResultFormatter.lines(result) }
        let text = formatter.render(result, display: display)
        guard !headers else { return text }
        // Without headers: csv and markdown lose their header lines (json and table keep their shape).
        switch mode {
        case .csv: return text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst().joined()
        case .markdown: return text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
        default: return text
        }
    }

    private var formatter: ResultFormatter {
        let format = OutputFormat(rawValue: mode.rawValue) ?? .table
        return ResultFormatter(format: format, maxTableRows: maxTableRows, spreadsheetSafe: spreadsheetSafe)
    }

    /// `.timer on`: how long the statement took.
    func emitTime(since started: DispatchTime) {
        guard timer else { return }
        emit(String(format: "Run Time: %.3f s\n", Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9))
    }

    /// Writes to the `.once` file, else the `.output` file, else standard
    /// output. A write that fails is one error (the path and the system's
    /// reason); the rest of that statement's output is dropped and the shell goes on.
    func emit(_ text: String) {
        guard let file = onceFile ?? outputFile else { return write(text) }
        guard !outputFailed else { return }
        do { try file.write(text) } catch {
            outputFailed = true
            fail("\(error)")
        }
    }

    func finishOnce() {
        guard let onceFile else { return }
        self.onceFile = nil
        close(onceFile)
    }

    private func close(_ file: OutputFile) {
        do { try file.close() } catch {
            if !outputFailed { fail("\(error)") }
        }
    }

    /// Opens a file named by `.once` or `.output` in place, as sqlite3 does
    /// (`OutputFile`): through a link, into a pipe or a device, never replacing it.
    private func openForWriting(_ path: String) throws -> OutputFile {
        try OutputFile(path: (path as NSString).expandingTildeInPath)
    }

    // MARK: Dot commands

    func runDotCommand(_ line: String) {
        let words: [String]
        do { words = try DotCommand.split(line) } catch {
            fail("\(error)")
            return
        }
        guard let name = words.first else { return }
        outputFailed = false
        guard let command = DotCommand.all.first(where: { $0.name == name }) else {
            fail("unknown command \(name)." + Suggestions.didYouMean(name, DotCommand.all.map(\.name)) + " .help lists them.")
            return
        }
        do {
            try command.run(self, Array(words.dropFirst()))
        } catch let error as SQLiteError {
            reportSQLError(error)
        } catch {
            fail("\(error)")
        }
    }

    func quit() { finished = true }

    /// `.output FILE`: results go to FILE until the next `.output`; `stdout`
    /// (or `-`), or a FILE that cannot be opened, sends them back to standard output.
    func setOutput(_ path: String?) throws {
        if let outputFile { close(outputFile) }
        outputFile = nil
        guard let path, path != "stdout", path != "-" else { return }
        outputFile = try openForWriting(path)
    }

    /// `.once FILE`: the next result goes to FILE (opened, and truncated, now).
    func setOnce(_ path: String) throws {
        if let onceFile { close(onceFile) }
        onceFile = nil
        onceFile = try openForWriting(path)
    }

    func read(_ path: String) throws {
        guard readDepth < 10 else { throw WarehouseError(".read: files read each other too deeply (10 levels)") }
        let expanded = (path as NSString).expandingTildeInPath
        guard let text = try? String(contentsOfFile: expanded, encoding: .utf8) else {
            throw WarehouseError(".read: cannot read \(path)")
        }
        readDepth += 1
        defer { readDepth -= 1 }
        let outer = pending
        pending = ""
        runScript(text)
        pending = outer
    }

    func runReport(_ arguments: [String]) throws {
        guard let name = arguments.first, !name.hasPrefix("-") else {
            throw WarehouseError("usage: .report NAME [--from DATE --to DATE …]; .reports lists the reports")
        }
        let report = try library.report(named: name)
        let given = try ReportArguments.parse(Array(arguments.dropFirst()))
        let started = DispatchTime.now()
        let result: ResultTable
        switch store {
        case .file(let warehouse):
            ShellSignals.activeDatabase = warehouse.db.handle
            defer { ShellSignals.activeDatabase = nil }
            // An interrupt comes up as SQLite's own error, which `reportSQLError` tells as such.
            result = try warehouse.run(report, given)
        case .postgres(let warehouse):
            result = try PostgresCancel.onInterrupt(of: warehouse) { try warehouse.run(report, given) }
        }
        emit(render(result, display: report.display))
        finishOnce()
        emitTime(since: started)
    }

    // MARK: Names, for .tables, .schema and completion

    func tableNames() -> [String] {
        switch store {
        case .file(let warehouse):
            return (try? warehouse.db.rows("""
                SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'
                UNION SELECT name FROM temp.sqlite_schema WHERE type IN ('table', 'view')
                ORDER BY name
                """).compactMap { $0[0].string }) ?? []
        case .postgres(let warehouse):
            return (try? warehouse.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name",
                                        [.text(warehouse.location.schema)]).compactMap { $0[0].string }) ?? []
        }
    }

    func columnNames() -> [String] {
        switch store {
        case .file(let warehouse):
            var names = Set<String>()
            for table in tableNames() {
                for row in (try? warehouse.db.rows("SELECT name FROM pragma_table_info(?)", [.text(table)])) ?? [] {
                    if let name = row[0].string { names.insert(name) }
                }
            }
            return names.sorted()
        case .postgres(let warehouse):
            return (try? warehouse.rows("SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema = ? ORDER BY 1",
                                        [.text(warehouse.location.schema)]).compactMap { $0[0].string }) ?? []
        }
    }
}
