import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with `ConnectionPersistence` in its pipeline,
/// between NIO's HTTP/1 codec and the conversion to HTTP types: past that
/// conversion a request no longer says its HTTP version.
struct HTTP1PersistentChannel: ServerChildChannel {
    let http1: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(ConnectionPersistence(), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

/// Whether a connection stays open after an answer, by its request's HTTP
/// version (RFC 9112 9.3): HTTP/1.1 keeps it unless the request says
/// `Connection: close`; HTTP/1.0 ends it after the answer unless the request
/// says `Connection: keep-alive` and the answer has a `Content-Length`.
///
/// A request that does not keep its connection reaches Hummingbird saying
/// `Connection: close` (whatever its version): Hummingbird then reads no further
/// request from it and shuts the connection's sending side once the answer is
/// written, all of it (the client reads to its end, then closes); a client
/// that does not close is cut off by the idle timeout. The answer says
/// `Connection: close` too.
///
/// An HTTP/1.0 client reads no chunked body, so its answer is sent as
/// HTTP/1.0: with its length, or (a report too long to hold, `ReportStream`)
/// to the end of the connection, which then ends, keep-alive or not. A
/// kept connection's answer says `Connection: keep-alive`, as HTTP/1.0 asks.
final class ConnectionPersistence: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// The requests read and not answered yet, in order: each one's version, and
    /// whether it lets its connection stay open.
    private var unanswered = CircularBuffer<(version: HTTPVersion, keepAlive: Bool)>()
    /// The answer being written is delimited by the end of the connection, which
    /// Hummingbird would keep open: its end shuts the sending side.
    private var endsWithConnection = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(var head) = unwrapInboundIn(data) else { return context.fireChannelRead(data) }
        let keepAlive = head.isKeepAlive
        unanswered.append((head.version, keepAlive))
        // Hummingbird ends a connection after the answer only on exactly `close`.
        if !keepAlive { head.headers.replaceOrAdd(name: "Connection", value: "close") }
        context.fireChannelRead(wrapInboundOut(.head(head)))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            // An answer that no request asked for (Hummingbird's 400 to a request it cannot parse) closes its connection itself.
            guard let request = unanswered.popFirst() else { return context.write(data, promise: promise) }
            let older = request.version.major == 1 && request.version.minor == 0
            if older { head.version = request.version }
            if !request.keepAlive {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            } else if older && !head.headers.contains(name: "connection") {
                let delimited = !head.headers.contains(name: "content-length")
                head.headers.replaceOrAdd(name: "Connection", value: delimited ? "close" : "keep-alive")
                endsWithConnection = delimited
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where endsWithConnection:
            endsWithConnection = false
            context.writeAndFlush(data, promise: promise)
            // After the writes before it: closing the sending side waits for them.
            context.close(mode: .output, promise: nil)
        default:
            context.write(data, promise: promise)
        }
    }
}
