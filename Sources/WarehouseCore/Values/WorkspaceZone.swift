import Foundation

/// Converts between UTC instants and wall time in one IANA time zone, with the
/// zone's rules (daylight saving included).
///
/// Offsets come from the system's zone database through Foundation, memoised per
/// 15-minute slot of UTC time: a slot whose two ends have the same offset has it
/// throughout (zone transitions are at least days apart); a slot that holds a
/// transition is computed exactly for each instant. In front of that dictionary, a
/// small table indexed by the slot's low bits answers most look-ups without hashing:
/// `business_seconds` makes two a conversation, and the dictionary's were a third of its
/// time.
public final class WorkspaceZone {
    public let identifier: String
    private let zone: TimeZone
    private var slotOffsets: [Int64: Int32] = [:]
    /// The front table: slot → offset, for the slots whose low bits index it (a slot of
    /// `Int64.min` marks an empty entry); made on the first look-up. 65,536 slots are 682
    /// days: a year of conversations read in any order mostly finds its slots there.
    private var recentSlots: [Int64] = []
    private var recentOffsets: [Int32] = []
    private static let recentCount = 1 << 16
    private static let slot: Int64 = 900

    public struct UnknownZone: Error, CustomStringConvertible {
        public let name: String
        public var description: String {
            "unknown time zone '\(name)': use an IANA name such as UTC, Europe/Berlin or Asia/Kuala_Lumpur"
        }
    }

    public init(_ identifier: String) throws {
        guard !identifier.isEmpty, let zone = TimeZone(identifier: identifier) else {
            throw UnknownZone(name: identifier)
        }
        self.identifier = identifier
        self.zone = zone
    }

    /// Seconds east of UTC in effect at the UTC instant `t`.
    public func offset(atUTC t: Int64) -> Int64 {
        let slot = t >= 0 ? t / Self.slot : (t - Self.slot + 1) / Self.slot
        if recentSlots.isEmpty {
            recentSlots = Array(repeating: .min, count: Self.recentCount)
            recentOffsets = Array(repeating: 0, count: Self.recentCount)
        }
        let recent = Int(truncatingIfNeeded: slot) & (Self.recentCount - 1)
        if recentSlots[recent] == slot { return Int64(recentOffsets[recent]) }
        if let cached = slotOffsets[slot] {
            (recentSlots[recent], recentOffsets[recent]) = (slot, cached)
            return Int64(cached)
        }
        let first = exactOffset(slot * Self.slot)
        let last = exactOffset(slot * Self.slot + Self.slot - 1)
        if first == last {
            slotOffsets[slot] = Int32(first)
            (recentSlots[recent], recentOffsets[recent]) = (slot, Int32(first))
            return first
        }
        return exactOffset(t)
    }

    private func exactOffset(_ t: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
    }

    /// The wall time (seconds from 1970-01-01 00:00:00 local) of the UTC instant `t`.
    public func wallTime(utc t: Int64) -> Int64 { t + offset(atUTC: t) }

    public enum LocalResult: Equatable {
        case instant(Int64)
        /// The wall time falls in a gap (clocks moved forward): it never occurs.
        case nonexistent
    }

    /// The UTC instant of a wall time. A wall time that occurs twice (clocks moved
    /// back) takes the earlier instant; one that never occurs is `.nonexistent`.
    public func utc(wallTime local: Int64) -> LocalResult {
        let before = offset(atUTC: local - 86_400)
        let after = offset(atUTC: local + 86_400)
        var best: Int64?
        func consider(_ candidate: Int64) {
            let t = local - candidate
            if offset(atUTC: t) == candidate, best.map({ t < $0 }) ?? true { best = t }
        }
        consider(before)
        if after != before { consider(after) }
        return best.map(LocalResult.instant) ?? .nonexistent
    }
}
