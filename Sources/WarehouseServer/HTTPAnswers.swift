import Foundation
import Hummingbird
import NIOHTTP1
import WarehouseCore

/// An answer that is an error: its status and message, sent as
/// `{"error": "…"}` (SPEC 6). Thrown anywhere in a request's handling; the
/// routes turn it, and anything else thrown, into that JSON answer.
struct ServerError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String
    var headers: HTTPFields = [:]
    /// What the log says of an unexpected error, whose text the client is not sent.
    var detail: String?

    init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    static func badRequest(_ message: String) -> ServerError { ServerError(.badRequest, message) }

    /// The error as Hummingbird sends it: `{"error": …}` with its status and headers.
    func response(from request: Request, context: some RequestContext) throws -> Response { Answer.error(self).response }

    /// How long a client is asked to wait before it sends again a request the store could not take.
    static let retryAfterSeconds = 5

    /// `503` with `Retry-After`: the server cannot take the request now, and its sender should send it again.
    static func unavailable(_ message: String, headers: HTTPFields = [:]) -> ServerError {
        var all: HTTPFields = [.retryAfter: "\(retryAfterSeconds)"]
        all.append(contentsOf: headers)
        return ServerError(.serviceUnavailable, message, headers: all)
    }

    /// The answer to `error` by its kind (`FailureKind`): the input's fault is
    /// `400` with its message (`written`: the request wrote, and nothing of it
    /// was stored); the store's (full, I/O, busy, locked) is `503` with
    /// `Retry-After`, so that a sender tries again instead of dropping the
    /// request as its own fault; anything else `500`.
    init(for error: Error, written: Bool = false) {
        if let answer = error as? ServerError {
            self = answer
            return
        }
        // The request itself broke on the way in: a body that stopped arriving (the
        // connection's idle timeout ended it), or one that is not HTTP.
        if let broken = error as? HTTPParserError {
            self = broken == .invalidEOFState
                ? ServerError(.requestTimeout, "the body stopped arriving; nothing was stored", headers: [.connection: "close"])
                : ServerError(.badRequest, "the request is not well-formed HTTP (\(broken)); nothing was stored")
            return
        }
        let nothing = written && !"\(error)".contains("nothing") ? "; nothing was stored" : ""
        switch FailureKind(of: error) {
        case .input:
            self.init(.badRequest, "\(error)\(nothing)")
        case .store:
            self = .unavailable("the warehouse cannot take this request now: \(error)\(nothing). Send it again later.")
        case .interrupted, .internal:
            self.init(.internalServerError, "the server met an unexpected error (its log says which)\(nothing)")
            detail = "\(error)"
        }
    }
    static func notFound(_ path: String) -> ServerError { ServerError(.notFound, "no such endpoint: \(path)") }
}

/// What a handler answers, and what the request log says of it.
struct Answer {
    var response: Response
    /// Records the request carried (ingest, webhooks); nil for the others.
    var records: Int?

    static func json(_ status: HTTPResponse.Status, _ text: String, records: Int? = nil) -> Answer {
        Answer(response: response(status, text, contentType: "application/json; charset=utf-8"), records: records)
    }

    static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String) -> Answer {
        Answer(response: response(status, text, contentType: contentType), records: nil)
    }

    static func bytes(_ bytes: [UInt8], contentType: String, extra: HTTPFields = [:]) -> Answer {
        body(ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)), contentType: contentType, extra: extra)
    }

    /// `200` with `body`: a `Content-Length` when the body knows its length, else chunked.
    static func body(_ body: ResponseBody, contentType: String, extra: HTTPFields = [:]) -> Answer {
        var headers: HTTPFields = [.contentType: contentType, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Answer(response: Response(status: .ok, headers: headers, body: body), records: nil)
    }

    /// `200` to a `HEAD`: the length of the body a `GET` would have, and none.
    static func length(_ length: Int, contentType: String) -> Answer {
        Answer(response: Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store", .contentLength: "\(length)"]), records: nil)
    }

    static func error(_ error: ServerError) -> Answer {
        var answer = json(error.status, JSONText.object([("error", error.message)]) + "\n")
        answer.response.headers.append(contentsOf: error.headers)
        return answer
    }

    static func response(_ status: HTTPResponse.Status, _ text: String, contentType: String) -> Response {
        Response(status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

extension Request {
    /// The query's parameters, decoded as a browser's form sends them (`+` is
    /// a space), in order. A name given twice is an error (which value?).
    func queryItems() throws -> [(name: String, value: String)] {
        guard let query = uri.query, !query.isEmpty else { return [] }
        var items: [(name: String, value: String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) throws -> String {
                guard let text = s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw ServerError.badRequest("the query is not percent-encoded properly near '\(s.prefix(40))'")
                }
                return text
            }
            let name = try decode(pieces[0])
            let value = pieces.count > 1 ? try decode(pieces[1]) : ""
            if items.contains(where: { $0.name == name }) { throw ServerError.badRequest("the query gives \(name) twice") }
            items.append((name, value))
        }
        return items
    }

    /// The media type of the body, lower case, without its parameters (`text/csv; charset=utf-8` → `text/csv`).
    var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? "" }
    }
}
