import ArgumentParser
import Foundation
import WarehouseCore
import WarehouseGenerator

extension WarehouseCommand {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a realistic set of export files, for demos, tests and benchmarks.",
            discussion: """
                Writes users.csv, channels.csv, contacts.csv, conversations.csv (current 30-column form), \
                messages.csv and failed_messages.csv in the export formats, with every timestamp in the given \
                time zone. The same options always give byte-identical files. About 3 closed conversations per \
                contact a year and 10 messages per conversation, plus broadcasts: `--contacts 100000` gives about \
                300,000 conversations and 3 million messages.
                """
        )

        @Option(name: .long, help: "The directory to write into (created if missing; files of the same names are replaced).")
        var out: String

        @Option(name: .long, help: "Number of contacts.")
        var contacts = 1000

        @Option(name: .long, help: "Length of the period in days.")
        var days = 365

        @Option(name: .long, help: "First day of the period, YYYY-MM-DD (local).")
        var start = "2025-01-01"

        @Option(name: .long, help: "The workspace time zone (IANA name) the timestamps are written in.")
        var timezone = "UTC"

        @Option(name: .long, help: "Random seed.")
        var seed: UInt64 = 1

        @Flag(name: [.short, .long], help: "Print only errors.")
        var quiet = false

        var options: GeneratorOptions {
            GeneratorOptions(contacts: contacts, days: days, startDate: start, timeZone: timezone, seed: seed)
        }

        func validate() throws {
            do {
                _ = try ExportGenerator(options: options)
            } catch {
                throw ValidationError("\(error)")
            }
        }

        func run() throws {
            let options = self.options
            let generator = try ExportGenerator(options: options)
            let started = Date()
            let files = try generator.write(to: out)
            let seconds = Date().timeIntervalSince(started)
            guard !quiet else { return }
            for file in files {
                print("\(file.path): \(file.rows) rows, \(Self.size(file.bytes))")
            }
            print("generated \(options.contacts) contacts over \(options.days) days from \(options.startDate) "
                + "(\(options.timeZone), seed \(options.seed)) in \(String(format: "%.2f", seconds)) s")
        }

        static func size(_ bytes: Int64) -> String {
            if bytes >= 1 << 30 { return String(format: "%.2f GiB", Double(bytes) / Double(1 << 30)) }
            if bytes >= 1 << 20 { return String(format: "%.1f MiB", Double(bytes) / Double(1 << 20)) }
            if bytes >= 1 << 10 { return String(format: "%.1f KiB", Double(bytes) / Double(1 << 10)) }
            return "\(bytes) bytes"
        }
    }
}
