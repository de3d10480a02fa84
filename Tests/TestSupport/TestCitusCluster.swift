import Foundation
import Testing

/// A throwaway Citus cluster for the distributed tests: a coordinator and two
/// workers, each a `TestPostgresServer` with Citus preloaded, reaching each other
/// over the loopback interface on free ports. One per test process, started the
/// first time a suite asks for it, ended with the process as the servers are.
///
/// Citus is not a Debian package (docs/postgresql.md says how to build it): where
/// its library is missing from PostgreSQL's, the suites that need it are skipped
/// with `skipComment`. CI has no Citus; there the key rules are checked on a plain
/// PostgreSQL warehouse's catalog (`CitusKeyRulesTests`).
public final class TestCitusCluster: @unchecked Sendable {
    // Safe: every property is set once, before the cluster is shared.
    public let coordinator: TestPostgresServer
    public let workers: [TestPostgresServer]
    /// How long making and starting it took.
    public let startSeconds: Double

    /// A `--db` URL of a warehouse in `schema` of the coordinator's database.
    public func url(schema: String) -> String { coordinator.url(schema: schema) }

    public static func shared() throws -> TestCitusCluster { try started.get() }

    /// The URL of a new warehouse in `schema`: on this cluster's coordinator when `citus`,
    /// else on the shared PostgreSQL test server.
    public static func url(schema: String, citus: Bool) throws -> String {
        citus ? try shared().url(schema: schema) : try TestPostgresServer.shared().url(schema: schema)
    }
    private static let started: Result<TestCitusCluster, Error> = Result { try TestCitusCluster() }

    /// Whether Citus is installed for the PostgreSQL the tests run.
    public static var installed: Bool {
        guard let bin = TestPostgresServer.binDirectory else { return false }
        return FileManager.default.fileExists(atPath: URL(fileURLWithPath: bin).deletingLastPathComponent().path + "/lib/citus.so")
    }

    public static let skipComment: Comment =
        "Citus is not installed (no citus.so in PostgreSQL's library folder): docs/postgresql.md says how to build it; CI checks the key rules on a plain PostgreSQL warehouse instead"

    private init() throws {
        let started = Date()
        // Few shards keep a test's new warehouse quick to make; the rules are the same.
        let settings = ["shared_preload_libraries=citus", "citus.shard_count=4", "max_prepared_transactions=100"]
        let ports = try Self.freePorts(3)
        coordinator = try TestPostgresServer(port: ports[0], settings: settings)
        workers = try ports.dropFirst().map { try TestPostgresServer(port: $0, settings: settings) }
        for node in [coordinator] + workers { try node.psql("CREATE EXTENSION citus") }
        try coordinator.psql("SELECT citus_set_coordinator_host('127.0.0.1', \(coordinator.port))")
        for worker in workers { try coordinator.psql("SELECT citus_add_node('127.0.0.1', \(worker.port))") }
        startSeconds = Date().timeIntervalSince(started)
    }

    /// Ports free on the loopback interface now (bound, read, let go).
    private static func freePorts(_ count: Int) throws -> [Int] {
        var sockets: [Int32] = []
        defer { sockets.forEach { close($0) } }
        return try (0..<count).map { _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestPostgresServer.StartFailure(description: "socket: \(String(cString: strerror(errno)))") }
            sockets.append(fd)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw TestPostgresServer.StartFailure(description: "bind: \(String(cString: strerror(errno)))") }
            return Int(UInt16(bigEndian: address.sin_port))
        }
    }
}
