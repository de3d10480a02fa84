import Foundation
import Testing
import WarehouseCore
@testable import WarehouseServer

/// The endpoints that need no data, the error answers of SPEC 6, tokens and scopes.
@Suite struct EndpointTests {
    @Test(arguments: ServedStoreKind.all) func healthzIsOkWithoutAToken(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let r = try await h.get("/healthz")
        #expect(r.status == 200)
        #expect(r.body == "ok\n\(Version.description)\n")
        try await h.stop()
        #expect(h.log.lines.contains { $0.hasPrefix("GET /healthz 200 ") && $0.hasSuffix(" ms") })
    }

    @Test(arguments: ServedStoreKind.all) func unknownPathsAre404AndWrongMethods405AsJSON(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let missing = try await h.get("/nothing/here")
        #expect(missing.status == 404)
        #expect(missing.error.contains("/nothing/here"))
        #expect(missing.headers["Content-Type"].first?.hasPrefix("application/json") == true)

        let wrong = try await h.request(.GET, "/ingest/conversations", headers: [("Authorization", "Bearer \(h.ingestToken)")])
        #expect(wrong.status == 405)
        #expect(wrong.headers["Allow"] == ["POST"])
        #expect(wrong.error.contains("takes POST"))
        let wrongHealth = try await h.request(.DELETE, "/healthz")
        #expect(wrongHealth.status == 405)
        let unknownKind = try await h.ingest("orders", "{}")
        #expect(unknownKind.status == 404)
        #expect(unknownKind.error.contains("conversations, messages, contacts, users, channels, failed_messages"))
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func tokensAreCheckedAndScopesKeptApart(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let record = conversationJSON(id: "9001")
        // No token, a wrong one, a malformed header: 401, and nothing stored.
        #expect(try await h.post("/ingest/conversations", record, token: nil).status == 401)
        #expect(try await h.post("/ingest/conversations", record, token: "wh_not-a-token").status == 401)
        let basic = try await h.request(.POST, "/ingest/conversations", body: Array(record.utf8),
                                        headers: [("Content-Type", "application/json"), ("Authorization", "Basic abc")])
        #expect(basic.status == 401)
        // A read token cannot write; an ingest token cannot read.
        let readWrites = try await h.post("/ingest/conversations", record, token: h.readToken)
        #expect(readWrites.status == 403)
        #expect(readWrites.error.contains("scope is read") && !readWrites.error.contains("sheets"), "the scope, never the token's name: \(readWrites.error)")
        #expect(try await h.get("/reports", token: h.ingestToken).status == 403)
        // A write token is never taken from a URL, where logs and histories keep it: 401 wherever it is sent so.
        let inURL = try await h.get("/reports?token=\(h.ingestToken)")
        #expect(inURL.status == 401 && inURL.error.contains("never taken from the URL"), "\(inURL.body)")
        #expect(try await h.post("/ingest/conversations?token=\(h.ingestToken)", record, token: nil).status == 401)
        #expect(try h.count("SELECT count(*) FROM fact_conversation") == 0)
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        // The right ones work, by header or in the query.
        #expect(try await h.ingest("conversations", record).status == 200)
        #expect(try await h.get("/reports", token: h.readToken).status == 200)
        #expect(try await h.get("/reports?token=\(h.readToken)").status == 200)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func onlyTheTokensHashIsStoredAndARevokedTokenIsRefused(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let db = try h.read()
        let stored = try db.rows("SELECT name, scope, token_sha256 FROM server_tokens ORDER BY name")
        #expect(stored.count == 2)
        let all = stored.map { $0.map(\.description).joined(separator: " ") }.joined(separator: "\n")
        #expect(!all.contains(h.ingestToken) && !all.contains(String(h.readToken.dropFirst(3))))
        #expect(stored.contains { $0[2].string == Tokens.hex(Tokens.sha256(h.readToken)) })

        #expect(try await h.get("/reports", token: h.readToken).status == 200)
        try Tokens.revoke(name: "sheets", in: h.writable())
        // The server reads the tokens again within a second.
        var status = 200
        for _ in 0..<40 where status == 200 {
            status = try await h.get("/reports", token: h.readToken).status
            if status == 200 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(status == 401)
        try await h.stop()
    }

    @Test func constantTimeComparisonAndSignatures() {
        #expect(Tokens.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Tokens.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Tokens.constantTimeEqual([1, 2], [1, 2, 3]))
        let body = Array("{\"a\":1}".utf8)
        // HMAC-SHA256 of the body under "key", base64 (RFC 2104, computed independently with openssl).
        #expect(Tokens.isValidSignature("iKZ/JLvNrtDmyZdAS7eadDuvRMa6svTCcyjjAJ0i40I=", of: body, key: "key"))
        #expect(!Tokens.isValidSignature("iKZ/JLvNrtDmyZdAS7eadDuvRMa6svTCcyjjAJ0i40I=", of: body, key: "other"))
        #expect(!Tokens.isValidSignature("not base64!", of: body, key: "key"))
    }
}
