import Foundation
import ServiceLifecycle
import WarehouseCore

/// The server's one writer. Requests that write (ingest, webhooks) hand it
/// their work and wait; its thread takes every piece of work waiting, runs
/// them in ONE transaction, each in a savepoint of its own (a piece that
/// fails is undone alone, and its request answered with its error), commits,
/// and only then answers them all. A commit is durable before it returns (a
/// file's connection writes with the write-ahead log and `synchronous = FULL`;
/// PostgreSQL's commits are synced): an answered request survives a kill of the
/// server, and of the machine. With many requests at once they share commits
/// (group commit), so durability costs one sync per group, not one per request.
/// The connection is the served warehouse's (`WritingConnection`); one that no
/// longer answers after a failed group (a database gone) is opened again for
/// the next group.
// @unchecked Sendable: the queue and the stop flags are touched only with
// `condition` locked; the connection and its loader (`context`) only on the
// writing thread; `groups` and `pieces` are written there and read for the log.
public final class GroupCommitWriter: @unchecked Sendable {
    /// What a piece of work gets: the writing connection and its loader.
    public final class Context {
        let connection: any WritingConnection
        /// The warehouse, for what a request writes beside records.
        public var store: any WritableStore { connection.store }
        public private(set) var loader: Loader

        init(connection: any WritingConnection) throws {
            self.connection = connection
            loader = try Self.loader(connection)
        }

        private static func loader(_ connection: any WritingConnection) throws -> Loader {
            let loader = try connection.loader()
            loader.rejectsInSummary = GroupCommitWriter.rejectsPerRequest
            loader.rejectsStored = GroupCommitWriter.rejectsPerRequest
            return loader
        }

        /// A loader with no cached keys: after a rollback the loader did not
        /// make itself, its caches may name rows that are gone.
        func resetLoader() {
            if let fresh = try? Self.loader(connection) { loader = fresh }
        }
    }

    private struct Job {
        let run: (Context) throws -> Void
        let done: (Error?) -> Void
        /// Records of one kind to load (`ingest`): the jobs of a group that
        /// load the same kind are loaded as one unit.
        var ingest: Ingest?
    }

    private final class Ingest {
        let source: NamedFieldsSource
        let kind: ExportKind
        var summary: LoadSummary?
        init(source: NamedFieldsSource, kind: ExportKind) { (self.source, self.kind) = (source, kind) }
    }

    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var stopped = false
    private let warehouse: ServedWarehouse
    /// nil after a group failed on a connection that no longer answers (the database
    /// went away): the next group opens another.
    private var context: Context?
    private var thread: Thread?
    /// How many groups were committed, and how many pieces they held (for tests and the log).
    public private(set) var groups = 0
    public private(set) var pieces = 0
    /// The rejects a request stores (the first ones) and its answer lists;
    /// all are counted. A body of a million bad records stores 1,000 rows, not a million.
    static let rejectsPerRequest = 1000
    /// A fault for tests: run in each group's transaction after its work,
    /// just before the commit; a throw fails the group as a failed commit does.
    private var faultBeforeCommit: (() throws -> Void)?

    /// Opens the warehouse for writing (creating it in UTC when it does not
    /// exist), and starts the writing thread.
    public init(_ warehouse: ServedWarehouse) throws {
        self.warehouse = warehouse
        context = try Context(connection: warehouse.openWriter())
        let thread = Thread { [self] in self.loop() }
        thread.name = "warehouse-writer"
        thread.start()
        self.thread = thread
    }

