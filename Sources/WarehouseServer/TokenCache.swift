import Foundation
import WarehouseCore

/// The tokens and the webhook key as the server sees them, read from the
/// warehouse on a thread of its own every half second, on a reading connection
/// of its own: `warehouse auth` on any machine (a revoked token included) takes
/// effect on every server within a second, and no request waits for the
/// database to answer them. Whether the last reading succeeded is the
/// server's health (`GET /healthz`).
// @unchecked Sendable: every property but the constants and `reader` is touched only
// with `lock` held; `reader` only by `init`, then by the reading thread.
final class TokenCache: @unchecked Sendable {
    private let warehouse: ServedWarehouse
    private let lock = NSCondition()
    private var entries: [Tokens.Entry] = []
    private var key: String?
    /// Whether the tokens were ever read.
    private var read = false
    /// Why the last reading failed, or nil when it succeeded.
    private var failure: Error?
    private var stopping = false
    /// The reading connection (nil: open one at the next reading).
    private var reader: (any ReportStore)?
    /// How often the tokens are read again.
    static let interval = 0.5

    /// Reads the tokens once (an error here is kept: requests are answered `503`
    /// until a reading succeeds), then every `interval` on a thread of its own.
    init(_ warehouse: ServedWarehouse) {
        self.warehouse = warehouse
        refresh()
        let thread = Thread { [weak self] in
            while let self, self.wait() { self.refresh() }
        }
        thread.name = "warehouse-tokens"
        thread.start()
    }

    /// Stops the reading thread.
    func stop() {
        lock.lock(); defer { lock.unlock() }
        stopping = true
        lock.broadcast()
    }

    /// Waits `interval`; false once stopping.
    private func wait() -> Bool {
        lock.lock(); defer { lock.unlock() }
        if !stopping { _ = lock.wait(until: Date().addingTimeInterval(Self.interval)) }
        return !stopping
    }

    private func refresh() {
        do {
            if reader == nil { reader = try warehouse.openReader() }
            guard let store = reader else { return }
            let (entries, key) = (try Tokens.list(in: store), try Tokens.webhookKey(in: store))
            lock.lock()
            (self.entries, self.key, read, failure) = (entries, key, true, nil)
            lock.unlock()
        } catch {
            // Keep what was read last; open another connection at the next reading.
            reader = nil
            lock.lock()
            failure = error
            lock.unlock()
        }
    }

    /// Throws the store's error while the tokens were never read (the store's
    /// fault, not the client's: `503`, not `401`).
    private func current<T>(_ body: () -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        if !read, let failure { throw failure }
        return body()
    }

    /// The token's entry, or nil when no stored token is this one.
    func entry(for token: String) throws -> Tokens.Entry? {
        try current { Tokens.match(token, in: entries) }
    }

    /// The webhook signing key; throws as `entry(for:)` does.
    func webhookKey() throws -> String? {
        try current { key }
    }

    /// Why the warehouse did not answer the last reading, or nil when it did.
    var unanswered: Error? {
        lock.lock(); defer { lock.unlock() }
        return failure
    }
}
