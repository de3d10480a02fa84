import Foundation
import WarehouseCore

/// The tokens and the webhook key as the server sees them: read from the
/// warehouse at most once a second (so `warehouse auth` in another process
/// takes effect within a second, a revoked token included), on a reading
/// connection of their own.
// @unchecked Sendable: every property but `path` is touched only with `lock` held.
final class TokenCache: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var db: Database?
    private var entries: [Tokens.Entry] = []
    private var key: String?
    private var readAt = Date.distantPast
    /// Why the last reading failed, while no reading has succeeded yet.
    private var unread: Error?

    init(path: String) { self.path = path }

    private func refresh() {
        guard Date().timeIntervalSince(readAt) >= 1 else { return }
        do {
            if db == nil { db = try Database(path: path, mode: .readOnly) }
            guard let db else { return }
            entries = try Tokens.list(in: db)
            key = try Tokens.webhookKey(in: db)
            readAt = Date()
            unread = nil
        } catch {
            // Keep what was read last; try again at the next request.
            db = nil
            if readAt == .distantPast { unread = error }
        }
    }

    /// The token's entry, or nil when no stored token is this one. Throws the
    /// store's error when the tokens could never be read (the store's fault,
    /// not the client's: `503`, not `401`).
    func entry(for token: String) throws -> Tokens.Entry? {
        lock.lock(); defer { lock.unlock() }
        refresh()
        if let unread { throw unread }
        return Tokens.match(token, in: entries)
    }

    /// The webhook signing key; throws as `entry(for:)` does.
    func webhookKey() throws -> String? {
        lock.lock(); defer { lock.unlock() }
        refresh()
        if let unread { throw unread }
        return key
    }
}
