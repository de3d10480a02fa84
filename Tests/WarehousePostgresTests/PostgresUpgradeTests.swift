import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

/// A PostgreSQL warehouse made by an older version of the program is upgraded in
/// place when opened: the migrations after its version run on it, once.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
struct PostgresUpgradeTests {
    @Test func aVersion9WarehouseIsUpgradedWhenOpened() throws {
        let location = try TestPostgresServer.shared().location(schema: "upgrade_" + UUID().uuidString.prefix(8).lowercased())
        let made = try PostgresWarehouse.openForWriting(location)
        for file in ["conversations.csv", "messages.csv"] {
            #expect(try made.loader().load(path: Repository.sampleExports.appendingPathComponent(file).path).error == nil)
        }
        // As version 9 made it: the messages view of Schema/002, unique natural IDs, its version in settings.
        let old = try #require(Schema.migrations.first { $0.version == 2 }?.sql)
        let view = try #require(old.firstMatch(of: #/CREATE VIEW messages AS[^;]*;/#)).0
        try made.session.execute("DROP VIEW messages; \(view); UPDATE settings SET value = '9' WHERE key = 'schema_version'")
        try made.session.execute("ALTER TABLE dim_contact ADD CONSTRAINT dim_contact_contact_id_key UNIQUE (contact_id); DROP INDEX dim_contact_by_id")
        for (table, key, id) in [("fact_conversation", "conversation_key", "conversation_id"), ("fact_message", "message_key", "message_id"),
                                 ("fact_failed_message", "failed_message_key", "message_id")] {
            try made.session.execute("ALTER TABLE \(table) DROP CONSTRAINT \(table)_key, ADD PRIMARY KEY (\(key)), "
                                     + "ADD CONSTRAINT \(table)_\(id)_key UNIQUE (\(id)); DROP INDEX \(table)_by_id")
        }
        made.close()
        func uniqueKeys(_ w: PostgresWarehouse) throws -> [String] {
            try w.session.query("""
                SELECT conrelid::regclass::text || '(' || pg_get_constraintdef(oid) || ')' FROM pg_constraint
                WHERE connamespace = current_schema()::regnamespace AND contype IN ('p', 'u')
                  AND conrelid::regclass::text IN ('dim_contact', 'fact_conversation', 'fact_message', 'fact_failed_message')
                ORDER BY 1
                """).compactMap { $0[0].string }
        }
        func definition(_ w: PostgresWarehouse) throws -> String {
            try w.session.scalar("SELECT pg_get_viewdef('messages'::regclass)")?.string ?? ""
        }

        let opened = try PostgresWarehouse.openExisting(location)
        defer { opened.close() }
        #expect(opened.schemaVersion == Schema.currentVersion)
        #expect(try opened.session.scalar("SELECT value FROM settings WHERE key = 'schema_version'")?.string == String(Schema.currentVersion))
        #expect(try definition(opened).contains("c.contact_key = m.contact_key"))
        #expect(try uniqueKeys(opened) == [
            "dim_contact(PRIMARY KEY (contact_key))",
            "fact_conversation(UNIQUE (conversation_key, contact_key))",
            "fact_failed_message(UNIQUE (failed_message_key, contact_key))",
            "fact_message(UNIQUE (message_key, contact_key))",
        ])
        #expect(try opened.session.scalar("SELECT count(*) FROM messages")?.int64 ?? 0 > 3000)
        // Opened again, nothing is left to run.
        let again = try PostgresWarehouse.openForWriting(location)
        defer { again.close() }
        #expect(again.schemaVersion == Schema.currentVersion)
        // A reload finds every row again.
        let reload = try again.loader().load(path: Repository.sampleExports.appendingPathComponent("messages.csv").path)
        #expect(reload.error == nil && reload.inserted == 0 && reload.updated == 0, "\(reload)")
    }
}
