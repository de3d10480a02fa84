import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

extension WarehouseCommand {
    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a whole warehouse into an empty one of the other store: a file into PostgreSQL, or back.",
            discussion: """
                Everything goes: records, summaries, the load log and rejects, tokens, business hours, settings. \
                The receiving warehouse must hold no records; a PostgreSQL one is made (with the file's time zone) \
                when its schema holds none, a file when it does not exist. It is written in one transaction: a copy \
                that fails leaves nothing there.

                  warehouse copy --db warehouse.db --to postgresql://me@db.example.com/support
                  warehouse copy --db postgresql://me@db.example.com/support --to copy.db
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(name: .long, help: ArgumentHelp("Where to copy it: a PostgreSQL URL (from a file), or a new file (from PostgreSQL).", valueName: "url|file"))
        var to: String

        func run() throws {
            let started = Date()
            let summary: WarehouseCopy.Summary
            let target: String
            if let source = try database.postgres() {
                guard !PostgresLocation.isURL(to) else {
                    throw WarehouseError("--to \(try PostgresLocation(url: to)): copy from PostgreSQL into a warehouse file (to move between two PostgreSQL databases, use pg_dump).")
                }
                let from = try PostgresWarehouse.openExisting(source)
                defer { from.close() }
                let into = try Warehouse.openForWriting(path: to, timeZone: from.timeZone, newFileWithoutLog: true)
                summary = try WarehouseCopy.copy(from: from, to: into, progress: Self.progress)
                try into.useWriteAheadLog()
                target = to
            } else {
                guard PostgresLocation.isURL(to) else {
                    throw WarehouseError("--to \(to): copy a warehouse file into PostgreSQL (--to postgresql://…); to copy a file, copy the file.")
                }
                let from = try Warehouse.openExisting(path: database.path)
                let location = try PostgresLocation(url: to)
                let into = try PostgresWarehouse.openForWriting(location, timeZone: from.timeZone)
                defer { into.close() }
                summary = try WarehouseCopy.copy(from: from, to: into, progress: Self.progress)
                target = into.name
            }
            let seconds = Date().timeIntervalSince(started)
            Terminal.printError("copied \(summary.rows) rows of \(summary.tables.count) tables into \(target) (\(String(format: "%.1f", seconds)) s).")
        }

        static func progress(_ table: String, _ rows: Int) {
            Terminal.printError("  \(table): \(rows) rows")
        }
    }
}
