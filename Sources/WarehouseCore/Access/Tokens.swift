import Crypto
import Foundation

/// What a token may do: `ingest` writes records (POST /ingest, and nothing
/// else); `read` reads reports and the dashboard.
public enum TokenScope: String, CaseIterable, Sendable {
    case ingest, read
}

/// The server's tokens and the webhook signing key, kept in the warehouse
/// (`server_tokens`, `settings`; Schema/008_server_tokens.sql). A token is 32
/// random bytes, shown once as 43 URL-safe base64 characters with a `wh_`
/// prefix; only its SHA-256 is stored. A token given with a request is hashed
/// and compared with every stored hash in constant time, so neither the
/// comparison nor the search says how much of a guess was right.
public enum Tokens {
    public struct Entry: Sendable {
        public let name: String
        public let scope: TokenScope
        public let createdAt: String
        public let hash: [UInt8]

        public init(name: String, scope: TokenScope, createdAt: String, hash: [UInt8]) {
            (self.name, self.scope, self.createdAt, self.hash) = (name, scope, createdAt, hash)
        }
    }

    static let webhookKeySetting = "webhook_signing_key"

    // MARK: Managing them (warehouse auth)

    /// Makes a token of `scope` named `name` (default `SCOPE-N`), stores its
    /// hash, and returns the name and the token, which is not kept anywhere.
    public static func add(scope: TokenScope, name given: String?, in warehouse: any WritableStore) throws -> (name: String, token: String) {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let token = "wh_" + Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        func exists(_ name: String) throws -> Bool {
            try !warehouse.rows("SELECT 1 FROM server_tokens WHERE name = ?", [.text(name)]).isEmpty
        }
        return try warehouse.writing {
            let name: String
            if let given {
                guard !given.trimmingCharacters(in: .whitespaces).isEmpty else { throw WarehouseError("--name takes a name that is not blank.") }
                if try exists(given) {
                    throw WarehouseError("a token named \(given) exists already: revoke it first (warehouse auth revoke \(given)) or choose another --name.")
                }
                name = given
            } else {
                var n = (try warehouse.rows("SELECT count(*) FROM server_tokens WHERE scope = ?", [.text(scope.rawValue)]).first?.first?.int64 ?? 0) + 1
                while try exists("\(scope.rawValue)-\(n)") { n += 1 }
                name = "\(scope.rawValue)-\(n)"
            }
            try warehouse.execute("INSERT INTO server_tokens(name, scope, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                                  [.text(name), .text(scope.rawValue), .text(hex(sha256(token))), .text(now())])
            return (name, token)
        }
    }

    /// The tokens, oldest first.
    public static func list(in warehouse: any ReportStore) throws -> [Entry] { entries(try warehouse.rows(listSQL, [])) }

    static let listSQL = "SELECT name, scope, created_at, token_sha256 FROM server_tokens ORDER BY created_at, name"

    static func entries(_ rows: [[SQLValue]]) -> [Entry] {
        rows.compactMap { row in
            guard let name = row[0].string, let scope = row[1].string.flatMap(TokenScope.init(rawValue:)) else { return nil }
            return Entry(name: name, scope: scope, createdAt: row[2].string ?? "", hash: unhex(row[3].string ?? ""))
        }
    }

    /// Removes the token named `name`; an error when there is none.
    public static func revoke(name: String, in warehouse: any WritableStore) throws {
        try warehouse.writing {
            guard try !warehouse.rows("SELECT 1 FROM server_tokens WHERE name = ?", [.text(name)]).isEmpty else {
                let names = try list(in: warehouse).map(\.name)
                throw WarehouseError("no token is named \(name)" + (names.isEmpty ? "; there are none." : ": the tokens are \(names.joined(separator: ", ")) (warehouse auth list)."))
            }
            try warehouse.execute("DELETE FROM server_tokens WHERE name = ?", [.text(name)])
        }
    }

    public static func setWebhookKey(_ key: String, in warehouse: any WritableStore) throws {
        guard !key.isEmpty else { throw WarehouseError("the webhook signing key is blank: copy it from respond.io (Settings > Integrations > Webhooks).") }
        try warehouse.execute("INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                              [.text(webhookKeySetting), .text(key)])
    }

    public static func webhookKey(in warehouse: any ReportStore) throws -> String? {
        try warehouse.rows(webhookKeySQL, [.text(webhookKeySetting)]).first?.first?.string
    }

    static let webhookKeySQL = "SELECT value FROM settings WHERE key = ?"

    // MARK: Checking them

    public static func sha256(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Data(text.utf8))) }

    /// Whether two byte strings are equal, in a time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// The entry whose hash is the token's: every entry is compared, whatever matched.
    public static func match(_ token: String, in entries: [Entry]) -> Entry? {
        let hash = sha256(token)
        var found: Entry?
        for entry in entries where constantTimeEqual(entry.hash, hash) { found = entry }
        return found
    }

    /// Whether `signature` (base64) is the HMAC-SHA256 of `body` under `key`, compared in constant time.
    public static func isValidSignature(_ signature: String, of body: [UInt8], key: String) -> Bool {
        guard let given = Data(base64Encoded: signature.trimmingCharacters(in: .whitespaces)) else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Data(key.utf8)))
        return constantTimeEqual(Array(given), Array(mac))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func unhex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var chars = Array(text.utf8)[...]
        while chars.count >= 2, let b = UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16) {
            bytes.append(b)
            chars = chars.dropFirst(2)
        }
        return bytes
    }

    public static func now() -> String {
        CivilTime.format(wallSeconds: Int64(Date().timeIntervalSince1970)).replacingOccurrences(of: " ", with: "T") + "Z"
    }
}

/// The webhook events a server has seen (`webhook_events`, Schema/008): a
/// redelivered event is known by its `event_id` or by its body's SHA-256;
/// event types that are not stored are counted (`webhook_other_events`).
public enum WebhookEvents {
    /// Whether any of `keys` (`id:…`, `sha256:…`) was recorded.
    public static func seen(_ keys: [String], in warehouse: any WritableStore) throws -> Bool {
        for key in keys where try !warehouse.rows("SELECT 1 FROM webhook_events WHERE event_key = ?", [.text(key)]).isEmpty { return true }
        return false
    }

    /// Records `keys` for an event of `type` stored by the latest load.
    public static func record(_ keys: [String], type: String, in warehouse: any WritableStore) throws {
        let loadID = try warehouse.rows("SELECT max(load_id) FROM load_log", []).first?.first ?? .null
        for key in keys {
            try warehouse.execute("INSERT INTO webhook_events(event_key, event_type, load_id, received_at) VALUES (?, ?, ?, ?)",
                                  [.text(key), .text(type), loadID, .text(Tokens.now())])
        }
    }

    /// Counts an event of a type that is not stored.
    public static func countOther(type: String, in warehouse: any WritableStore) throws {
        try warehouse.execute("""
            INSERT INTO webhook_other_events(event_type, received, last_received_at) VALUES (?, 1, ?)
            ON CONFLICT(event_type) DO UPDATE SET received = webhook_other_events.received + 1, last_received_at = excluded.last_received_at
            """, [.text(type), .text(Tokens.now())])
    }
}
