import ArgumentParser
import WarehouseCore

/// `--spreadsheet-safe` (`warehouse report`, `warehouse sql`): csv a
/// spreadsheet may open without running what a cell holds. The command line's
/// csv is raw by default; csv over HTTP is safe unless `raw=1`.
struct SpreadsheetSafeOption: ParsableArguments {
    @Flag(name: .long, help: ArgumentHelp(
        "In csv output, put a ' before a text cell that starts with =, +, -, @, a tab or a carriage return, so that a spreadsheet shows it instead of running it as a formula.",
        discussion: "Numbers (integer and real values) stay as they are, negative ones too. csv over HTTP (warehouse serve) does this unless raw=1."))
    var spreadsheetSafe = false

    /// `formatter` with the option applied; an error when it is given with an output format other than csv.
    func applied(to formatter: ResultFormatter) throws -> ResultFormatter {
        guard spreadsheetSafe else { return formatter }
        guard formatter.format == .csv else {
            throw ValidationError("--spreadsheet-safe applies to csv output: add --format csv (the output is \(formatter.format.rawValue)).")
        }
        var safe = formatter
        safe.spreadsheetSafe = true
        return safe
    }
}
