import Foundation
import Hummingbird

/// Reads a request's body, holding the limits while it is read, not after:
/// a `Content-Length` over `maxBytes` is refused before a byte of the body is
/// read, and a body that grows past it (chunked) is refused at the chunk that
/// crosses it (413). A body still arriving `deadline` seconds after the
/// request came is cut off (408): a client that sends slowly cannot hold the
/// request open. (One that stops sending is closed by the connection's idle
/// timeout.)
struct BodyReader {
    let maxBytes: Int
    let deadline: TimeInterval

    func read(_ request: Request, started: Date) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
            throw tooLarge
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= maxBytes else { throw tooLarge }
            bytes.append(contentsOf: chunk.readableBytesView)
            if Date().timeIntervalSince(started) > deadline {
                throw ServerError(.requestTimeout, "the body took longer than \(Int(deadline)) seconds to arrive; nothing was stored")
            }
        }
        return bytes
    }

    private var tooLarge: ServerError {
        ServerError(.contentTooLarge, "the body is larger than \(maxBytes) bytes (--max-body); nothing was stored. Send the records in smaller batches.",
                    headers: [.connection: "close"])
    }
}
