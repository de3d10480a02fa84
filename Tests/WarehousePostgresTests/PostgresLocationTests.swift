import Testing
@testable import WarehousePostgres

@Suite struct PostgresLocationTests {
    let noEnvironment: [String: String] = ["PGUSER": "fallback"]

    func location(_ url: String, _ environment: [String: String]? = nil) throws -> PostgresLocation {
        try PostgresLocation(url: url, environment: environment ?? noEnvironment)
    }

    @Test func readsEveryPartWithLibpqDefaults() throws {
        let full = try location("postgresql://ana:s3cret@db.example.com:6543/support?sslmode=require&schema=team_a")
        #expect(full.endpoint == .tcp(host: "db.example.com", port: 6543))
        #expect(full.user == "ana" && full.password == "s3cret" && full.database == "support")
        #expect(full.schema == "team_a" && full.tls == .require)

        let short = try location("postgres://ana@db.example.com/support")
        #expect(short.endpoint == .tcp(host: "db.example.com", port: 5432))
        #expect(short.password == nil && short.schema == "warehouse" && short.tls == .prefer)

        // No user: $PGUSER; no database: the user's name, as libpq.
        let bare = try location("postgresql://db.example.com")
        #expect(bare.user == "fallback" && bare.database == "fallback")
    }

    @Test func percentDecodesEachPart() throws {
        let l = try location("postgresql://ana%40example.com:p%40ss%3Aw%2Fo%25rd@db.example.com/my%20db?schema=s%C3%A9")
        #expect(l.user == "ana@example.com")
        #expect(l.password == "p@ss:w/o%rd")
        #expect(l.database == "my db")
        #expect(l.schema == "sé")
        // An unencoded '@' in the password: the last '@' ends the user part.
        #expect(try location("postgresql://ana:p@ss@db/x").password == "p@ss")
    }

    @Test func aHostThatIsADirectoryIsAUnixSocket() throws {
        let param = try location("postgresql://ana@/support?host=/run/postgresql&port=5433")
        #expect(param.endpoint == .unixSocket(directory: "/run/postgresql", port: 5433))
        #expect(param.socketPath == "/run/postgresql/.s.PGSQL.5433")
        let encoded = try location("postgresql://ana@%2Ftmp%2Fpg/support")
        #expect(encoded.socketPath == "/tmp/pg/.s.PGSQL.5432")
        let none = try location("postgresql:///support")
        #expect(none.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(try location("postgresql://ana@[::1]:7000/x").endpoint == .tcp(host: "::1", port: 7000))
    }

    @Test func thePasswordComesFromTheURLOrElsePGPASSWORD() throws {
        let environment = ["PGPASSWORD": "from-env", "PGUSER": "u"]
        #expect(try location("postgresql://ana@h/d", environment).password == "from-env")
        #expect(try location("postgresql://ana:given@h/d", environment).password == "given")
        #expect(try location("postgresql://ana@h/d?password=param", environment).password == "param")
    }

    @Test func theDescriptionNeverShowsThePassword() throws {
        let l = try location("postgresql://ana:s3cret@db.example.com/support")
        #expect(l.description == "postgresql://ana@db.example.com:5432/support")
        #expect(!"\(l)".contains("s3cret"))
        let socket = try location("postgresql://ana:s3cret@/support?host=/tmp/pg%20dir&schema=x&sslmode=disable")
        #expect(socket.description == "postgresql://ana@/support?host=%2Ftmp%2Fpg%20dir&schema=x&sslmode=disable")
        let fromEnvironment = try location("postgresql://ana@h/d", ["PGPASSWORD": "env-secret"])
        #expect(!fromEnvironment.description.contains("env-secret"))
        #expect(try location("postgresql://ana@[::1]/d").description == "postgresql://ana@[::1]:5432/d")
    }

    @Test func aMalformedURLIsOneLineNamingThePartWithoutThePassword() throws {
        let cases: [(String, String)] = [
            ("mysql://ana:s3cret@h/d", "must start with postgresql://"),
            ("postgresql://ana:s3cret@h:port/d", "the port is not a number from 1 to 65535"),
            ("postgresql://ana:s3cret@h:70000/d", "the port '70000' is not a number from 1 to 65535"),
            ("postgresql://ana:s3cret/d", "the port is not a number"),  // a forgotten host: the password is not shown as a port
            ("postgresql://ana:s3cret@h/d?sslmode=always", "sslmode 'always' is not one of disable, prefer, require, verify-ca, verify-full"),
            ("postgresql://ana:s3cret@h/d?colour=blue", "unknown parameter 'colour'"),
            ("postgresql://ana:s3%ZZcret@h/d", "the password has a '%'"),
            ("postgresql://ana:s3cret@h/d?password=x%ZZs3cret", "the password has a '%'"),
            ("postgresql://ana:s3cret@[::1/d", "'[' has no ']'"),
            ("postgresql://ana:s3cret@a,b/d", "several hosts"),
            ("postgresql://ana:s3cret@h/d?schema=", "the schema is empty"),
        ]
        for (url, expected) in cases {
            do {
                _ = try location(url)
                Issue.record("\(url) was read")
            } catch let failure as PostgresFailure {
                let text = failure.description
                #expect(text.contains(expected), "\(text)")
                #expect(!text.contains("s3cret") && !text.contains("\n"), "\(text)")
                #expect(failure.failureKind == .input)
            }
        }
    }

    @Test func tellsAURLFromAPath() {
        #expect(PostgresLocation.isURL("postgresql://h/d") && PostgresLocation.isURL("POSTGRES://h/d"))
        #expect(!PostgresLocation.isURL("warehouse.db") && !PostgresLocation.isURL("/tmp/postgresql://x"))
    }
}
