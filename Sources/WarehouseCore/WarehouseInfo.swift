/// What a warehouse holds: the figures `warehouse info` prints.
public struct WarehouseInfo {
    public struct Count {
        public let name: String
        public let records: Int64
        public let note: String
    }

    public let path: String
    public let timeZone: String
    public let schemaVersion: Int
    public let counts: [Count]
    /// Rows in every table of the schema.
    public let tables: ResultTable
    /// First and last local date of conversations opened, closed, and messages.
    public let coverage: ResultTable
    public let lastLoads: ResultTable
    public let lastRejects: ResultTable
    public let rejectedTotal: Int64

    public init(_ warehouse: any ReportStore, loads: Int = 10, rejects: Int = 10) throws {
        func count(_ sql: String) throws -> Int64 { try warehouse.rows(sql).first?.first?.int64 ?? 0 }
        path = warehouse.name
        timeZone = warehouse.timeZone
        schemaVersion = try warehouse.storedSchemaVersion()
        let linked = try count("SELECT count(*) FROM fact_message WHERE conversation_key IS NOT NULL")
        let messages = try count("SELECT count(*) FROM fact_message")
        // Kept by contact and time (an ID a spreadsheet damaged, or none sent): keys from `~` up.
        let byContact = try count("SELECT count(*) FROM fact_conversation WHERE conversation_id >= '~' AND conversation_id < '~~'")
        let messagesByContact = try count("SELECT count(*) FROM fact_message WHERE message_id >= '~' AND message_id < '~~'")
        func andByContact(_ n: Int64) -> String { n == 0 ? "" : ", \(n) kept by contact and time (no intact ID yet)" }
        counts = [
            Count(name: "conversations", records: try count("SELECT count(*) FROM fact_conversation"),
                  note: "\(try count("SELECT count(*) FROM fact_conversation WHERE export_form = 'legacy'")) from legacy files" + andByContact(byContact)),
            Count(name: "messages", records: messages,
                  note: "\(linked) linked to a conversation, \(messages - linked) in none" + andByContact(messagesByContact)),
            Count(name: "failed_messages", records: try count("SELECT count(*) FROM fact_failed_message"), note: ""),
            Count(name: "contacts", records: try count("SELECT count(*) FROM dim_contact WHERE in_contacts_export = 1"),
                  note: "\(try count("SELECT count(*) FROM dim_contact WHERE in_contacts_export = 0")) more referenced only"),
            Count(name: "users", records: try count("SELECT count(*) FROM dim_user WHERE in_users_export = 1"),
                  note: "\(try count("SELECT count(*) FROM dim_user WHERE in_users_export = 0")) more referenced only"),
            Count(name: "teams", records: try count("SELECT count(*) FROM dim_team"), note: ""),
            Count(name: "channels", records: try count("SELECT count(*) FROM dim_channel WHERE in_channels_export = 1"),
                  note: "\(try count("SELECT count(*) FROM dim_channel WHERE in_channels_export = 0")) more referenced only"),
        ]
        let names = try warehouse.tableNames()
        tables = ResultTable(columns: ["table", "rows"], rows: try names.map { name in
            [.text(name), .integer(try count("SELECT count(*) FROM \"\(name)\""))]
        })
        coverage = try warehouse.table("""
            SELECT 'conversations opened' AS what, min(started_local) AS first, max(started_local) AS last FROM fact_conversation
            UNION ALL SELECT 'conversations closed', min(resolved_local), max(resolved_local) FROM fact_conversation
            UNION ALL SELECT 'messages', min(sent_local), max(sent_local) FROM fact_message
            """, [])
        lastLoads = try warehouse.table("""
            SELECT load_id AS id, file_name AS file, coalesce(kind, '') AS kind, status, rows_read AS read,
                   rows_inserted AS inserted, rows_updated AS updated, rows_unchanged AS unchanged,
                   rows_rejected AS rejected, coalesce(finished_at, started_at) AS at
            FROM load_log ORDER BY load_id DESC LIMIT ?
            """, [.integer(Int64(loads))])
        lastRejects = try warehouse.table("""
            SELECT file_name AS file, line, reason FROM rejected_rows
            WHERE load_id IN (SELECT load_id FROM load_log ORDER BY load_id DESC LIMIT ?)
            ORDER BY load_id DESC, line LIMIT ?
            """, [.integer(Int64(loads)), .integer(Int64(rejects))])
        rejectedTotal = try count("SELECT count(*) FROM rejected_rows")
    }
}
