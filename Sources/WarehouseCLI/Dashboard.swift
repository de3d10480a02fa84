import ArgumentParser
import Foundation
import WarehouseCore
import WarehouseDashboard

extension WarehouseCommand {
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboard: the reports' charts and numbers on one self-contained HTML page.",
            discussion: """
                The overview KPIs against the previous period, the busiest hours, conversations opened and closed, \
                new and returning contacts, messages by channel and source, both leaderboards, both time breakdowns, \
                user performance, agents opening conversations, and the long and busy conversations: each report run with \
                the same parameters as `warehouse report`. The page fetches nothing (it opens offline and from an e-mail \
                attachment), reflows on a phone and prints on A4.

                Parameters:
                \(ReportParameter.helpLines(WarehouseDashboard.Dashboard.parameters))
                """
        )

        @OptionGroup var database: DatabaseOptions

        @Option(name: .long, help: ArgumentHelp("The page's file; - for standard output.", valueName: "file"))
        var out = "dashboard.html"

        @OptionGroup var parameters: ReportOptions

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out takes a file name, or - for standard output.") }
        }

        func run() throws {
            let warehouse = try database.openExisting()
            let page = try WarehouseDashboard.Dashboard.page(of: warehouse, try parameters.arguments(allowed: WarehouseDashboard.Dashboard.parameters))
            try write(Array(page.utf8), to: out)
        }

        /// Where the page goes: standard output (`-`) or the file named, which a
        /// browser may be reading: a regular file is replaced whole, anything
        /// else (a link's target aside) written through (`OutputFile.replacing`).
        func write(_ bytes: [UInt8], to path: String) throws {
            if path == "-" { return Terminal.write(bytes: bytes) }
            let file = try OutputFile.replacing(path: path)
            try file.write(bytes)
            try file.close()
        }
    }
}
