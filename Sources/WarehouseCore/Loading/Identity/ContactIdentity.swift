import Foundation

/// A conversation or message kept by its contact and time instead of its ID:
/// a spreadsheet damaged the ID (SPEC 1, "Exports after a spreadsheet"), or
/// the record came without one (a webhook event, SPEC 6). The identity is its
/// natural key in the warehouse (`Schema/007_ids_damaged_by_spreadsheets.sql`):
/// it starts with `~`, which no export ID does, so a look-up by key and a range
/// scan of the key index (`> '~'`) tell such rows from the others.
enum ContactIdentity {
    /// What every identity starts with.
    static let mark = UInt8(ascii: "~")

    /// Whether a stored key is an identity rather than an export ID.
    @inline(__always)
    static func isIdentity(_ key: UnsafeBufferPointer<UInt8>) -> Bool { key.first == mark }

    /// A conversation's: `~<Contact ID>@<the minute it started, UTC>`.
    static func conversation(contact: UnsafeBufferPointer<UInt8>, started: Int64) -> String {
        "~" + String(decoding: contact, as: UTF8.self) + "@" + minute(started)
    }

    /// A message's: `~<Contact ID>@<its minute, UTC>#<its content's print>`.
    static func message(contact: UnsafeBufferPointer<UInt8>, sent: Int64, content: UnsafeBufferPointer<UInt8>) -> String {
        "~" + String(decoding: contact, as: UTF8.self) + "@" + minute(sent) + "#" + String(contentPrint(content), radix: 16)
    }

    /// `YYYY-MM-DDTHH:MMZ`: the minute an instant is in (seconds are what a spreadsheet drops).
    static func minute(_ t: Int64) -> String {
        var text = ""
        CivilTime.withFormatted(wallSeconds: minuteStart(t)) { text = String(decoding: $0, as: UTF8.self) }
        // `YYYY-MM-DD HH:MM:SS` → `YYYY-MM-DDTHH:MMZ`
        return String(text.prefix(10)) + "T" + String(text.dropFirst(11).prefix(5)) + "Z"
    }

    /// The first second of the minute `t` is in (UTC seconds).
    static func minuteStart(_ t: Int64) -> Int64 { t - ((t % 60) + 60) % 60 }

    /// A print of a message's content made of its ASCII letters and digits
    /// only (FNV-1a, 64 bits): what survives a spreadsheet's round trip through
    /// Windows-1252, which turns emoji and CJK into `?`, is the same on both sides.
    static func contentPrint(_ content: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in content where (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) {
            h = (h ^ UInt64(b)) &* 0x100_0000_01b3
        }
        return h
    }
}

extension ParsedRecord {
    /// Whether the ID in `column` was damaged by a spreadsheet: written in
    /// scientific notation (`7.6383E+18`), or one of 16+ digits in a column
    /// whose every such ID ends in zeros after its 15th digit (the survey's
    /// finding: Excel keeps 15 significant digits).
    func idIsDamaged(_ column: Column) -> Bool {
        let id = self[column]
        if ZeroPaddedIDs.isScientific(id) { return true }
        return idLooksTruncated(column) && ZeroPaddedIDs.verdict(id) == .zeroPadded
    }

    /// A message's (or failed message's) key: its ID, or, when a spreadsheet
    /// damaged it, the identity made of its contact, minute and `content`
    /// (nil when the ID is intact). A damaged row with no contact or time to
    /// know it by is rejected.
    func messageIdentity(_ id: Column, contact: Column, time: Column, content: Column) throws -> String? {
        guard idIsDamaged(id) else { return nil }
        guard !self[contact].isEmpty, let t = int(time) else {
            throw RowReject("Message ID '\(String(decoding: self[id], as: UTF8.self))' was damaged by a spreadsheet, and the row has no Contact ID and time to know the message by")
        }
        return ContactIdentity.message(contact: self[contact], sent: t, content: self[content])
    }
}
