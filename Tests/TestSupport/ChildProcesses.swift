import Foundation

/// Starts the tests' child processes (`warehouse serve`, loads to kill, the
/// browser) so that none outlives the test process, however that ends: a
/// failed expectation, a trap, a kill. Each is started through util-linux's
/// `setpriv --pdeathsig KILL`, so the kernel kills it when the thread that
/// started it ends; and every one is started from one thread that lives as
/// long as the test process (a pool thread may end while its child still
/// runs). Where `setpriv` is missing a child is started as it is.
public enum ChildProcesses {
    static let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `process` (configured, not yet started) as a child that ends with the tests.
    public static func run(_ process: Process) throws {
        if let setpriv, let executable = process.executableURL {
            process.arguments = ["--pdeathsig", "KILL", "--", executable.path] + (process.arguments ?? [])
            process.executableURL = URL(fileURLWithPath: setpriv)
        }
        try Launcher.shared.perform { try process.run() }
    }
}

/// The one thread children are started from.
private final class Launcher: @unchecked Sendable {
    // Safe: `work` and `done` are only touched with `condition` locked.
    static let shared = Launcher()
    private let condition = NSCondition()
    private var work: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "test-child-launcher"
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty { condition.wait() }
            let next = work.removeFirst()
            condition.unlock()
            next()
        }
    }

    /// Runs `body` on the launcher's thread and waits for it.
    func perform(_ body: @escaping () throws -> Void) throws {
        let finished = NSCondition()
        var done = false
        var failure: Error?
        condition.lock()
        work.append {
            do { try body() } catch { failure = error }
            finished.lock(); done = true; finished.signal(); finished.unlock()
        }
        condition.signal()
        condition.unlock()
        finished.lock()
        while !done { finished.wait() }
        finished.unlock()
        if let failure { throw failure }
    }
}
