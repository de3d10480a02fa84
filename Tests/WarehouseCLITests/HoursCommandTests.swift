import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

/// `warehouse hours` as a manager uses it: set, show, mistakes, and the reports in business hours.
@Suite struct HoursCommandTests {
    @Test func hoursAreSetShownAndUsedByReportsAndTheDashboard() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        #expect(try s.run("hours", "--db", "w.db").stdout.contains("No business hours are set"))
        let without = try s.run("report", "overview", "--db", "w.db", "--business-hours")
        #expect(without.status == 1 && without.stderr.contains("warehouse hours set"), "\(without.stderr)")

        let set = try s.run("hours", "set", "--db", "w.db", "Mon-Fri", "09:00-17:00")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(try s.run("hours", "set", "--db", "w.db", "--team", "support", "Mon-Sat 08:00-20:00").status == 0)
        #expect(try s.run("hours", "holiday", "add", "2025-03-17", "--db", "w.db", "--name", "St Patrick's Day").status == 0)
        let shown = try s.run("hours", "--db", "w.db").stdout
        #expect(shown.contains("workspace: Mon-Fri 09:00-17:00"))
        #expect(shown.contains("team Support: Mon-Sat 08:00-20:00"))
        #expect(shown.contains("2025-03-17  every team  St Patrick's Day"))
        #expect(shown.contains("Asia/Kuala_Lumpur"))

        let report = try s.run("report", "leaderboard_resolution_time", "--db", "w.db", "--business-hours", "--format", "csv")
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.hasPrefix("rank,name,conversations,avg_resolution_business_seconds,median_resolution_business_seconds,p90_resolution_business_seconds\n"))
        let levels = try s.run("report", "service_levels", "--db", "w.db", "--business-hours", "--group-by", "team", "--format", "csv")
        #expect(levels.status == 0 && levels.stdout.contains("first_response_met_pct_in_business_hours"), "\(levels.stderr)")

        let page = try s.run("dashboard", "--db", "w.db", "--out", "-", "--business-hours", "--first-response-target", "10m")
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stdout.contains("first response within 10m, resolution within 24h, counted in business hours: Mon-Fri 09:00-17:00; team Support Mon-Sat 08:00-20:00; 1 closed day"))
        #expect(page.stdout.contains("times in business hours"))
    }

    @Test func mistakesAreOneLineAndStoreNothing() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        #expect(try s.run("hours", "set", "--db", "w.db", "Mon-Fri 09:00-17:00").status == 0)
        for (arguments, message) in [
            (["hours", "set", "--db", "w.db", "Mon-Fry 09:00-17:00"], "'Fry' is not a day"),
            (["hours", "set", "--db", "w.db", "Mon-Fri 25:00-17:00"], "'25:00' is not a time of day"),
            (["hours", "set", "--db", "w.db", "Mon-Fri 09:00-17:00", "Fri 16:00-18:00"], "overlap"),
            (["hours", "set", "--db", "w.db", "--team", "Nobody", "Mon 09:00-10:00"], "no team 'Nobody'"),
            (["hours", "holiday", "add", "2025-02-30", "--db", "w.db"], "takes a date YYYY-MM-DD"),
            (["hours", "holiday", "remove", "2025-03-18", "--db", "w.db"], "is not a holiday"),
            (["report", "service_levels", "--db", "w.db", "--first-response-target", "5 minutes"], "takes a duration"),
        ] {
            let r = try Binary.run(arguments, in: s.url)
            #expect(r.status == 1, "\(arguments): \(r.stdout)")
            #expect(r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
        }
        let shown = try s.run("hours", "--db", "w.db").stdout
        #expect(shown.contains("workspace: Mon-Fri 09:00-17:00") && !shown.contains("team ") && !shown.contains("Closed days"))
    }
}
