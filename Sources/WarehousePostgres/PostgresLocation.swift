import Foundation

/// Where a PostgreSQL warehouse lives, read from a connection URL as libpq reads
/// one: `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?PARAMETERS]` (or
/// `postgres://`), every part percent-decoded. What libpq leaves out takes libpq's
/// default: port 5432, the user `$PGUSER` or the login name, the database named
/// as the user, the password `$PGPASSWORD`. A host that is a directory (starting
/// with `/`, as `?host=/run/postgresql` or `%2Frun%2Fpostgresql` in the URL) is
/// where the server's Unix socket is, `DIR/.s.PGSQL.PORT`; no host at all is the
/// Debian default socket directory.
///
/// Parameters: `sslmode` (`disable`, `prefer` (the default, as libpq: TLS when
/// the server offers it), `require`, `verify-ca`, `verify-full`), `schema` (the
/// warehouse's schema, default `warehouse`), `host`, `port`, `user`, `password`,
/// `dbname`, `application_name`, `connect_timeout` (seconds). A Unix socket never
/// uses TLS, as with libpq.
///
/// The password is kept out of everything this type shows: `description` and
/// every error name the parts without it.
public struct PostgresLocation: Equatable, Sendable, CustomStringConvertible {
    public enum Endpoint: Equatable, Sendable {
        case tcp(host: String, port: Int)
        /// The socket's directory and the port that names its file.
        case unixSocket(directory: String, port: Int)
    }

    public enum TLSMode: String, CaseIterable, Sendable {
        case disable, prefer, require
        /// TLS, the certificate checked against the system's roots, not its name.
        case verifyCA = "verify-ca"
        /// TLS, the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public var endpoint: Endpoint
    public var user: String
    public var password: String?
    public var database: String
    /// The schema the warehouse is made in.
    public var schema: String
    public var tls: TLSMode
    public var applicationName: String?
    /// Seconds to wait for the server to answer a connection; nil: 10.
    public var connectTimeout: Int?

    public static let defaultPort = 5432
    public static let defaultSchema = "warehouse"
    /// Where Debian's server puts its socket: libpq's default when no host is given.
    public static let defaultSocketDirectory = "/var/run/postgresql"

    /// Whether `text` is meant as a PostgreSQL URL (and not a SQLite file's path).
    public static func isURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://")
    }

