import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

extension WarehouseCommand {
    struct Shell: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "An interactive SQL shell over the warehouse, with the report library at hand.",
            discussion: """
                SQL statements end with ; and may span several lines; dot commands (.help lists them) run at once. \
                Line editing with Emacs keys and arrow keys, Ctrl-R searches the history (kept in ~/.warehouse_history), \
                Tab completes commands, reports, tables and columns. Ctrl-C stops a running query, Ctrl-D leaves. \
                Standard input that is not a terminal is run as a script (exit status 1 when a statement failed). \
                The warehouse is opened read-only unless --write is given.
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var queries: QueryOptions

        @Flag(name: .long, help: "Allow statements that change the warehouse.")
        var write = false

        func run() throws {
            let store: ShellSession.Store = try database.postgres().map { .postgres(try PostgresWarehouse.openExisting($0)) }
                ?? .file(try Warehouse.openExisting(path: database.path, writable: write))
            let library = queries.library(for: database.path)
            if case .file(let warehouse) = store {
                // Your own reports are views too, for this connection (as `warehouse sql` has them).
                for warning in library.installTemporaryViews(warehouse.db) { Terminal.printError("warning: \(warning)") }
            }
            let session = ShellSession(store: store, library: library, writable: write,
                                       write: { Terminal.write($0) }, writeError: { Terminal.printError(String($0.dropLast())) })
            guard Terminal.isTerminal(STDIN_FILENO) else {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                ShellSignals.install()  // after reading: until then Ctrl-C ends the program
                session.runScript(String(decoding: input, as: UTF8.self))
                if session.errorCount > 0 { throw ExitCode(1) }
                return
            }
            ShellSignals.install()
            let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
            let editor = LineEditor(historyPath: (home as NSString).appendingPathComponent(".warehouse_history")) {
                session.completions(before: $0, word: $1)
            }
            Terminal.write("warehouse \(session.warehouse.name) (\(write ? "writable" : "read-only"), time zone \(session.warehouse.timeZone)). .help for help, Ctrl-D to leave.\n")
            while !session.finished {
                switch editor.readLine(prompt: session.isContinuing ? "      ...> " : "warehouse> ") {
                case .line(let line): session.handle(line: line)
                case .interrupted:
                    session.cancelPending()
                    Terminal.write("^C\n")
                case .end:
                    Terminal.write("\n")
                    return
                }
            }
        }
    }
}
