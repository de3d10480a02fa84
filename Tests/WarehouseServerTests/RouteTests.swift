import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import WarehouseCore
@testable import WarehouseServer

/// The routes in process, without a socket (HummingbirdTesting): every
/// endpoint but `/healthz` is behind the authenticator of its scope, another
/// method is `405` before any token is asked for, and a path no route has is
/// `404`, each as `{"error": …}`. (What needs the socket, the process and the
/// disk is in DurabilityTests and StoreFailureTests.)
@Suite struct RouteTests {
    /// A URI of each endpoint, its parameters filled in.
    static func uri(_ path: RouterPath) -> String {
        "/" + path.description.replacingOccurrences(of: "{name}", with: "overview").replacingOccurrences(of: "{kind}", with: "conversations")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    @Test func everyEndpointAsksForTheTokenOfItsScope() async throws {
        let folder = try TemporaryFolder(prefix: "warehouse-routes")
        let path = folder.path("w.db")
        let warehouse = try Warehouse.openForWriting(path: path)
        let read = try Tokens.add(scope: .read, name: "sheets", in: warehouse).token
        let ingest = try Tokens.add(scope: .ingest, name: "workflow", in: warehouse).token
        let server = try WarehouseServer(options: ServerOptions(path: path))
        try await server.application().test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "ok\n\(Version.description)\n")
            }
            for (path, method) in Routes.endpoints where Self.uri(path) != "/healthz" {
                let uri = Self.uri(path)
                try await client.execute(uri: uri, method: method) { response in
                    #expect(response.status == .unauthorized, "\(method) \(uri) without a token: \(response.status)")
                    #expect(String(buffer: response.body).hasPrefix("{\"error\":"))
                }
                guard !uri.hasPrefix("/webhooks") else { continue }
                let other = uri.hasPrefix("/ingest") ? read : ingest
                try await client.execute(uri: uri, method: method, headers: [.authorization: "Bearer \(other)"]) { response in
                    #expect(response.status == .forbidden, "\(method) \(uri) with a token of the other scope: \(response.status)")
                }
                let wrong: HTTPRequest.Method = method == .get ? .post : .get
                try await client.execute(uri: uri, method: wrong) { response in
                    #expect(response.status == .methodNotAllowed, "\(wrong) \(uri): \(response.status)")
                    #expect(response.headers[.allow] == method.rawValue)
                }
            }
            try await client.execute(uri: "/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body) == "{\"error\":\"no such endpoint: /nothing/here\"}\n")
            }
            try await client.execute(uri: "/healthz", method: .head) { response in
                #expect(response.status == .ok && response.body.readableBytes == 0)
            }
        }
        await server.shutdown()
    }
}
