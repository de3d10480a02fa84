import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
struct PostgresSessionTests {
    @Test func readsEachTypeAsSQLiteWouldShowIt() throws {
        let t = try TestSchema(functions: false)
        let row = try #require(try t.session.query("""
            SELECT 1::smallint, 2::integer, 9007199254740993::bigint, 1.5::real, 0.1::double precision,
                   sum(x), 33.33::numeric, 5.00::numeric, -0.5::numeric, 123456789012345678901234::numeric,
                   'NaN'::numeric, 0.0001::numeric, 10000::numeric, true, false, 'tëxt'::text, 'v'::varchar,
                   '\\x00ff'::bytea, NULL::integer, DATE '2024-02-29', TIMESTAMP '2024-03-31 02:30:00.25',
                   '2024-03-31 02:30:00+02'::timestamptz, '{"a":1}'::jsonb, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid
            FROM (VALUES (1::bigint), (2)) v(x)
            """).first)
        let expected: [SQLValue] = [
            .integer(1), .integer(2), .integer(9_007_199_254_740_993), .real(1.5), .real(0.1),
            .integer(3), .real(33.33), .integer(5), .real(-0.5), .real(1.2345678901234568e23),
            .real(.nan), .real(0.0001), .integer(10000), .integer(1), .integer(0), .text("tëxt"), .text("v"),
            .blob([0, 255]), .null, .text("2024-02-29"), .text("2024-03-31 02:30:00.25"),
            .text("2024-03-31 00:30:00+00"), .text("{\"a\": 1}"), .text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ]
        #expect(row.count == expected.count)
        for (i, (got, want)) in zip(row, expected).enumerated() {
            if case let .real(w) = want, w.isNaN {
                guard case let .real(g) = got, g.isNaN else { Issue.record("column \(i): \(got)"); continue }
            } else {
                #expect(got == want, "column \(i)")
            }
        }
    }

    @Test func bindsArgumentsAndRunsScripts() throws {
        let t = try TestSchema(functions: false)
        try t.session.execute("""
            CREATE TABLE kv (k text PRIMARY KEY, v bigint);  -- one; two
            INSERT INTO kv VALUES ('a;b', 1), ('c', 2);
            """)
        #expect(try t.session.query("SELECT v FROM kv WHERE k = $1", [.text("a;b")]) == [[.integer(1)]])
        #expect(try t.session.scalar("SELECT $1::bigint + $2", [.integer(40), .integer(2)]) == .integer(42))
        #expect(try t.session.scalar("SELECT count(*) FROM kv WHERE k = 'none'") == .integer(0))
    }

    @Test func aRefusedStatementIsOneLineWithWhereAndWhich() throws {
        let t = try TestSchema(functions: false)
        do {
            _ = try t.session.query("SELECT 1,\n       nosuch FROM (VALUES (1)) v(x)")
            Issue.record("the statement ran")
        } catch let PostgresFailure.statement(error) {
            #expect(error.sqlState == "42703")
            #expect(error.description == "column \"nosuch\" does not exist (at line 2, column 8)")
            #expect(FailureKind(of: PostgresFailure.statement(error)) == .internal)
        }
        do {
            try t.session.execute("CREATE TABLE ok (x int);\nSELECT 1/0;\nSELECT 2")
            Issue.record("the script ran")
        } catch let failure as PostgresFailure {
            #expect(failure.description == "division by zero [statement 2 of 3: SELECT 1/0]")
        }
        // The statements before the one that failed ran; the one after did not.
        #expect(try t.session.scalar("SELECT count(*) FROM ok") == .integer(0))
    }

    @Test func connectionFailuresNameTheServerAndTheDatabase() throws {
        let server = try TestPostgresServer.shared()
        func failure(_ location: PostgresLocation) -> PostgresFailure? {
            do { _ = try BlockingPostgresSession(connectingTo: location) } catch let failure as PostgresFailure { return failure } catch {
                Issue.record("not a PostgresFailure: \(error)")
            }
            return nil
        }
        var missing = server.location()
        missing.database = "no_such_db"
        #expect(failure(missing) == .databaseMissing(server: missing.server, database: "no_such_db"))

        var stranger = server.location()
        stranger.user = "nobody_here"
        stranger.password = "s3cret"
        let refused = try #require(failure(stranger))
        #expect(refused.description.hasPrefix("the PostgreSQL server at \(server.socketDirectory)/.s.PGSQL.5432 refused the login of user nobody_here to database warehouse_tests: role \"nobody_here\" does not exist"))
        #expect(!refused.description.contains("s3cret"))

        let nowhere = PostgresLocation(endpoint: .unixSocket(directory: server.socketDirectory + "/none", port: 5432),
                                       user: "postgres", password: "s3cret", database: "d")
        let absent = try #require(failure(nowhere))
        #expect(absent.description.hasPrefix("cannot reach the PostgreSQL server at \(server.socketDirectory)/none/.s.PGSQL.5432 (database d): no socket there"))

        // A TCP port where nothing listens (the test server listens on its socket only).
        let closed = PostgresLocation(endpoint: .tcp(host: "127.0.0.1", port: 1), user: "postgres", password: "s3cret",
                                      database: "d", tls: .prefer, connectTimeout: 5)
        let refusedPort = try #require(failure(closed))
        #expect(refusedPort.description == "cannot reach the PostgreSQL server at 127.0.0.1:1 (database d): connection refused (is the server running and listening there?)")
        #expect(refusedPort.failureKind == .store && !refusedPort.description.contains("s3cret"))
    }

    @Test func aWarehouseIsMadeInAUTF8DatabaseOnly() throws {
        // Messages hold any character: a LATIN1 database is refused when the warehouse
        // would be made in it, with how to make one that stores them, and nothing is made.
        let server = try TestPostgresServer.shared()
        let name = "latin1_" + UUID().uuidString.prefix(8).lowercased()
        let admin = try BlockingPostgresSession(connectingTo: server.location())
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name)"); admin.close() }
        try admin.execute("CREATE DATABASE \(name) ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        var location = server.location(schema: "w")
        location.database = name
        do {
            try PostgresWarehouse.openForWriting(location).close()
            Issue.record("a warehouse was made in a LATIN1 database")
        } catch {
            #expect("\(error)" == "the database's encoding is LATIN1; a warehouse needs UTF8, as messages hold any character. Create the database with `createdb -E UTF8 -T template0 NAME`.")
        }
        let session = try BlockingPostgresSession(connectingTo: location)
        defer { session.close() }
        #expect(try session.scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'w'") == .integer(0))
    }

    @Test func aConnectionEndedByTheServerSaysSo() throws {
        let t = try TestSchema(functions: false)
        let pid = try #require(try t.session.scalar("SELECT pg_backend_pid()")?.int64)
        let other = try BlockingPostgresSession(connectingTo: t.server.location())
        #expect(try other.scalar("SELECT pg_terminate_backend($1::integer)", [.integer(pid)]) == .integer(1))
        other.close()
        do {
            _ = try t.session.query("SELECT 1")
            Issue.record("the query ran on a terminated connection")
        } catch let failure as PostgresFailure {
            guard case .connectionDropped = failure else { Issue.record("\(failure)"); return }
            #expect(failure.description.hasPrefix("the connection to the PostgreSQL server at \(t.server.socketDirectory)/.s.PGSQL.5432 (database warehouse_tests) was lost"))
            #expect(!failure.description.contains("\n"))
        }
    }

    @Test func theBlockingFacadeServesSwiftConcurrencyAndRefusesItsOwnLoop() async throws {
        let t = try TestSchema(functions: false)
        let session = t.session
        // Called from tasks of the shared pool, more at once than the pool has threads on two cores.
        try await withThrowingTaskGroup(of: SQLValue?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    let schema = try TestSchema(functions: false)
                    return try schema.session.scalar("SELECT \(i) + 1")
                }
            }
            var sum: Int64 = 0
            for try await value in group { sum += value?.int64 ?? 0 }
            #expect(sum == 36)
        }
        // A body running on the facade's loop that calls the facade would wait for itself: it throws.
        let nested = try session.run { () async throws -> String in
            do { _ = try session.query("SELECT 1"); return "ran" } catch { return "\(error)" }
        }
        #expect(nested.contains("on the connection's own event loop"))
    }
}
