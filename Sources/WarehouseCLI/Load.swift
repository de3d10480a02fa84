import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

extension WarehouseCommand {
    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load export files into the warehouse.",
            discussion: """
                Each file's kind is recognised from its header. Files load in file-name order, each in its own \
                transaction: a file that fails leaves the warehouse as it was before it. Records are kept by their \
                natural key, so loading a file twice, or overlapping exports, leaves each record once, and a later \
                record replaces the stored one. Rows that cannot be read are rejected and listed with their line \
                (`SELECT * FROM rejects`); the rest of the file loads. A file saved again by a spreadsheet loads \
                too: its dates' day and month order is decided from its values (or by --date-order), never guessed. \
                With --db postgresql://…, the same into a warehouse on a PostgreSQL server, made by the first load \
                (docs/postgresql.md).
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(name: .long, help: "The workspace time zone (IANA name) of a new warehouse; default UTC. An existing warehouse keeps its own.")
        var timezone: String?

        @Flag(name: [.short, .long], help: "Print only errors.")
        var quiet = false

        @Flag(name: .long, help: "Print where each file's time went (rows, index builds, summaries, commit).")
        var timings = false

        @Option(name: .long, help: """
            The order of day and month in dates like 03/04/2025 (a file saved by a spreadsheet): dmy (day first) or \
            mdy (month first). By default each file's dates decide it, and a file where none does is refused.
            """)
        var dateOrder: DateOrder?

        @Argument(help: "The export files (CSV).")
        var files: [String] = []

        func validate() throws {
            if files.isEmpty {
                throw ValidationError("name at least one export file, for example `warehouse load exports/*.csv` (a glob that matched nothing names none).")
            }
        }

        func run() throws {
            if let location = try database.postgres() {
                let warehouse = try PostgresWarehouse.openForWriting(location, timeZone: timezone)
                defer { warehouse.close() }
                if warehouse.wasCreated, !quiet, let distribution = try warehouse.distribution() {
                    print("New warehouse \(warehouse.name), \(distribution)")
                }
                try load(with: try warehouse.loader())
                return
            }
            let warehouse = try Warehouse.openForWriting(path: database.path, timeZone: timezone, newFileWithoutLog: true)
            try load(with: try Loader(warehouse: warehouse))
            try warehouse.useWriteAheadLog()
        }

        /// Loads the files in order, printing each one's summary; exit 1 when any failed.
        private func load(with loader: Loader) throws {
            loader.dateOrder = dateOrder
            let showProgress = !quiet && Terminal.isTerminal(STDERR_FILENO)
            var failures = 0
            for path in Loader.loadOrder(files) {
                if showProgress {
                    let name = (path as NSString).lastPathComponent
                    loader.progress = { done, total in ProgressBar.draw(name: name, done: done, total: total) }
                }
                let summary = loader.load(path: path)
                if showProgress { ProgressBar.clear() }
                if let error = summary.error {
                    failures += 1
                    Terminal.printError("error: \(error)")
                    continue
                }
                if !quiet {
                    print(Self.line(summary))
                    for note in summary.notes { print("  \(note)") }
                }
                if timings {
                    print("  " + summary.steps.map { "\($0.name) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", "))
                }
                if !quiet && summary.rejected > 0 {
                    for reject in summary.rejects {
                        print("  rejected \(summary.fileName):\(reject.line): \(reject.reason)")
                    }
                    if summary.rejected > summary.rejects.count {
                        print("  … and \(summary.rejected - summary.rejects.count) more (warehouse sql \"SELECT * FROM rejects\")")
                    }
                }
            }
            if failures > 0 {
                throw ExitCode(1)
            }
        }

        static func line(_ s: LoadSummary) -> String {
            let kind = (s.kind?.rawValue ?? "?") + (s.form == "legacy" ? " (legacy form)" : "")
            return "\(s.fileName): \(kind), \(s.rowsRead) rows: \(s.inserted) inserted, \(s.updated) updated, "
                + "\(s.unchanged) unchanged, \(s.rejected) rejected (\(String(format: "%.2f", s.seconds)) s)"
        }
    }
}

/// A one-line progress bar on standard error.
enum ProgressBar {
    static func draw(name: String, done: Int, total: Int) {
        guard total > 0 else { return }
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let text = "\r\(name) \(bar) \(Int(fraction * 100))% (\(done >> 20)/\(total >> 20) MiB)"
        Terminal.writeError(text)
    }

    static func clear() {
        Terminal.writeError("\r\u{1B}[2K")
    }
}
