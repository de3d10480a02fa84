import Testing
@testable import WarehouseCore

private func wall(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) -> Int64 {
    Int64(CivilTime.days(year: y, month: mo, day: d)) * 86400 + Int64(h * 3600 + mi * 60 + s)
}

@Suite struct WorkspaceZoneTests {
    @Test func fixedOffsetZone() throws {
        let zone = try WorkspaceZone("Asia/Kuala_Lumpur")
        #expect(zone.utc(wallTime: wall(2025, 3, 1, 8, 0, 0)) == .instant(wall(2025, 3, 1, 0, 0, 0)))
        #expect(zone.wallTime(utc: wall(2025, 3, 1, 0, 0, 0)) == wall(2025, 3, 1, 8, 0, 0))
    }

    @Test func springForwardGapDoesNotExist() throws {
        let zone = try WorkspaceZone("America/New_York")
        // 2025-03-09 02:00 EST jumps to 03:00 EDT.
        #expect(zone.utc(wallTime: wall(2025, 3, 9, 2, 30, 0)) == .nonexistent)
        #expect(zone.utc(wallTime: wall(2025, 3, 9, 1, 59, 59)) == .instant(wall(2025, 3, 9, 6, 59, 59)))
        #expect(zone.utc(wallTime: wall(2025, 3, 9, 3, 0, 0)) == .instant(wall(2025, 3, 9, 7, 0, 0)))
    }

    @Test func fallBackRepeatedHourTakesTheEarlierInstant() throws {
        let zone = try WorkspaceZone("America/New_York")
        // 2025-11-02 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
        #expect(zone.utc(wallTime: wall(2025, 11, 2, 1, 30, 0)) == .instant(wall(2025, 11, 2, 5, 30, 0)))
        #expect(zone.wallTime(utc: wall(2025, 11, 2, 6, 30, 0)) == wall(2025, 11, 2, 1, 30, 0))
        #expect(zone.utc(wallTime: wall(2025, 11, 2, 2, 0, 0)) == .instant(wall(2025, 11, 2, 7, 0, 0)))
    }

    @Test func southernHemisphereAndHalfHourZones() throws {
        let sydney = try WorkspaceZone("Australia/Sydney")
        // 2025-04-06 03:00 AEDT falls back to 02:00 AEST; 02:30 happens twice.
        #expect(sydney.utc(wallTime: wall(2025, 4, 6, 2, 30, 0)) == .instant(wall(2025, 4, 5, 15, 30, 0)))
        // 2025-10-05 02:00 AEST jumps to 03:00 AEDT.
        #expect(sydney.utc(wallTime: wall(2025, 10, 5, 2, 15, 0)) == .nonexistent)
        let kolkata = try WorkspaceZone("Asia/Kolkata")
        #expect(kolkata.utc(wallTime: wall(2025, 6, 1, 5, 30, 0)) == .instant(wall(2025, 6, 1, 0, 0, 0)))
    }

    @Test func everyInstantOfADSTYearRoundTrips() throws {
        let zone = try WorkspaceZone("Europe/Berlin")
        var t = wall(2025, 1, 1, 0, 0, 0)
        let end = wall(2026, 1, 1, 0, 0, 0)
        while t < end {
            let local = zone.wallTime(utc: t)
            guard case .instant(let back) = zone.utc(wallTime: local) else {
                Issue.record("no instant for \(CivilTime.format(wallSeconds: local))"); return
            }
            // Round trip, except the second pass through a repeated hour maps to the first.
            #expect(back == t || back == t - 3600)
            t += 1_799
        }
    }

    @Test func unknownZonesAreRefused() {
        #expect(throws: WorkspaceZone.UnknownZone.self) { try WorkspaceZone("Mars/Olympus") }
        #expect(throws: WorkspaceZone.UnknownZone.self) { try WorkspaceZone("") }
        #expect((try? WorkspaceZone("UTC")) != nil)
    }
}
