import Foundation
import Testing
import WarehouseCore
@testable import WarehouseServer

/// POST /webhooks/respond-io with the signed sample bodies of `Tests/Fixtures/webhooks`.
@Suite struct WebhookTests {
    /// What a request could have changed: every table a webhook writes, counted.
    static func state(_ h: Harness) throws -> [Int64] {
        try ["fact_conversation", "load_log", "rejected_rows", "webhook_events", "webhook_other_events", "dim_contact", "dim_user"]
            .map { try h.count("SELECT count(*) FROM \($0)") }
    }

    @Test(arguments: ServedStoreKind.all) func aSignatureIsCheckedBeforeTheBodyIsRead(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("conversation_closed.json")
        let before = try Self.state(h)
        let none = try await h.postWebhook(body, signature: nil)
        #expect(none.status == 401)
        #expect(none.error.contains("X-Webhook-Signature"))
        // Another body under the same signature, and the body under another's.
        var changed = body
        changed[changed.count / 2] ^= 0x01
        #expect(try await h.postWebhook(changed, signature: signature).status == 401)
        let other = try Harness.webhook("message_received.json").signature
        #expect(try await h.postWebhook(body, signature: other).status == 401)
        // A body that is not even JSON, unsigned: 401, not 400 (it is never parsed).
        #expect(try await h.postWebhook(Array("{{{".utf8), signature: "AAAA").status == 401)
        #expect(try Self.state(h) == before)
        try await h.stop()
    }

    /// A signature that is almost the valid one is refused: its last
    /// character changed, or cut short (a comparison of a prefix, or of as many
    /// bytes as were given, would take either).
    @Test(arguments: ServedStoreKind.all) func aSignatureAlmostRightIs401(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("conversation_closed.json")
        let before = try Self.state(h)
        // The last character (base64's padding `=`), and the last one that carries bits of the MAC.
        let padding = signature.last == "=" ? String(signature.dropLast()) + "A" : String(signature.dropLast()) + (signature.last == "A" ? "B" : "A")
        let lastBits = signature.trimmingCharacters(in: CharacterSet(charactersIn: "="))
        let flipped = String(lastBits.dropLast()) + (lastBits.last == "w" ? "Q" : "w") + String(repeating: "=", count: signature.count - lastBits.count)
        #expect(Data(base64Encoded: flipped).map { Array($0) } != Data(base64Encoded: signature).map { Array($0) }, "the MAC's last byte differs")
        // Cut short: by its padding, by one byte of the MAC (4 characters = 3 bytes), to its first half.
        let cuts = [lastBits, String(signature.dropLast(4)), String(signature.prefix(signature.count / 2))]
        for almost in [padding, flipped] + cuts {
            #expect(almost != signature)
            let r = try await h.postWebhook(body, signature: almost)
            #expect(r.status == 401, "\(almost): \(r.status) \(r.body)")
            #expect(r.error.contains("does not match"), "\(almost): \(r.body)")
        }
        #expect(try Self.state(h) == before)
        // The valid one still passes.
        #expect(try await h.postWebhook(body, signature: signature).status == 200)
        try await h.stop()
        // The key is in no log line, nor is a signature.
        let key = try Harness.signingKey()
        #expect(!h.log.lines.isEmpty)
        #expect(!h.log.lines.contains { $0.contains(key) || $0.contains(signature) }, "\(h.log.lines)")
    }

    @Test(arguments: ServedStoreKind.all) func aConversationClosedEventIsStoredOnceWhateverTheRedeliveries(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("conversation_closed.json")
        let first = try await h.postWebhook(body, signature: signature)
        #expect(first.status == 200, "\(first.body)")
        #expect(first.json["received"] as? Int == 1)
        #expect(try h.count("SELECT count(*) FROM webhook_events") == 2)  // by event_id and by body
        #expect(try h.count("SELECT count(*) FROM load_log WHERE file_name LIKE 'webhook-respond-io-%'") == 1)
        let after = try Self.state(h)
        // The same delivery again, three times at once: nothing changes.
        async let a = h.postWebhook(body, signature: signature)
        async let b = h.postWebhook(body, signature: signature)
        async let c = h.postWebhook(body, signature: signature)
        for again in try await [a, b, c] {
            #expect(again.status == 200)
            #expect(again.json["duplicate"] as? Bool == true)
        }
        #expect(try Self.state(h) == after)
        try await h.stop()
    }

