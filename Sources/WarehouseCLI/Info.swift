import ArgumentParser
import WarehouseCore
import WarehousePostgres

extension WarehouseCommand {
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the warehouse holds: records, date coverage, time zone, schema version, recent loads and rejects."
        )

        @OptionGroup var database: DatabaseOptions

        @Option(name: .long, help: "How many recent loads to list.")
        var loads = 10

        func run() throws {
            let info: WarehouseInfo
            var distribution: String?
            if let location = try database.postgres() {
                let warehouse = try PostgresWarehouse.openExisting(location)
                defer { warehouse.close() }
                info = try warehouse.transaction { try WarehouseInfo(warehouse, loads: loads) }
                distribution = try warehouse.distribution()
            } else {
                info = try WarehouseInfo(try Warehouse.openExisting(path: database.path), loads: loads)
            }
            let table = ResultFormatter(format: .table, maxTableRows: 1000)
            var out = "Warehouse \(info.path)\n"
            out += "  time zone      \(info.timeZone)\n"
            out += "  schema version \(info.schemaVersion)\n"
            out += "  program        \(Version.description)\n"
            if let distribution { out += "  store          \(distribution)\n" }
            out += "\n"
            out += "Records\n"
            let width = info.counts.map(\.name.count).max() ?? 0
            let numbers = info.counts.map { String($0.records) }
            let numberWidth = numbers.map(\.count).max() ?? 0
            for (count, number) in zip(info.counts, numbers) {
                out += "  " + count.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: numberWidth - number.count) + number
                    + (count.note.isEmpty ? "" : "  (\(count.note))") + "\n"
            }
            out += "\nRows per table\n" + table.render(info.tables)
            out += "\nDate coverage (local time)\n" + table.render(info.coverage)
            out += "\nLast loads\n" + table.render(info.lastLoads)
            if info.rejectedTotal > 0 {
                out += "\nRejected rows of those loads (\(info.rejectedTotal) in all: warehouse sql \"SELECT * FROM rejects\")\n"
                out += table.render(info.lastRejects)
            }
            print(out, terminator: "")
        }
    }
}
