import Crypto
import Foundation
import Hummingbird
import WarehouseCore

/// `POST /webhooks/respond-io`: respond.io webhook events. The signature
/// (`X-Webhook-Signature`: base64 of the HMAC-SHA256 of the raw body under the
/// key set with `warehouse auth set-webhook-key`) is checked on the raw bytes
/// before anything of the body is parsed. A `conversation.closed` event is
/// loaded as a conversation record without an ID (`RespondIOEvent`); an event
/// seen before (its `event_id`, or the same body) changes nothing. Other event
/// types are counted (`webhook_other_events`) and answered 202.
struct WebhookRoute {
    let server: ServerState

    enum Outcome {
        case stored(LoadSummary)
        case duplicate
    }

    func handle(_ request: Request, started: Date) async throws -> Answer {
        let body = try await server.bodyReader.read(request, started: started, limit: server.options.maxWebhookBody, flag: "--max-webhook-body")
        // The key is set and the header there: `WebhookAuthenticator` let the request on.
        guard let key = try server.tokens.webhookKey(), let signature = request.headers[WebhookAuthenticator.signatureHeader] else {
            throw ServerError(.unauthorized, "no webhook signing key or no X-Webhook-Signature; nothing was stored")
        }
        guard Tokens.isValidSignature(signature, of: body, key: key) else {
            throw ServerError(.unauthorized, "the X-Webhook-Signature does not match the body under the webhook signing key; nothing was stored")
        }
        if let type = request.mediaType, type != "application/json" {
            throw ServerError(.unsupportedMediaType, "Content-Type '\(type)': a webhook event is application/json")
        }
        let value: JSONValue
        do { value = try JSONBody.parse(body) } catch let failure as JSONBody.Failure {
            throw ServerError.badRequest("\(failure); nothing was stored")
        }
        let event: RespondIOEvent
        do { event = try RespondIOEvent(value) } catch { throw ServerError.badRequest("\(error); nothing was stored") }
        let bodyHash = Tokens.hex(Array(SHA256.hash(data: body)))

        guard event.type == RespondIOEvent.conversationClosed else {
            let type = event.type
            try await server.writer.perform { context in try WebhookEvents.countOther(type: type, in: context.store) }
            return .json(.accepted, JSONText.object([("event_type", type), ("stored", "no: only conversation.closed events are stored")]) + "\n", records: 0)
        }
        let record: [(name: String, value: String)]
        do { record = try RespondIOEvent.conversationRecord(value) } catch { throw ServerError.badRequest("\(error); nothing was stored") }
        let keys = ["sha256:" + bodyHash] + (event.id.map { ["id:" + $0] } ?? [])
        let name = server.requestName("webhook-respond-io")
        let outcome: Outcome
        do {
            outcome = try await server.writer.perform { context in
                if try WebhookEvents.seen(keys, in: context.store) { return .duplicate }
                let source = NamedFieldsSource(name: name, records: [record], withoutIDs: true)
                let summary = context.loader.load(source, as: .conversations)
                if let failure = summary.failure { throw failure }
                try WebhookEvents.record(keys, type: event.type, in: context.store)
                return .stored(summary)
            }
        } catch {
            throw ServerError(for: error, written: true)
        }
        switch outcome {
        case .stored(let summary):
            return .json(.ok, IngestRoute.answer(summary), records: 1)
        case .duplicate:
            var seen = LoadSummary(path: name)
            seen.rowsRead = 1
            return .json(.ok, IngestRoute.answer(seen, duplicate: true), records: 0)
        }
    }
}
