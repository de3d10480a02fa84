import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

extension WarehouseCommand {
    struct SQL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sql",
            abstract: "Run ad hoc SQL on the warehouse.",
            discussion: """
                The warehouse is opened read-only unless --write is given. Several statements separated by `;` run \
                in order; each one that returns rows prints them. Tables: fact_conversation, fact_message, \
                fact_failed_message and the dim_* tables; readable views: conversations, messages, contacts, users, \
                channels, failed_messages, rejects; and a view per report (`warehouse reports`).
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var csv: SpreadsheetSafeOption
        @OptionGroup var queries: QueryOptions

        @Flag(name: .long, help: "Allow statements that change the warehouse.")
        var write = false

        @Argument(help: "The SQL to run.")
        var sql: String

        func run() throws {
            let formatter = try csv.applied(to: output.formatter)
            if let location = try database.postgres() {
                return try run(on: try PostgresWarehouse.openExisting(location), formatter)
            }
            let warehouse = try Warehouse.openExisting(path: database.path, writable: write)
            // Your own reports are views too, for this connection.
            for warning in queries.library(for: database.path).installTemporaryViews(warehouse.db) {
                Terminal.printError("warning: \(warning)")
            }
            var printed = 0
            do {
                try warehouse.db.forEachStatement(sql) { statement in
                    if statement.columnCount == 0 {
                        try statement.run()
                        return
                    }
                    if printed > 0 && formatter.format == .table { Terminal.write("\n") }
                    // Printed as it is stepped: a long result is never held whole.
                    let stream = ResultStream(formatter, columns: statement.columnNames, bytes: Terminal.write(bytes:))
                    try statement.forEachResultRow { stream.add($0) }
                    stream.finish()
                    printed += 1
                }
            } catch let error as SQLiteError {
                if !write && error.primaryCode == 8 /* SQLITE_READONLY */ {
                    throw WarehouseError("the warehouse is opened read-only: add --write to change it (\(error.message))")
                }
                throw WarehouseError("SQL error: \(error.message)" + (error.sql.map { "\n  in: \($0)" } ?? ""))
            }
        }

        /// The statements on PostgreSQL, in one transaction: read-only unless --write
        /// (then all of them or none stay).
        private func run(on warehouse: PostgresWarehouse, _ formatter: ResultFormatter) throws {
            defer { warehouse.close() }
            // Your own reports are views too, for this session (temporary, as on a file).
            for warning in warehouse.installTemporaryViews(queries.library(for: database.path)) {
                Terminal.printError("warning: \(warning)")
            }
            var printed = 0
            var stream: ResultStream?
            do {
                try warehouse.runScript(sql, write: write, columns: { names in
                    if printed > 0 && formatter.format == .table { Terminal.write("\n") }
                    stream = ResultStream(formatter, columns: names, bytes: Terminal.write(bytes:))
                }, row: { stream?.add($0) }, ended: {
                    stream?.finish()
                    printed += 1
                })
            } catch let PostgresFailure.statement(error) {
                if !write && error.isReadOnlyRefusal {
                    throw WarehouseError("the warehouse is opened read-only: add --write to change it (\(error.message))")
                }
                throw WarehouseError("SQL error: \(error)")
            }
        }
    }
}
