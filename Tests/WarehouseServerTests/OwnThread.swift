import Foundation

/// A task executor with a thread of its own. A test that times a server's answers runs
/// its body here (`withTaskExecutorPreference`): reading an answer then never waits for
/// Swift's shared pool, which other suites' blocking calls (a child process waited for)
/// can hold for a minute on a two-core machine while the whole suite runs; the client's
/// read timeout then fired on an answer the server had long sent.
final class OwnThread: TaskExecutor, @unchecked Sendable {
    // Safe: `jobs` is read and changed under `condition` only.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init(name: String = "test-own-thread") {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
