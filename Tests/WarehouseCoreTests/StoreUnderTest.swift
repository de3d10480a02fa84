import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
import WarehousePostgres

/// The stores a loader test runs on: the test is written once and takes the
/// store as its argument (`@Test(arguments: StoreKind.all)`).
enum StoreKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    /// `citus`: a PostgreSQL warehouse distributed over a Citus cluster.
    case file, postgresql, citus

    var testDescription: String { rawValue }

    /// Every store: PostgreSQL's where it is installed (or CI requires it: then a missing
    /// one fails), a distributed one where Citus is installed too.
    static var all: [StoreKind] {
        guard TestPostgresServer.enabled else { return [.file] }
        return TestCitusCluster.installed ? [.file, .postgresql, .citus] : [.file, .postgresql]
    }
}

/// What a test reads a warehouse with, on either store (`?` parameters on both).
protocol TestSQL {
    func rows(_ sql: String, _ arguments: [SQLValue]) throws -> [[SQLValue]]
}

extension TestSQL {
    func rows(_ sql: String) throws -> [[SQLValue]] { try rows(sql, []) }
    func int(_ sql: String, _ args: [SQLValue] = []) throws -> Int64? { try rows(sql, args).first?.first?.int64 }
    func text(_ sql: String, _ args: [SQLValue] = []) throws -> String? { try rows(sql, args).first?.first?.string }
}

extension Database: TestSQL {}
extension PostgresWarehouse: TestSQL {}

/// A new warehouse on one store, for a test: a file in a temporary folder, or
/// a schema of its own on the test server.
final class TestWarehouse {
    let store: StoreKind
    let timeZone: String
    private let file: Warehouse?
    private let server: PostgresWarehouse?

    init(_ store: StoreKind, in dir: TempDir, timeZone: String = "UTC", name: String = "w.db") throws {
        self.store = store
        self.timeZone = timeZone
        switch store {
        case .file:
            file = try dir.warehouse(timeZone: timeZone, name: name)
            server = nil
        case .postgresql, .citus:
            let schema = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
            let location = try PostgresLocation(url: try TestCitusCluster.url(schema: schema, citus: store == .citus))
            server = try PostgresWarehouse.openForWriting(location, timeZone: timeZone)
            file = nil
        }
    }

    deinit { server?.close() }

    /// SQL on the warehouse (SQLite's, or PostgreSQL's: portable SQL only).
    var db: any TestSQL { file?.db ?? server! }

    /// The warehouse as reports read it.
    var reports: any ReportStore { file ?? server! }

    /// Its tables (not views).
    func tables() throws -> [String] {
        try db.rows(store == .file
            ? "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1")
            .map(\.[0].description)
    }

    /// The indexes of `table` the schema makes (not those of its keys), by name.
    func indexes(of table: String) throws -> [String] {
        try db.rows(store == .file
            ? "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name"
            : """
              SELECT indexname FROM pg_indexes i WHERE schemaname = current_schema() AND tablename = ? AND NOT EXISTS (
                  SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = current_schema()::regnamespace)
              ORDER BY 1
              """, [.text(table)]).map(\.[0].description)
    }

    /// The table's unique keys (not its primary key), each as its columns joined by commas.
    func uniqueKeys(of table: String) throws -> [String] {
        try db.rows(store == .file
            ? """
              SELECT group_concat(ii.name) FROM pragma_index_list(?) il, pragma_index_info(il.name) ii
              WHERE il.origin = 'u' GROUP BY il.name ORDER BY 1
              """
            : """
              SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_constraint c
              CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(att, n)
              JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att
              WHERE c.conrelid = to_regclass(?) AND c.contype = 'u' GROUP BY c.oid ORDER BY 1
              """, [.text(table)]).map(\.[0].description)
    }

    /// A loader into it.
    func loader() throws -> Loader {
        if let file { return try Loader(warehouse: file) }
        return try server!.loader()
    }
}

extension TemporaryFolder {
    func warehouse(_ store: StoreKind, timeZone: String = "UTC", name: String = "w.db") throws -> TestWarehouse {
        try TestWarehouse(store, in: self, timeZone: timeZone, name: name)
    }
}
