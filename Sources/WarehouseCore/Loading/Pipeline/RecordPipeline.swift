import Foundation

/// Reads and prepares a source's records on a thread of its own while the
/// caller writes the batches already prepared: parsing (CSV, timestamps, time
/// zone, JSON content, hashing) runs beside SQLite instead of before it. At
/// most `depth` batches wait, so memory stays bounded whatever the source's size.
final class RecordPipeline {
    /// Reads the source's current record into values (the kind's `prepare`).
    typealias Prepare = (RecordFields, inout RecordWriter) throws -> Void

    private let condition = NSCondition()
    private var ready: [PreparedBatch] = []
    private var spare: [PreparedBatch] = []
    private var stopped = false
    private var finished = false
    private let depth = 4

    /// Starts reading `source` (positioned after its header) on its own thread.
    /// `requiresContact`: a record that names no contact is rejected (`RecordStore.requiresContact`).
    init(source: any RecordSource, zone: WorkspaceZone, requiresContact: Bool = false, prepare: @escaping Prepare) {
        let thread = Thread { [self] in
            self.read(source, zone: zone, requiresContact: requiresContact, prepare: prepare)
        }
        thread.name = "warehouse-reader"
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The next batch, in source order; nil once the reading thread has delivered
    /// the last one and finished. Throws what
    /// reading the file threw (the batches before it are all delivered first).
    func next() throws -> PreparedBatch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty {
            if finished { return nil }
            condition.wait()
        }
        let batch = ready.removeFirst()
        condition.broadcast()
        if let failure = batch.failure { throw failure }
        return batch
    }

    /// Hands a written batch back for reuse.
    func recycle(_ batch: PreparedBatch) {
        condition.lock()
        batch.clear()
        spare.append(batch)
        condition.unlock()
    }

    /// Stops the reading thread and waits for it to let go of the file.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    // MARK: The reading thread

    private func read(_ source: any RecordSource, zone: WorkspaceZone, requiresContact: Bool, prepare: Prepare) {
        var batch = takeSpare()
        do {
            var writer = RecordWriter(batch: batch, zone: zone)
            while try source.next() {
                let mark = (values: batch.values.count, bytes: batch.bytes.count)
                writer.start()
                do {
                    if let problem = source.malformation { throw RowReject(problem) }
                    try prepare(source.fields, &writer)
                    if requiresContact && writer.lacksContact { throw RowReject(Self.noContact) }
                    batch.records.append(.init(line: source.position, values: mark.values..<batch.values.count, hash: writer.hash.finish()))
                } catch let reject as RowReject {
                    batch.values.removeSubrange(mark.values...)
                    batch.bytes.removeSubrange(mark.bytes...)
                    batch.rejects.append(.init(line: source.position, reason: reject.reason, text: source.recordText))
                }
                if batch.isFull {
                    batch.progress = source.progress.done
                    guard deliver(batch) else { return finish() }
                    batch = takeSpare()
                    writer = RecordWriter(batch: batch, zone: zone)
                }
            }
            batch.progress = source.progress.done
        } catch {
            batch.failure = error
        }
        _ = deliver(batch)
        finish()
    }

    static let noContact = "no Contact ID: a warehouse distributed by contact (Citus) keeps every row with its contact"

    private func takeSpare() -> PreparedBatch {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast() ?? PreparedBatch()
    }

    /// Queues a batch, waiting while `depth` are queued; false once stopped.
    private func deliver(_ batch: PreparedBatch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        ready.append(batch)
        condition.broadcast()
        return true
    }

    private func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }
}