    /// Reads `url`; `environment` supplies `PGPASSWORD` and `PGUSER` (the
    /// process's by default). Throws `PostgresFailure.badLocation` naming the part
    /// that is wrong, without the URL itself (it may hold a password).
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let scheme = url.range(of: "://"), Self.isURL(url) else {
            throw PostgresFailure.badLocation("it must start with postgresql:// or postgres://")
        }
        var rest = Substring(url[scheme.upperBound...])
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        // USER[:PASSWORD]@ before HOST[:PORT]; a password may hold an unencoded '@', so the last one counts.
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }

        var user: String?
        var password: String?
        if let userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon], part: "the user name")
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], part: "the password")
            } else {
                user = try Self.decode(userInfo, part: "the user name")
            }
        }
        var (host, port) = try Self.hostAndPort(rest)
        var database = path.isEmpty ? nil : try Self.decode(path, part: "the database name")

        var schema = Self.defaultSchema
        var tls = TLSMode.prefer
        var applicationName: String?
        var connectTimeout: Int?
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (rawName, rawValue) = pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair, "")
            let name = try Self.decode(rawName, part: "a parameter's name")
            // Named, never shown: a password's value is no one's business.
            let value = try Self.decode(rawValue, part: name == "password" ? "the password" : "the parameter \(name)")
            switch name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw PostgresFailure.badLocation("sslmode '\(value)' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case "schema":
                guard !value.isEmpty else { throw PostgresFailure.badLocation("the schema is empty") }
                schema = value
            case "host": host = value
            case "port": port = try Self.port(Substring(value))
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "application_name": applicationName = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds >= 0 else {
                    throw PostgresFailure.badLocation("connect_timeout '\(value)' is not a number of seconds")
                }
                connectTimeout = seconds
            default:
                throw PostgresFailure.badLocation("unknown parameter '\(name)' (known: sslmode, schema, host, port, user, password, dbname, application_name, connect_timeout)")
            }
        }
        if let host, host.contains(",") {
            throw PostgresFailure.badLocation("several hosts (\(host)) are not supported: name one")
        }

        let resolvedUser = (user?.isEmpty == false ? user : nil) ?? environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.loginName()
        let resolvedPort = port ?? Self.defaultPort
        let endpoint: Endpoint
        switch host {
        case nil, ""?: endpoint = .unixSocket(directory: Self.defaultSocketDirectory, port: resolvedPort)
        case let directory? where directory.hasPrefix("/"): endpoint = .unixSocket(directory: directory, port: resolvedPort)
        case let name?: endpoint = .tcp(host: name, port: resolvedPort)
        }
        self.init(endpoint: endpoint, user: resolvedUser,
                  password: password ?? environment["PGPASSWORD"],
                  database: (database?.isEmpty == false ? database : nil) ?? resolvedUser,
                  schema: schema, tls: tls, applicationName: applicationName, connectTimeout: connectTimeout)
    }

    public init(endpoint: Endpoint, user: String, password: String? = nil, database: String,
                schema: String = Self.defaultSchema, tls: TLSMode = .prefer,
                applicationName: String? = nil, connectTimeout: Int? = nil) {
        self.endpoint = endpoint
        self.user = user
        self.password = password
        self.database = database
        self.schema = schema
        self.tls = tls
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
    }

    /// The socket file of a Unix-socket endpoint.
    public var socketPath: String? {
        guard case let .unixSocket(directory, port) = endpoint else { return nil }
        return (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }

    /// Where the server is, as errors name it: `db.example.com:5432`, or the socket file.
    public var server: String {
        switch endpoint {
        case let .tcp(host, port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket: return socketPath ?? ""
        }
    }

    /// The URL without the password: `postgresql://user@host:5432/db`, with the
    /// socket directory, a schema and an sslmode that are not the defaults as
    /// parameters. Safe to print and to log.
    public var description: String {
        var text = "postgresql://" + Self.encode(user) + "@"
        var parameters: [String] = []
        switch endpoint {
        case let .tcp(host, port): text += (host.contains(":") ? "[\(host)]" : Self.encode(host)) + ":\(port)"
        case let .unixSocket(directory, port):
            parameters.append("host=" + Self.encode(directory))
            if port != Self.defaultPort { parameters.append("port=\(port)") }
        }
        text += "/" + Self.encode(database)
        if schema != Self.defaultSchema { parameters.append("schema=" + Self.encode(schema)) }
        if tls != .prefer { parameters.append("sslmode=" + tls.rawValue) }
        return parameters.isEmpty ? text : text + "?" + parameters.joined(separator: "&")
    }

    // MARK: Parts

    private static func hostAndPort(_ text: Substring) throws -> (String?, Int?) {
        if text.isEmpty { return (nil, nil) }
        if text.hasPrefix("[") {  // [IPv6]:PORT
            guard let close = text.firstIndex(of: "]") else {
                throw PostgresFailure.badLocation("the host's '[' has no ']'")
            }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw PostgresFailure.badLocation("the host's ']' is followed by neither ':' nor '/'") }
            return (host, try port(after.dropFirst()))
        }
        if let colon = text.lastIndex(of: ":") {
            return (try decode(text[..<colon], part: "the host"), try port(text[text.index(after: colon)...]))
        }
        return (try decode(text, part: "the host"), nil)
    }

    private static func port(_ text: Substring) throws -> Int? {
        if text.isEmpty { return nil }
        // Only digits are shown back: text after a ':' may be a password whose '@' and host were left out.
        guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw PostgresFailure.badLocation("the port is not a number from 1 to 65535")
        }
        guard let port = Int(text), (1...65535).contains(port) else {
            throw PostgresFailure.badLocation("the port '\(text.prefix(20))' is not a number from 1 to 65535")
        }
        return port
    }

    /// Percent-decodes one part; `part` names it in the error (its text is not shown:
    /// it may be the password).
    private static func decode(_ text: Substring, part: String) throws -> String {
        guard text.contains("%") else { return String(text) }
        guard let decoded = String(text).removingPercentEncoding else {
            throw PostgresFailure.badLocation("\(part) has a '%' that is not followed by two hexadecimal digits of UTF-8")
        }
        return decoded
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    private static func loginName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "postgres"
    }
}
