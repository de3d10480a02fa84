import Foundation
import WarehouseCore

/// The report functions on PostgreSQL (`Schema/postgresql/functions.sql`,
/// `business_schedules.sql` and `business_seconds.sql`, built into the binary):
/// median, p90, percentile, count_distinct, div_round, round_half, local_time,
/// period_start, weekday, natural_id_key and business_seconds, made in the
/// warehouse's schema with the same results as SQLite's (SQLFunctions.swift).
public enum ReportFunctions {
    /// The files of the script, in the order they run.
    static let files = ["functions.sql", "business_schedules.sql", "business_seconds.sql"]

    /// The script, with `@schema@` replaced by the quoted schema name.
    public static func script(schema: String) throws -> String {
        try files.map(file).joined(separator: "\n").replacingOccurrences(of: "@schema@", with: quoteIdentifier(schema))
    }

    /// A file of `Schema/postgresql/`, built into the binary.
    static func file(_ name: String) throws -> String {
        guard let text = EmbeddedSQL.files.first(where: { $0.folder == "postgresql" && $0.name == name })?.text else {
            throw WarehouseError("this build of warehouse lacks Schema/postgresql/\(name).")
        }
        return text
    }

    /// Makes the schema when it is missing and (re)makes the functions in it.
    public static func install(in schema: String, on session: PostgresSession) async throws {
        try await session.execute("CREATE SCHEMA IF NOT EXISTS \(quoteIdentifier(schema))")
        try await session.execute(try script(schema: schema))
    }

    /// `name` as an SQL identifier: in double quotes, its own doubled.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension BlockingPostgresSession {
    /// `ReportFunctions.install`, waited for.
    public func installReportFunctions(in schema: String) throws {
        let session = session
        try run { try await ReportFunctions.install(in: schema, on: session) }
    }
}
