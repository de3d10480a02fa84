import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO
import WarehouseCore

extension PostgresSession {
    /// Runs one statement and hands over its column names (none for a statement that
    /// returns no rows, as a `CREATE`), then each row as it arrives: a long result is
    /// never held whole, and the server waits while `row` works (postgres-nio reads
    /// the socket only as the rows are taken).
    public func stream(_ sql: String, _ arguments: [SQLValue] = [],
                       columns: ([String]) throws -> Void, row: ([SQLValue]) throws -> Void) async throws {
        guard !connection.isClosed else { throw dropped }
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(arguments)), logger: Self.logger)
            try columns(rows.columns.map(\.name))
            for try await next in rows {
                try row(next.map(PostgresValues.value))
            }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw failure(error, statement: sql)
        }
    }

    /// `COPY table (columns) FROM STDIN` in text format: `write` is given a function
    /// that sends the bytes of whole rows (`CopyText` encodes them) and returns when
    /// the server has room for more.
    ///
    /// postgres-nio 1.33 traps (preconditions of its state machine) when a copy goes on
    /// after the server has ended the connection: on the next write, and on the CopyFail
    /// or CopyDone it sends when `writeData` throws or returns. So a copy that finds the
    /// connection closed never hands control back to it: that task is left waiting (it
    /// holds no thread), and the caller is answered by the session's watch on the
    /// connection's end (`pending`), with the one-line error every dropped connection gives. The checks run on
    /// the connection's event loop, so what they see holds until postgres-nio acts.
    public func copy(into table: String, columns: [String],
                     _ write: @escaping (_ send: (ByteBuffer) async throws -> Void) async throws -> Void) async throws {
        let statement = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        let connection = connection
        guard !connection.isClosed else { throw dropped }
        let answer = connection.eventLoop.makePromise(of: Void.self)
        pending.withLockedValue { $0 = { answer.fail($0) } }
        defer { pending.withLockedValue { $0 = nil } }
        let copying: @Sendable () async -> Void = {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: Self.logger) { writer in
                    try await write { bytes in
                        if connection.isClosed { await Self.waitForever() }
                        try await writer.write(bytes)
                    }
                    if connection.isClosed { await Self.waitForever() }
                }
                answer.succeed(())
            } catch {
                if connection.isClosed { await Self.waitForever() }
                answer.fail(error)
            }
        }
        // On the connection's event loop, where its state changes: what a check sees holds.
        if #available(macOS 15.0, iOS 18.0, *) {
            Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop), operation: copying)
        } else {
            Task(operation: copying)
        }
        do {
            try await answer.futureResult.get()
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw failure(error, statement: statement)
        }
    }

    /// Never returns: the copy tasks of closed connections wait here (kept, so that the
    /// runtime does not report a continuation dropped unresumed).
    private static func waitForever() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            abandonedCopies.withLockedValue { $0.append(continuation) }
        }
    }

    private static let abandonedCopies = NIOLockedValueBox<[CheckedContinuation<Void, Never>]>([])
}