    @Test func theEventsFieldsBecomeTheExportsColumns() throws {
        let (body, _) = try Harness.webhook("conversation_closed.json")
        let record = Dictionary(uniqueKeysWithValues: try RespondIOEvent.conversationRecord(JSONBody.parse(body)).map { ($0.name, $0.value) })
        #expect(record["Conversation ID"] == "")
        #expect(record["Contact ID"] == "298411733")
        #expect(record["DateTime Conversation Started"] == "2025-03-11T09:00:00Z")
        #expect(record["DateTime Conversation Resolved"] == "2025-03-11T11:00:05Z")
        #expect(record["Assignee"] == "5312010")
        #expect(record["Closed By"] == "5312010")
        #expect(record["Closed By Source"] == "user")
        #expect(record["Opened By Source"] == "contact")
        #expect(record["Closed By Team"] == "Support")
        #expect(record["First Response Time"] == "95")
        #expect(record["Resolution Time"] == "7205")
        #expect(record["Number of Incoming Messages"] == "6")
        #expect(record["Number of Outgoing Messages"] == "5")
        #expect(record["Last Assignment Timestamp"] == "2025-03-11T09:01:00Z")

        // Milliseconds, an empty closedBy and assignee, a null first response.
        let (ms, _) = try Harness.webhook("conversation_closed_ms_no_id.json")
        let other = Dictionary(uniqueKeysWithValues: try RespondIOEvent.conversationRecord(JSONBody.parse(ms)).map { ($0.name, $0.value) })
        #expect(other["DateTime Conversation Started"] == "2025-03-12T09:00:00Z")
        #expect(other["DateTime Conversation Resolved"] == "2025-03-12T09:30:00Z")
        #expect(other["Closed By"] == "" && other["Assignee"] == "")
        #expect(other["First Response Time"] == "")
        #expect(other["Resolution Time"] == "1800")
        #expect(other["Closed By Source"] == "auto_close")
    }

    @Test(arguments: ServedStoreKind.all) func anEventWithoutAnIDIsRecognisedByItsBody(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("conversation_closed_ms_no_id.json")
        #expect(try await h.postWebhook(body, signature: signature).status == 200)
        let after = try Self.state(h)
        let again = try await h.postWebhook(body, signature: signature)
        #expect(again.status == 200)
        #expect(again.json["duplicate"] as? Bool == true)
        #expect(try Self.state(h) == after)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func otherEventsAre202AndCounted(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("message_received.json")
        let r = try await h.postWebhook(body, signature: signature)
        #expect(r.status == 202)
        #expect(r.json["event_type"] as? String == "message.received")
        #expect(try await h.postWebhook(body, signature: signature).status == 202)
        #expect(try h.count("SELECT received FROM webhook_other_events WHERE event_type = 'message.received'") == 2)
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func aSignedButMalformedEventIs400(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let body = Array("{\"event_type\": \"conversation.closed\", \"conversation\": ".utf8)
        let r = try await h.postWebhook(body, signature: try sign(body))
        #expect(r.status == 400)
        #expect(r.error.contains("invalid JSON at line 1"))
        let noType = Array("{\"contact\": {}}".utf8)
        #expect(try await h.postWebhook(noType, signature: try sign(noType)).status == 400)
        #expect(try h.count("SELECT count(*) FROM load_log") == 0)
        try await h.stop()
    }

    /// The webhook event of a conversation, then the export that holds the
    /// same conversation with its ID: one conversation, not two (SPEC 1, 6).
    /// Needs the loader to identify a conversation without an ID by its
    /// contact and start minute (NamedFieldsSource's `withoutIDs`).
    @Test(arguments: ServedStoreKind.all) func aWebhookEventThenTheExportOfTheSameConversationGivesOneConversation(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let (body, signature) = try Harness.webhook("conversation_closed.json")
        let event = try await h.postWebhook(body, signature: signature)
        #expect(event.status == 200)
        #expect(event.json["inserted"] as? Int == 1, "the event's conversation was not stored: \(event.body)")
        // The export, loaded as `warehouse load` loads it, while the server runs.
        let export = h.folder.appendingPathComponent("conversations.csv")
        try Data("""
            Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID,Assignee,Number of Outgoing Messages,Number of Incoming Messages,DateTime First Response,Conversation Category,Closing Note Summary,Closed By,First Response Time,Resolution Time
            7638301234567890123,2025-03-11 09:00:00,2025-03-11 11:00:05,298411733,5312010,5,6,2025-03-11 09:01:35,Billing,Refund issued for double charge.,5312010,00:01:35,02:00:05

            """.utf8).write(to: export)
        let summary = try h.load(export.path)
        #expect(summary.succeeded)
        #expect(try h.count("SELECT count(*) FROM conversations WHERE contact_id = '298411733'") == 1)
        #expect(try h.read().text("SELECT conversation_id FROM conversations WHERE contact_id = '298411733'") == "7638301234567890123")
        try await h.stop()
    }

    /// Signs `body` as respond.io does; the construction is first checked against a signed sample.
    func sign(_ body: [UInt8]) throws -> String {
        let key = try Harness.signingKey()
        let (sample, signature) = try Harness.webhook("conversation_closed.json")
        try #require(Tokens.isValidSignature(signature, of: sample, key: key), "the sample's signature does not check under signing-key.txt")
        return HMACSign.base64(body, key: key)
    }
}
