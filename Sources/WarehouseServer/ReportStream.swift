import Foundation
import Hummingbird
import Logging
import NIOCore
import WarehouseCore

/// A report's answer made a piece at a time (about 64 KiB, ending at a row's
/// end: `ResultStream`), each piece stepped from SQLite on a reader thread
/// (`ReaderPool`) only when the one before it has been handed to the
/// connection, so that rows are read only as fast as the client takes them.
///
/// What an answer holds in the server's memory, however long the report: the
/// first `ahead` bytes, made before anything is sent (a shorter answer is sent
/// whole, with its `Content-Length`, and an error while it is made is still
/// answered by its status); then the piece being made, a piece waiting in
/// Hummingbird's writer and what the connection holds unsent, up to NIO's
/// high-water mark (64 KiB): under half a MiB. The rest waits in SQLite (and
/// in the kernel's socket buffers). 20 clients that ask for conversation_list
/// over the benchmark's data set (300,000 rows, 50 MB of csv each) and never
/// read, a debug build: the server's anonymous memory (RssAnon) went from
/// 847 MB (each answer built whole, then held unsent until the idle timeout
/// dropped it, 30 s after it was queued) to 28 MB, its VmRSS from 1,133 to
/// 845 MB. The rest of that VmRSS is the warehouse file's pages that SQLite
/// maps (`mmap_size`), the same 38 MB counted once for each of the 20 reading
/// connections: page cache, which the kernel can drop.
///
/// How long its read transaction stays open: until the last row is made, or
/// until the client has made no room for the next piece for `--timeout`
/// seconds; then the connection is closed and the statement reset (`send`).
/// Hummingbird's idle timeout does not run while an answer is being written,
/// so that is what ends a client that stopped reading.
// @unchecked Sendable: its state is touched by one call at a time: the sender
// awaits each piece before it asks for the next and closes it after the last
// (or it ends when released, when nothing else holds it).
final class ReportStream: @unchecked Sendable {
    /// Bytes made before the answer's head is sent.
    static let ahead = 256 << 10

    private let pool: ReaderPool
    private var warehouse: (any ReportStore)?
    private var rows: (any ReportCursor)?
    private let output: ResultStream
    /// What `output` has printed and is not a piece yet.
    private let printed = Printed()
    /// Pieces made and not handed over yet.
    private var waiting: [ByteBuffer] = []
    /// Bytes made so far.
    private(set) var size = 0

    private init(pool: ReaderPool, warehouse: any ReportStore, rows: any ReportCursor, formatter: ResultFormatter, display: String?) {
        (self.pool, self.warehouse, self.rows) = (pool, warehouse, rows)
        let printed = self.printed
        output = ResultStream(formatter, columns: rows.columns, display: display, bytes: { printed.pieces.append(ByteBuffer(bytes: $0)) })
    }

    deinit { close() }

    /// Starts `report` on a reading connection of its own: its arguments are
    /// checked and its statement prepared; an error is answered by its kind, as
    /// `ReaderPool.withReader` answers it.
    static func start(_ report: Report, _ arguments: ReportArguments, _ formatter: ResultFormatter, pool: ReaderPool) async throws -> ReportStream {
        try await pool.onReaderThread {
            let warehouse = try pool.take()
            do {
                let rows = try warehouse.cursor(report, arguments)
                return ReportStream(pool: pool, warehouse: warehouse, rows: rows, formatter: formatter, display: report.display)
            } catch {
                pool.put(warehouse, reusable: FailureKind(of: error) != .store)
                throw error
            }
        }
    }

    /// Makes pieces until `ahead` bytes wait or the answer has ended; true when
    /// it has ended (it is then all in `whole`).
    func makeAhead() async throws -> Bool {
        while size < Self.ahead, let piece = try await make() { waiting.append(piece) }
        return rows == nil
    }

    /// The pieces made, as one buffer (once `makeAhead` has said the answer ended).
    var whole: ByteBuffer {
        guard waiting.count != 1 else { return waiting[0] }
        var all = ByteBuffer()
        for piece in waiting { all.writeImmutableBuffer(piece) }
        return all
    }

    /// The answer's length, its pieces made and none kept (for `HEAD`).
    func count() async throws -> Int {
        waiting.removeAll()
        while try await make() != nil {}
        return size
    }

    /// Ends the statement (and its read transaction) and puts the reading
    /// connection back, at the last row or before it.
    func close() {
        rows?.close()
        rows = nil  // its statement is finalized before its connection goes back
        if let warehouse { pool.put(warehouse, reusable: !failedInStore) }
        warehouse = nil
    }

    /// Whether making a piece failed in the store (a connection that may be gone: not kept).
    private var failedInStore = false

    /// The next piece: a waiting one, else one made on a reader thread; nil at the end.
    private func next() async throws -> ByteBuffer? {
        if !waiting.isEmpty { return waiting.removeFirst() }
        return try await make()
    }

    private func make() async throws -> ByteBuffer? {
        guard rows != nil else { return nil }
        return try await pool.onReaderThread { try self.makeNow() }
    }

    private func makeNow() throws -> ByteBuffer? {
        guard let rows else { return nil }
        let (output, printed) = (self.output, self.printed)
        do {
            if try !rows.next(into: output, while: { printed.pieces.isEmpty }) {
                output.finish()
                close()
            }
        } catch {
            failedInStore = FailureKind(of: error) == .store
            close()
            throw error
        }
        defer { printed.pieces.removeAll() }
        guard var piece = printed.pieces.first else { return nil }
        for more in printed.pieces.dropFirst() { piece.writeImmutableBuffer(more) }
        size += piece.readableBytes
        return piece
    }

    /// The answer's body: the pieces made ahead, then the others, each made
    /// once the one before it is handed to `channel`; a client that makes no
    /// room for the next part for `timeout` is cut off (its connection
    /// closed). An error after the head is sent can only cut the answer short
    /// (a chunked answer then lacks its last chunk); the log says why.
    func body(channel: any Channel, timeout: TimeAmount, logger: Logger, path: String) -> ResponseBody {
        ResponseBody { writer in
            defer { self.close() }
            do {
                while true {
                    let piece: ByteBuffer?
                    do {
                        piece = try await self.next()
                    } catch {
                        let answer = ServerError(for: error)
                        logger.error("GET \(path): the answer was cut short after \(self.size) bytes: \(answer.detail ?? answer.message)")
                        throw error
                    }
                    guard let piece else { break }
                    try await Self.send(on: channel, within: timeout) { try await writer.write(piece) }
                }
                try await Self.send(on: channel, within: timeout) { try await writer.finish(nil) }
            } catch is Stalled {
                logger.info("GET \(path): cut off after \(self.size) bytes made: its client took no more of the answer for \(String(format: "%g", Double(timeout.nanoseconds) / 1e9)) s")
                throw Stalled()
            }
        }
    }

    /// Runs `write` (which waits while the connection holds as much unsent as
    /// NIO lets it), closing the connection if it has not returned in `timeout`.
    private static func send(on channel: any Channel, within timeout: TimeAmount, _ write: () async throws -> Void) async throws {
        let cutOff = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        do {
            try await write()
            cutOff.cancel()
        } catch {
            cutOff.cancel()
            if (try? await cutOff.futureResult.get()) != nil { throw Stalled() }
            throw error
        }
    }

    /// A client that took none of the answer in time.
    private struct Stalled: Error {}

    /// What a `ResultStream` printed, kept apart from the stream that prints to it.
    private final class Printed {
        var pieces: [ByteBuffer] = []
    }
}
