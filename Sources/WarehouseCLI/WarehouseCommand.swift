import ArgumentParser
import Foundation
import WarehouseCore
import WarehousePostgres

/// `warehouse`: offline analytics for customer-support chat exports.
public struct WarehouseCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "warehouse",
        abstract: "Load respond.io exports into a SQLite warehouse and query them.",
        discussion: """
            The warehouse is one SQLite file: --db PATH, else $WAREHOUSE_DB, else ./warehouse.db; or a schema \
            of a PostgreSQL database: --db postgresql://USER@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=MODE], \
            the password from $PGPASSWORD (docs/postgresql.md).
            Start with `warehouse load exports/*.csv`, then `warehouse info`, `warehouse reports`, \
            `warehouse report NAME` and `warehouse sql`; `warehouse` alone opens the shell.
            """,
        version: Version.description,
        subcommands: [Load.self, Generate.self, Info.self, Reports.self, Report.self, Dashboard.self, SQL.self, Shell.self, Serve.self, Auth.self, Hours.self, Copy.self],
        defaultSubcommand: Shell.self
    )

    public init() {}

    /// Runs the command line; `-V` is `--version`, as many programs have it.
    public static func run() {
        let arguments = CommandLine.arguments.dropFirst().map { $0 == "-V" ? "--version" : $0 }
        main(arguments)
    }
}

/// The warehouse option shared by every command: a file, or a PostgreSQL URL.
public struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The warehouse: a file (default: $WAREHOUSE_DB, else warehouse.db), or postgresql://USER@HOST/DATABASE.",
        valueName: "file|url"))
    public var db: String?

    public init() {}

    /// What --db (or $WAREHOUSE_DB) names: a file's path or a URL.
    public var path: String { Warehouse.resolvePath(db) }

    /// The PostgreSQL warehouse named, when --db is a URL.
    public func postgres() throws -> PostgresLocation? {
        PostgresLocation.isURL(path) ? try PostgresLocation(url: path) : nil
    }

    /// The existing warehouse on its store, to read.
    func openExisting() throws -> any ReportStore {
        if let location = try postgres() { return try PostgresWarehouse.openExisting(location) }
        return try Warehouse.openExisting(path: path)
    }

    /// The warehouse on its store, to change: an existing one, or (`creating`) one made
    /// when there is none, with the time zone UTC (as `warehouse auth` has always made a file).
    func openWritable(creating: Bool = false) throws -> any WritableStore {
        if let location = try postgres() {
            return creating ? try PostgresWarehouse.openForWriting(location) : try PostgresWarehouse.openExisting(location)
        }
        return creating ? try Warehouse.openForWriting(path: path) : try Warehouse.openExisting(path: path, writable: true)
    }
}

/// The output format option shared by commands that print results.
public struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, csv, json, ndjson or markdown (default: table on a terminal, csv otherwise).")
    public var format: OutputFormat?

    @Option(name: .long, help: "Rows shown in table output before the rest is counted and left out.")
    public var maxRows: Int = 40

    public init() {}

    public var formatter: ResultFormatter {
        ResultFormatter(format: format ?? (Terminal.isTerminal(STDOUT_FILENO) ? .table : .csv), maxTableRows: maxRows)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension DateOrder: ExpressibleByArgument {}

enum Terminal {
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// Writes a line to standard error.
    static func printError(_ message: String) {
        writeError(message + "\n")
    }

    /// Writes to standard error; what cannot be written is dropped.
    static func writeError(_ text: String) {
        _ = try? Array(text.utf8).withUnsafeBytes { try OutputFile.write($0, to: STDERR_FILENO, naming: "standard error") }
    }

    static func write(_ text: String) {
        write(bytes: Array(text.utf8))
    }

    /// Writes UTF-8 bytes to standard output as they are. Output that cannot
    /// be written (a full disk) ends the command with the system's reason.
    static func write(bytes: [UInt8]) {
        do {
            try bytes.withUnsafeBytes { try OutputFile.write($0, to: STDOUT_FILENO, naming: "the output") }
        } catch {
            printError("error: \(error)")
            exit(1)
        }
    }
}
