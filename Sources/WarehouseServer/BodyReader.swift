import Foundation
import Hummingbird

/// Reads a request's body, holding the limits while it is read, not after:
/// a `Content-Length` over the route's limit is refused before a byte of the
/// body is read, and a body that grows past it (chunked) is refused at the
/// chunk that crosses it (413). A body still arriving `deadline` seconds
/// after the request came is cut off (408): a client that sends slowly
/// cannot hold the request open. (One that stops sending is closed by the
/// connection's idle timeout.) Every body being read counts against one
/// budget of bytes in flight (`BodyBudget`): a request that would pass it is
/// answered 503 with `Retry-After`, so clients that send large bodies and
/// stall cannot take the server's memory between them.
struct BodyReader: Sendable {
    let deadline: TimeInterval
    let budget: BodyBudget

    /// Reads the body of `request`, at most `limit` bytes (`flag` names the option that sets it).
    func read(_ request: Request, started: Date, limit: Int, flag: String) async throws -> [UInt8] {
        let declared = request.headers[.contentLength].flatMap { Int($0) }
        if let declared, declared > limit { throw tooLarge(limit, flag) }
        // The declared length is taken from the budget at once; a chunked body as it comes.
        var held = 0
        defer { budget.release(held) }
        if let declared {
            try budget.take(declared)
            held = declared
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge(limit, flag) }
            if bytes.count + chunk.readableBytes > held {
                let more = bytes.count + chunk.readableBytes - held
                try budget.take(more)
                held += more
            }
            bytes.append(contentsOf: chunk.readableBytesView)
            if Date().timeIntervalSince(started) > deadline {
                throw ServerError(.requestTimeout, "the body took longer than \(Int(deadline)) seconds to arrive; nothing was stored",
                                  headers: [.connection: "close"])
            }
        }
        return bytes
    }

    private func tooLarge(_ limit: Int, _ flag: String) -> ServerError {
        ServerError(.contentTooLarge, "the body is larger than \(limit) bytes (\(flag)); nothing was stored. Send the records in smaller batches.",
                    headers: [.connection: "close"])
    }
}

/// The bytes of request bodies being read at once, across all requests.
final class BodyBudget: @unchecked Sendable {
    // @unchecked Sendable: `inFlight` is touched only with `lock` held.
    let limit: Int
    private let lock = NSLock()
    private var inFlight = 0

    init(limit: Int) { self.limit = limit }

    /// Takes `bytes` from the budget, or refuses the request (503, `Retry-After`) when they are not there.
    func take(_ bytes: Int) throws {
        let taken = lock.withLock { () -> Bool in
            guard inFlight + bytes <= limit else { return false }
            inFlight += bytes
            return true
        }
        guard taken else {
            throw ServerError.unavailable("the server is reading as many request bodies as it takes at once (--max-body-in-flight); nothing was stored. Send it again later.",
                                          headers: [.connection: "close"])
        }
    }

    func release(_ bytes: Int) {
        lock.withLock { inFlight -= bytes }
    }

    var current: Int { lock.withLock { inFlight } }
}