    /// Runs `work` in the next group's transaction, in a savepoint of its own,
    /// and returns its result once the group is committed and synced. When
    /// `work` throws, its savepoint is rolled back and its error thrown here;
    /// when the commit fails, every piece of the group gets that error and
    /// nothing of the group is stored.
    public func perform<T>(_ work: @escaping (Context) throws -> T) async throws -> T {
        let box = ResultBox<T>()
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            let job = Job(run: { context in box.value = try work(context) }, done: { error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let value = box.value {
                    continuation.resume(returning: value)
                } else {
                    continuation.resume(throwing: WarehouseError("the writer lost a result"))
                }
            })
            enqueue(job, or: continuation)
        }
    }

    /// Loads `source` as records of `kind` in the next group. The requests of
    /// a group that load one kind are loaded together, as one unit (one load
    /// log entry; each reject names its request and its index there): a load
    /// unit's fixed cost (its log entry, links, summaries) is paid once per
    /// group, not once per request. When that unit fails, each request is
    /// loaded again on its own, in a savepoint, and answered with its own
    /// result or error.
    public func ingest(_ source: NamedFieldsSource, as kind: ExportKind) async throws -> LoadSummary {
        let ingest = Ingest(source: source, kind: kind)
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<LoadSummary, Error>) in
            // On its own (`run`), or with others of its kind (`loadTogether`): either sets `ingest.summary`.
            var job = Job(run: { context in
                let summary = context.loader.load(source, as: kind)
                if let failure = summary.failure { throw failure }
                ingest.summary = summary
            }, done: { error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let value = ingest.summary {
                    continuation.resume(returning: value)
                } else {
                    continuation.resume(throwing: WarehouseError("the writer lost a result"))
                }
            })
            job.ingest = ingest
            enqueue(job, or: continuation)
        }
    }

    private func enqueue<T>(_ job: Job, or continuation: CheckedContinuation<T, Error>) {
        condition.lock()
        if stopped {
            condition.unlock()
            continuation.resume(throwing: WarehouseError("the server is shutting down"))
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Sets (nil: clears) the fault run before each commit (`faultBeforeCommit`); for tests.
    func injectFaultBeforeCommit(_ fault: (() throws -> Void)?) {
        condition.lock(); defer { condition.unlock() }
        faultBeforeCommit = fault
    }

    /// Finishes the work waiting, then stops the thread and waits for it.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let jobs = queue
            queue = []
            let fault = faultBeforeCommit
            condition.unlock()
            write(jobs, fault: fault)
        }
    }

    private func write(_ jobs: [Job], fault: (() throws -> Void)? = nil) {
        let context: Context
        do {
            context = try self.context ?? Context(connection: warehouse.openWriter())
            self.context = context
        } catch {
            for job in jobs { job.done(error) }
            return
        }
        let connection = context.connection
        for attempt in 1...Self.attempts {
            var errors = [Error?](repeating: nil, count: jobs.count)
            do {
                try connection.group {
                    var done = Set<Int>()
                    // The ingests of each kind, together (records of one kind, in the order they came).
                    for kind in ExportKind.allCases {
                        let together = jobs.indices.filter { jobs[$0].ingest?.kind == kind }
                        guard together.count > 1 else { continue }
                        do {
                            try connection.piece { try loadTogether(together.map { jobs[$0].ingest! }, context) }
                            done.formUnion(together)
                        } catch {
                            if Self.isConflict(error) { throw Conflict(error: error) }
                            // Each of them again, on its own, below.
                            context.resetLoader()
                        }
                    }
                    for (i, job) in jobs.enumerated() where !done.contains(i) {
                        do {
                            try connection.piece { try job.run(context) }
                        } catch {
                            if Self.isConflict(error) { throw Conflict(error: error) }
                            context.resetLoader()
                            errors[i] = error
                        }
                    }
                    try fault?()
                }
                groups += 1
                pieces += jobs.count
                for (job, error) in zip(jobs, errors) { job.done(error) }
                return
            } catch is Conflict where attempt < Self.attempts {
                // Undone whole, the lock let go: the other transaction goes on, this group again after it.
                context.resetLoader()
                conflicts += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0.01...0.05) * Double(attempt))
            } catch {
                context.resetLoader()
                if !connection.answers() {
                    connection.close()
                    self.context = nil
                }
                let failure = (error as? Conflict)?.error ?? error
                for job in jobs { job.done(failure) }
                return
            }
        }
    }

    /// How many times a group is run when it meets a conflict with another transaction.
    static let attempts = 4
    /// How many groups met a conflict and were run again (for tests and the log).
    public private(set) var conflicts = 0

    /// A deadlock or a serialization failure with another transaction (on PostgreSQL,
    /// one that holds rows outside the warehouse's write lock: a BI tool's, an
    /// administrator's): the group is undone and run again, the client never sees it.
    private struct Conflict: Error { let error: Error }

    static func isConflict(_ error: Error) -> Bool {
        (error as? any ClassifiedFailure)?.isConflict ?? false
    }

    /// Loads several requests' records of one kind as one unit, and gives
    /// each request its own summary: its records' outcomes and rejects by its
    /// own index. Throws (the caller's savepoint is then rolled back) when the
    /// unit fails.
    private func loadTogether(_ ingests: [Ingest], _ context: Context) throws {
        let sources = ingests.map(\.source)
        let name = "\(sources[0].name) +\(sources.count - 1)"
        var outcomes = [RecordOutcome?](repeating: nil, count: sources.reduce(0) { $0 + $1.count })
        var kept = [Bool](repeating: false, count: outcomes.count)
        let summary = context.loader.load(NamedFieldsSource.combining(sources, name: name), as: ingests[0].kind) { position, outcome, byContact in
            if outcomes.indices.contains(position) { (outcomes[position], kept[position]) = (outcome, byContact) }
        }
        if let failure = summary.failure {
            context.resetLoader()
            throw failure
        }
        var start = 0
        for ingest in ingests {
            var own = LoadSummary(path: ingest.source.name)
            own.kind = summary.kind
            own.form = summary.form
            for (index, outcome) in outcomes[start..<(start + ingest.source.count)].enumerated() {
                own.rowsRead += 1
                if kept[start + index] { own.keptByContactAndTime += 1 }
                switch outcome ?? .rejected("not loaded") {
                case .inserted: own.inserted += 1
                case .updated: own.updated += 1
                case .unchanged: own.unchanged += 1
                case .rejected(let reason):
                    own.rejected += 1
                    if own.rejects.count < context.loader.rejectsInSummary { own.rejects.append(.init(line: index, reason: reason)) }
                }
            }
            // The loader stored each request's first rejects, up to its limit.
            own.rejectsKept = min(own.rejected, context.loader.rejectsStored ?? own.rejected)
            start += ingest.source.count
            ingest.summary = own
        }
    }
}

// @unchecked Sendable: written on the writing thread before `done` is called there, and read only by `done`.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}

/// The writer is a service of the server's service group, listed before the
/// HTTP server: the group shuts services down in reverse order, so the server
/// finishes the requests in flight first, then the writer their writes.
extension GroupCommitWriter: Service {
    public func run() async throws {
        try? await gracefulShutdown()
        // `stop` waits for the writing thread: off the cooperative pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { self.stop(); done.resume() }
        }
    }
}
