import Crypto
import Foundation

/// The reports a command can run: the built-in ones of `Queries/` (embedded in
/// the binary) and a user's own, read from report directories.
public struct ReportLibrary {
    public let reports: [Report]
    /// Problems with user report files (each skipped), to show the user.
    public let warnings: [String]

    /// The built-in reports, in name order.
    public static let builtIn: [Report] = EmbeddedSQL.files
        .filter { $0.folder == "Queries" && $0.name.hasSuffix(".sql") }
        .map { file in
            // A built-in report that does not parse fails the test suite, never a user.
            do { return try Report(text: file.text, expectedName: String(file.name.dropLast(4)), source: "built-in") } catch {
                preconditionFailure("\(error)")
            }
        }
        .sorted { $0.name < $1.name }

    /// The built-in reports and the `.sql` files of `directories` (in name order;
    /// a missing directory is skipped; a file that does not parse, or that has a
    /// built-in report's name, is left out with a warning). A directory's reports
    /// include the built-in fragments and those of its own `fragments/` folder.
    public init(directories: [URL] = []) {
        var reports = Self.builtIn
        var warnings: [String] = []
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            let fragments = ReportFragments(directory: directory)
            for file in files.sorted() where file.hasSuffix(".sql") {
                let url = directory.appendingPathComponent(file)
                do {
                    let text = try String(contentsOf: url, encoding: .utf8)
                    let report = try Report(text: text, expectedName: String(file.dropLast(4)), source: url.path, fragments: fragments)
                    if let existing = reports.first(where: { $0.name == report.name }) {
                        warnings.append("\(url.path): report \(report.name) is already defined (\(existing.source)); this file is skipped.")
                        continue
                    }
                    reports.append(report)
                } catch {
                    warnings.append("\(error); this file is skipped.")
                }
            }
        }
        self.reports = reports
        self.warnings = warnings
    }

    /// The user report directories for a warehouse: `queries/` beside the
    /// warehouse file, then the `--queries` directories given.
    public static func directories(warehousePath: String, extra: [String]) -> [URL] {
        let beside = URL(fileURLWithPath: warehousePath).deletingLastPathComponent().appendingPathComponent("queries")
        return [beside] + extra.map { URL(fileURLWithPath: $0) }
    }

    public func report(named name: String) throws -> Report {
        if let report = reports.first(where: { $0.name == name }) { return report }
        throw WarehouseError("no report named '\(name)'." + Suggestions.didYouMean(name, reports.map(\.name))
                             + " `warehouse reports` lists them all.")
    }

    // MARK: Views

    /// The report's SQL with every parameter replaced by its default: the report
    /// over all data, as a view reads it.
    public static func defaultSQL(_ report: Report) throws -> String {
        let defaults = Dictionary(uniqueKeysWithValues: ReportParameters.defaults.map { ($0.name, ReportParameters.literal($0.value)) })
        return try SQLText.replacingParameters(in: report.sql) { name in
            guard let literal = defaults[name] else {
                throw WarehouseError("\(report.source == "built-in" ? report.name + ".sql" : report.source): :\(name) is not a report parameter; they are :\(ReportParameters.names.joined(separator: ", :")).")
            }
            return literal
        }
    }

    /// `CREATE VIEW` for a report: its default SQL, without the columns that
    /// need a parameter to be shown.
    static func createView(_ report: Report, in db: Database, temporary: Bool = false) throws -> String {
        let shown = report.optionalColumns.isEmpty ? nil
            : try db.prepare(try defaultSQL(report)).columnNames.filter { report.optionalColumns[$0] == nil }
        return try createView(report, shownColumns: shown, temporary: temporary)
    }

    /// `CREATE VIEW` for a report whose columns without a parameter are `shownColumns`
    /// (nil: all its columns), in SQL both stores read.
    public static func createView(_ report: Report, shownColumns: [String]?, temporary: Bool = false) throws -> String {
        let body = try defaultSQL(report)
        var select = body
        if let shownColumns {
            select = "SELECT " + shownColumns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM (\n" + body + "\n) AS report"
        }
        return "CREATE \(temporary ? "TEMP " : "")VIEW \"\(report.name)\" AS\n\(select)"
    }

    /// A digest of the built-in reports' SQL: the views are rebuilt when it changes.
    public static let fingerprint: String = {
        var hash = SHA256()
        for report in builtIn { hash.update(data: Data((report.name + "\u{0}" + report.sql + "\u{0}").utf8)) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }()

    /// Whether the warehouse's report views are those of this program.
    static func viewsAreCurrent(_ db: Database) throws -> Bool {
        try db.scalar("SELECT value FROM settings WHERE key = 'report_views'")?.string == fingerprint
    }

    /// (Re)creates a view for each built-in report, in one transaction.
    static func installViews(_ db: Database) throws {
        if try viewsAreCurrent(db) { return }
        try db.inTransaction {
            let stale = try db.rows("SELECT value FROM settings WHERE key = 'report_view_names'").first?.first?.string ?? ""
            for name in stale.split(separator: ",") { try db.execute("DROP VIEW IF EXISTS \"\(name)\"") }
            for report in builtIn {
                try db.execute("DROP VIEW IF EXISTS \"\(report.name)\"")
                try db.execute(createView(report, in: db))
            }
            try db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('report_views', ?), ('report_view_names', ?)",
                           [.text(fingerprint), .text(builtIn.map(\.name).joined(separator: ","))])
        }
    }

    /// Temporary views (this connection only) for the user's reports, so ad hoc
    /// SQL can read them like the built-in ones. A report whose view cannot be
    /// made is reported in the returned warnings.
    public func installTemporaryViews(_ db: Database) -> [String] {
        var warnings: [String] = []
        for report in reports where !report.isBuiltIn {
            do {
                try db.execute("DROP VIEW IF EXISTS temp.\"\(report.name)\"")
                try db.execute(Self.createView(report, in: db, temporary: true))
            } catch {
                warnings.append("\(report.source): no view for this report: \(error)")
            }
        }
        return warnings
    }
}
