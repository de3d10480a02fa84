import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

/// Where a user's own report files are read from.
struct QueryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A directory of your own report files (NAME.sql with a header); may be repeated.",
        discussion: "A `queries` directory beside the warehouse file is always read.",
        valueName: "dir"))
    var queries: [String] = []

    /// The library for a warehouse: a file's includes the `queries` directory beside it.
    func library(for warehousePath: String) -> ReportLibrary {
        let directories = PostgresLocation.isURL(warehousePath) ? queries.map { URL(fileURLWithPath: $0) }
            : ReportLibrary.directories(warehousePath: warehousePath, extra: queries)
        let library = ReportLibrary(directories: directories)
        for warning in library.warnings { Terminal.printError("warning: \(warning)") }
        return library
    }
}

extension WarehouseCommand {
    struct Reports: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the report library, or describe one report.",
            discussion: "Built-in reports come from the program; your own from a `queries` directory beside the warehouse file and from --queries DIR."
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var queries: QueryOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "A report to describe: its parameters and columns.")
        var name: String?

        func run() throws {
            let library = queries.library(for: database.path)
            if let name {
                Terminal.write(try library.report(named: name).help)
                return
            }
            let rows = library.reports.map { report -> [SQLValue] in
                [.text(report.name), .text(report.description),
                 .text(report.parameters.map { "--" + $0.rawValue }.joined(separator: " ")),
                 .text(report.isBuiltIn ? "built-in" : report.source)]
            }
            let formatter = output.formatter
            if formatter.format == .table {
                let width = library.reports.map(\.name.count).max() ?? 0
                var out = ""
                for report in library.reports {
                    out += report.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + report.description
                        + (report.isBuiltIn ? "" : "  [\(report.source)]") + "\n"
                }
                out += "\nRun one: warehouse report NAME [--from DATE --to DATE …]. Its parameters and columns: warehouse reports NAME.\n"
                Terminal.write(out)
            } else {
                Terminal.write(formatter.render(ResultTable(columns: ["name", "description", "parameters", "source"], rows: rows)))
            }
        }
    }

    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one report of the library.",
            discussion: """
                Each report takes the parameters `warehouse reports NAME` lists; any other is an error. \
                --from/--to are inclusive days in the reporting time zone (--tz, default the workspace's).

                Report parameters:
                \(ReportParameter.helpLines(ReportParameter.allCases))
                """
        )

        @Argument(help: "The report's name (see `warehouse reports`).")
        var name: String

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var queries: QueryOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var csv: SpreadsheetSafeOption
        @OptionGroup var parameters: ReportOptions

        func run() throws {
            let formatter = try csv.applied(to: output.formatter)
            let library = queries.library(for: database.path)
            let report = try library.report(named: name)
            // Printed as it is stepped: a long result is never held whole.
            var stream: ResultStream?
            let columns = { stream = ResultStream(formatter, columns: $0, display: report.display, bytes: Terminal.write(bytes:)) }
            if let location = try database.postgres() {
                let warehouse = try PostgresWarehouse.openExisting(location)
                defer { warehouse.close() }
                try warehouse.run(report, try parameters.arguments(), columns: columns, row: { stream?.add($0) })
            } else {
                let warehouse = try Warehouse.openExisting(path: database.path)
                try warehouse.run(report, try parameters.arguments(), columns: columns, resultRow: { stream?.add($0) })
            }
            stream?.finish()
        }
    }
}

/// The report parameters on a command line (`warehouse report`, `warehouse
/// dashboard`), read and checked by their table (`ReportParameter`), so the
/// command line, the shell, HTTP and the dashboard form say the same.
struct ReportOptions: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The report parameters, as --NAME VALUE (listed above).", valueName: "parameters"))
    var words: [String] = []

    /// The parameters given, of those in `allowed`; read when the command runs,
    /// so a bad one is one line and status 1, as a value the warehouse refuses is.
    func arguments(allowed: [ReportParameter] = ReportParameter.allCases) throws -> ReportArguments {
        try ReportArguments.parse(words, allowed: allowed)
    }
}
