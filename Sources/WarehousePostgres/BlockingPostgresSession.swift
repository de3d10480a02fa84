import NIOCore
import NIOPosix
import WarehouseCore

/// A `PostgresSession` for synchronous code, as the command line calls SQLite:
/// each call runs the session's async method and waits for it.
///
/// The rule that keeps it from deadlocking: the work never needs the thread that
/// waits, nor Swift concurrency's shared pool. Each facade owns an event loop (one
/// thread of its own); the connection's I/O is on it, and the async body runs on it
/// too, as a task whose executor preference is that loop. So a caller may block
/// any thread, a task of the shared pool included (it then holds that one thread
/// while it waits, as any blocking call does), with nothing left waiting for the
/// thread it holds. The one thread that must never call it is the facade's own
/// loop (a body running there would wait for itself): that call throws instead.
public final class BlockingPostgresSession {
    public let session: PostgresSession
    private let loop: BlockingEventLoop

    /// Connects to `location` (one line naming the server and the database when it cannot).
    public init(connectingTo location: PostgresLocation) throws {
        let loop = BlockingEventLoop()
        do {
            self.session = try loop.wait { try await PostgresSession.connect(to: location, on: loop.eventLoop) }
        } catch {
            loop.shutdown()
            throw error
        }
        self.loop = loop
    }

    deinit { close() }

    public var location: PostgresLocation { session.location }

    /// The COPY or query the loader's store started (`copy(into:columns:text:)`,
    /// `startQuery`) and has not been waited for.
    private var started: EventLoopFuture<Void>?

    /// Waits for what the loader's store started, if anything; throws what it threw.
    /// Every other call waits for it first: the connection is one conversation.
    public func finishStarted() throws {
        guard let pending = started else { return }
        started = nil
        try pending.wait()
    }

    /// The rows of one statement (`$1`, `$2`… bound to `arguments`).
    public func query(_ sql: String, _ arguments: [SQLValue] = []) throws -> [[SQLValue]] {
        try finishStarted()
        let session = session
        return try loop.wait { try await session.query(sql, arguments) }
    }

    /// The first column of the first row, or nil when there is no row.
    public func scalar(_ sql: String, _ arguments: [SQLValue] = []) throws -> SQLValue? {
        try query(sql, arguments).first?.first
    }

    /// `PostgresSession.stream`, waited for: `columns` and `row` run on the session's
    /// thread while this one waits (escaping only because the session's task holds them
    /// a moment past the end).
    public func stream(_ sql: String, _ arguments: [SQLValue] = [],
                       columns: @escaping ([String]) throws -> Void, row: @escaping ([SQLValue]) throws -> Void) throws {
        try finishStarted()
        let session = session
        let callbacks = UncheckedBox((columns, row))
        try loop.wait { try await session.stream(sql, arguments, columns: callbacks.value.0, row: callbacks.value.1) }
    }

    /// `COPY table (columns) FROM STDIN` of the rows `appendRow` writes into the text, one
    /// a call, until it returns false; sent a megabyte at a time. Returns how many rows went.
    @discardableResult
    public func copy(into table: String, columns: [String], appendRow: @escaping (inout CopyText) throws -> Bool) throws -> Int {
        try finishStarted()
        let session = session
        let source = UncheckedBox(appendRow)
        return try loop.wait {
            var count = 0
            try await session.copy(into: table, columns: columns) { send in
                var text = CopyText()
                while try source.value(&text) {
                    count += 1
                    if text.count >= 1 << 20 { try await send(ByteBuffer(bytes: text.take())) }
                }
                if text.count > 0 { try await send(ByteBuffer(bytes: text.take())) }
            }
            return count
        }
    }

    /// Runs a script of several statements, stopping at the first that fails.
    public func execute(_ script: String) throws {
        try finishStarted()
        let session = session
        try loop.wait { try await session.execute(script) }
    }

    /// Runs any async work on the session's loop and waits for it (the rule above holds).
    public func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try finishStarted()
        return try loop.wait(body)
    }

    /// Ends the connection and the facade's thread (again: nothing).
    public func close() {
        guard !loop.isShutDown else { return }
        try? finishStarted()
        let session = session
        try? loop.wait { await session.close() }
        loop.shutdown()
    }
}

/// An event loop of its own and a way to run async work on it from synchronous code.
final class BlockingEventLoop: @unchecked Sendable {
    // Safe: `group` is immutable; `shutDown` is read and set only by the facade's
    // caller, which uses one facade from one thread at a time (as a SQLite connection).
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let eventLoop: any EventLoop
    private(set) var isShutDown = false

    init() { eventLoop = group.next() }

    /// Runs `body` on the loop (as a task that prefers it as its executor) and waits for its result.
    func wait<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try start(body).wait()
    }

    /// Starts `body` on the loop (as `wait` runs it) and returns its future result.
    func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> EventLoopFuture<T> {
        guard !eventLoop.inEventLoop else {
            throw PostgresFailure.misuse("a blocking PostgreSQL call was made on the connection's own event loop, which would wait for itself")
        }
        guard !isShutDown else { throw PostgresFailure.misuse("the PostgreSQL session was used after it was closed") }
        let promise = eventLoop.makePromise(of: T.self)
        let run: @Sendable () async -> Void = {
            do { promise.succeed(try await body()) } catch { promise.fail(error) }
        }
        if #available(macOS 15.0, iOS 18.0, *) {
            Task(executorPreference: EventLoopTaskExecutor(eventLoop), operation: run)
        } else {
            // No task executors before macOS 15: the body's own steps run on the shared
            // pool, its I/O still on the loop (do not call this from that pool there).
            Task(operation: run)
        }
        return promise.futureResult
    }

    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        try? group.syncShutdownGracefully()
    }
}

/// An event loop as a task executor: the jobs of a task that prefers it run on the
/// loop's thread, between its I/O events.
@available(macOS 15.0, iOS 18.0, *)
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Safe: an event loop takes work from any thread.
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A value handed to the session's thread while the calling thread waits for it
/// (`stream`, `copy`): only one of the two uses it at a time.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// The loader's PostgreSQL store speaks to the server through this session.
extension BlockingPostgresSession: ServerConnection {
    public func forEachRow(_ sql: String, _ arguments: [SQLValue], _ row: @escaping ([SQLValue]) throws -> Void) throws {
        try stream(sql, arguments, columns: { _ in }, row: row)
    }

    /// Starts the query and returns what waits for its rows: the loader's store looks
    /// up the next batch's rows while it writes this one's.
    public func startQuery(_ sql: String, _ arguments: [SQLValue]) throws -> () throws -> [[SQLValue]] {
        try finishStarted()
        let session = session
        let future = try loop.start { try await session.query(sql, arguments) }
        started = future.map { _ in () }
        return { try future.wait() }
    }

    /// Starts the COPY and returns: the caller makes its next rows while the server
    /// takes these; the next call on the session waits for it (`finishCopy`). A first
    /// load of the benchmark's 3 million messages: 24.4 s of rows waiting for each COPY.
    public func copy(into table: String, columns: [String], text: [UInt8]) throws {
        try finishStarted()
        let session = session
        let bytes = UncheckedBox(text)
        started = try loop.start {
            try await session.copy(into: table, columns: columns) { send in try await send(ByteBuffer(bytes: bytes.value)) }
        }
    }
}
