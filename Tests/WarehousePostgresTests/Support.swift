import Foundation
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

extension TestPostgresServer {
    /// The server's database over its socket, as the postgres user.
    func location(schema: String = PostgresLocation.defaultSchema) -> PostgresLocation {
        PostgresLocation(endpoint: .unixSocket(directory: socketDirectory, port: port), user: user,
                         database: database, schema: schema, tls: .disable)
    }
}

/// A connection to the test server in a schema of its own (with the report
/// functions when asked), dropped when released: tests that run at once do not meet.
final class TestSchema {
    let server: TestPostgresServer
    let session: BlockingPostgresSession
    let name: String

    init(functions: Bool = true) throws {
        server = try TestPostgresServer.shared()
        name = "test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        session = try BlockingPostgresSession(connectingTo: server.location(schema: name))
        try session.execute("CREATE SCHEMA \(name); SET search_path TO \(name)")
        if functions { try session.installReportFunctions(in: name) }
    }

    deinit {
        try? session.execute("DROP SCHEMA \(name) CASCADE")
        session.close()
    }
}

/// A SQLite database in memory with the report functions, as every warehouse connection has them.
func sqliteWithFunctions() throws -> Database {
    let db = try Database(path: ":memory:")
    SQLFunctions.register(on: db)
    return db
}

/// Rows as csv and json print them, under a plain, a `_pct` and a `_seconds` column
/// name (each kind formats numbers its own way): what must be the same on both stores.
func rendered(_ rows: [[SQLValue]]) -> String {
    let width = rows.first?.count ?? 1
    return ["", "_pct", "_seconds"].map { suffix in
        let table = ResultTable(columns: (0..<width).map { "c\($0)\(suffix)" }, rows: rows)
        return ResultFormatter(format: .csv).render(table) + ResultFormatter(format: .json).render(table)
    }.joined(separator: "\n")
}


/// Inserts `rows` (all of one width) into table `t` of both stores, a few hundred a statement.
func insertIntoT(_ rows: [[SQLValue]], sqlite: Database, postgres: BlockingPostgresSession) throws {
    guard let width = rows.first?.count else { return }
    for chunk in stride(from: 0, to: rows.count, by: 250) {
        let part = rows[chunk..<min(chunk + 250, rows.count)]
        let arguments = part.flatMap { $0 }
        let marks = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        try sqlite.execute("INSERT INTO t VALUES " + Array(repeating: marks, count: part.count).joined(separator: ", "), arguments)
        let numbered = (0..<part.count).map { r in "(" + (1...width).map { "$\(r * width + $0)" }.joined(separator: ", ") + ")" }
        _ = try postgres.query("INSERT INTO t VALUES " + numbered.joined(separator: ", "), arguments)
    }
}

/// The rendered rows, or `error: MESSAGE` (SQLite's message, PostgreSQL's without its position).
func outcome(_ body: () throws -> [[SQLValue]]) -> String {
    do { return rendered(try body()) } catch let PostgresFailure.statement(error) {
        return "error: " + error.message
    } catch let error as SQLiteError {
        return "error: " + error.message
    } catch {
        return "error: \(error)"
    }
}
