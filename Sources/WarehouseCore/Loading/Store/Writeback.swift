import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts the disk writes of a loading warehouse's files while the load goes
/// on, from a thread of its own: the file's commit then waits for what is left
/// instead of for everything the load wrote. (The kernel holds gigabytes of
/// written pages before it writes them on its own; the commit's syncs of the
/// write-ahead log and of the database file would write all of it then.)
final class Writeback {
    private let paths: [String]
    private let condition = NSCondition()
    private var running = true
    private var finished = false

    init(databasePath: String) {
        paths = [databasePath + "-wal", databasePath]
        let thread = Thread { [self] in self.run() }
        thread.name = "warehouse-writeback"
        thread.start()
    }

    private func run() {
        var descriptors: [Int32] = paths.map { _ in -1 }
        condition.lock()
        while running {
            _ = condition.wait(until: Date().addingTimeInterval(0.25))
            guard running else { break }
            condition.unlock()
            for (i, path) in paths.enumerated() {
                if descriptors[i] < 0 { descriptors[i] = open(path, O_RDONLY) }
                if descriptors[i] >= 0 { _ = fdatasync(descriptors[i]) }
            }
            condition.lock()
        }
        finished = true
        condition.broadcast()
        condition.unlock()
        for fd in descriptors where fd >= 0 { close(fd) }
    }

    /// Stops the thread and waits for it.
    func stop() {
        condition.lock()
        running = false
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
