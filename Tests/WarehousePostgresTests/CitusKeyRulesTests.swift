import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

/// SPEC §8, "Scale-out (Citus)": the rules a warehouse's keys must keep for Citus to
/// distribute it as `Schema/postgresql/citus.sql` says, checked on the catalog of a
/// new warehouse: on a plain PostgreSQL server (CI, where Citus cannot be built), and
/// on a Citus coordinator where Citus is installed, whose own catalog must then show
/// the tables placed as the file says.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
struct CitusKeyRulesTests {
    /// What citus.sql distributes (table → its distribution column) and replicates.
    struct Plan {
        var distributed: [String: String] = [:]
        var reference: [String] = []
    }

    static func plan() throws -> Plan {
        let sql = try ReportFunctions.file("citus.sql")
            .split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }.joined(separator: "\n")
        var plan = Plan()
        for match in sql.matches(of: #/create_distributed_table\('(\w+)', '(\w+)'/#) {
            plan.distributed[String(match.1)] = String(match.2)
        }
        if let list = sql.firstMatch(of: #/create_reference_table\(t\) FROM unnest\(ARRAY\[([^\]]*)\]/#) {
            plan.reference = list.1.matches(of: #/'(\w+)'/#).map { String($0.1) }
        }
        return plan
    }

    /// The tables left on the coordinator alone, and why: each is read and written by
    /// the warehouse's own commands and server, a row at a time, never joined to a fact.
    static let coordinatorOnly = [
        "settings", "load_log", "rejected_rows", "server_tokens", "webhook_events", "webhook_other_events",
    ]

    static var stores: [String] { TestCitusCluster.installed ? ["postgresql", "citus"] : ["postgresql"] }

    /// A new warehouse on the plain server or the Citus coordinator.
    static func warehouse(_ store: String) throws -> PostgresWarehouse {
        let schema = "keys_" + UUID().uuidString.prefix(8).lowercased()
        let url = try TestCitusCluster.url(schema: schema, citus: store == "citus")
        return try PostgresWarehouse.openForWriting(try PostgresLocation(url: url))
    }

    @Test func theFileNamesTheContactsAndFactsAndTheSmallTables() throws {
        let plan = try Self.plan()
        #expect(plan.distributed == ["dim_contact": "contact_key", "fact_conversation": "contact_key",
                                     "fact_message": "contact_key", "fact_failed_message": "contact_key"])
        for table in ["dim_user", "dim_team", "dim_channel", "dim_date", "dim_category"] {
            #expect(plan.reference.contains(table), "\(table) is a reference table")
        }
    }

    @Test(arguments: stores)
    func everyTableIsPlacedOnce(_ store: String) throws {
        let plan = try Self.plan()
        let w = try Self.warehouse(store)
        defer { w.close() }
        let tables = try w.session.query("""
            SELECT table_name::text FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1
            """).compactMap { $0[0].string }
        let placed = Array(plan.distributed.keys) + plan.reference + Self.coordinatorOnly
        #expect(Set(placed).count == placed.count, "a table is placed twice: \(placed.sorted())")
        #expect(Set(tables) == Set(placed), "tables of the warehouse: \(tables); placed: \(placed.sorted())")
    }

    @Test(arguments: stores)
    func everyUniqueKeyOfADistributedTableHoldsItsContact(_ store: String) throws {
        let plan = try Self.plan()
        let w = try Self.warehouse(store)
        defer { w.close() }
        // Every unique index (primary keys and unique constraints make one each), by its columns.
        let indexes = try w.session.query("""
            SELECT c.relname::text, i.indexrelid::regclass::text, i.indisprimary,
                   (SELECT string_agg(a.attname::text, ',' ORDER BY k.n) FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            WHERE i.indisunique AND c.relnamespace = current_schema()::regnamespace
            """)
        for (table, column) in plan.distributed {
            let keys = indexes.filter { $0[0].string == table }
            #expect(!keys.isEmpty, "\(table) has a unique key (its surrogate key with the contact)")
            for key in keys {
                let columns = (key[3].string ?? "").split(separator: ",").map(String.init)
                #expect(columns.contains(column), "\(key[1].string ?? "?") on \(table)(\(columns.joined(separator: ", "))) lacks \(column)")
            }
            // Co-located tables are distributed by columns of one type.
            let type = try w.session.scalar("""
                SELECT data_type::text FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2
                """, [.text(table), .text(column)])?.string
            #expect(type == "bigint", "\(table).\(column) is \(type ?? "missing")")
        }
    }

    @Test(arguments: stores)
    func noReferenceTablePointsAtADistributedOne(_ store: String) throws {
        let plan = try Self.plan()
        let w = try Self.warehouse(store)
        defer { w.close() }
        let foreignKeys = try w.session.query("""
            SELECT conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint
            WHERE contype = 'f' AND connamespace = current_schema()::regnamespace
            """)
        for key in foreignKeys {
            let (from, to) = (key[0].string ?? "", key[1].string ?? "")
            #expect(!(plan.reference.contains(from) && plan.distributed[to] != nil), "\(from) references \(to)")
        }
    }

    /// On Citus, the catalog places each table as the file says: hashed by its column in
    /// one co-location group, replicated, or left on the coordinator.
    @Test(.enabled(if: TestCitusCluster.installed, TestCitusCluster.skipComment))
    func citusPlacesEachTableAsTheFileSays() throws {
        let plan = try Self.plan()
        let w = try Self.warehouse("citus")
        defer { w.close() }
        let rows = try w.session.query("""
            SELECT c.relname::text, p.partmethod::text, coalesce(column_to_column_name(p.logicalrelid, p.partkey), ''), p.colocationid
            FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
            WHERE c.relnamespace = current_schema()::regnamespace
            """)
        let placed = Dictionary(uniqueKeysWithValues: rows.map { ($0[0].string ?? "", $0) })
        for (table, column) in plan.distributed {
            #expect(placed[table]?[1].string == "h", "\(table) is hash-distributed")
            #expect(placed[table]?[2].string == column, "\(table) by \(column)")
        }
        #expect(Set(plan.distributed.keys.compactMap { placed[$0]?[3].int64 }).count == 1, "the distributed tables are co-located")
        for table in plan.reference { #expect(placed[table]?[1].string == "n", "\(table) is a reference table") }
        for table in Self.coordinatorOnly { #expect(placed[table] == nil, "\(table) stays on the coordinator") }
        #expect(try w.distribution()?.hasPrefix("distributed with Citus over 2 workers") == true)
    }

    @Test func aPlainWarehouseSaysNothingOfCitus() throws {
        let w = try Self.warehouse("postgresql")
        defer { w.close() }
        #expect(try w.distribution() == nil)
    }
}
