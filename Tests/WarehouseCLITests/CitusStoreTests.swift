import Foundation
import Testing
import TestSupport

/// The conformance fixtures in a warehouse distributed over the test Citus cluster:
/// loaded there by `warehouse load`, and copied there from the file by `warehouse copy`.
enum CitusConformanceWarehouse {
    struct Failed: Error, CustomStringConvertible { let description: String }

    static let loadedURL: Result<String, Error> = Result {
        let url = try TestCitusCluster.shared().url(schema: "loaded_" + UUID().uuidString.prefix(8).lowercased())
        let files = try Repository.csvFiles(in: Repository.sampleExports)
        let load = try Binary.run(["load", "--db", url, "--timezone", "Asia/Kuala_Lumpur"] + files, in: ConformanceWarehouse.directory)
        guard load.status == 0 else { throw Failed(description: "loading the fixtures into Citus: \(load.stderr)") }
        guard load.stdout.hasPrefix("New warehouse "), load.stdout.contains(", distributed with Citus over 2 workers: ") else {
            throw Failed(description: "the load did not say it made a distributed warehouse: \(load.stdout)")
        }
        return url
    }

    static let copiedURL: Result<String, Error> = Result {
        guard let load = ConformanceWarehouse.loaded, load.status == 0 else {
            throw Failed(description: "loading the fixtures failed: \(ConformanceWarehouse.loaded?.stderr ?? "")")
        }
        let url = try TestCitusCluster.shared().url(schema: "copied_" + UUID().uuidString.prefix(8).lowercased())
        let there = try Binary.run(["copy", "--db", "w.db", "--to", url], in: ConformanceWarehouse.directory)
        guard there.status == 0 else { throw Failed(description: "copy into Citus: \(there.stderr)") }
        let back = try Binary.run(["copy", "--db", url, "--to", "back-from-citus.db"], in: ConformanceWarehouse.directory)
        guard back.status == 0 else { throw Failed(description: "copy back into a file: \(back.stderr)") }
        return url
    }
}

@Suite(.enabled(if: TestPostgresServer.enabled && TestCitusCluster.installed, TestCitusCluster.skipComment))
struct CitusStoreTests {
    /// Every conformance case on the distributed warehouse: the expected result, and
    /// the same csv and json bytes as the file, loaded there and copied there.
    @Test(arguments: ConformanceCase.all)
    func everyCaseOnCitusIsTheFilesAnswer(_ c: ConformanceCase) throws {
        let loaded = try CitusConformanceWarehouse.loadedURL.get()
        let copied = try CitusConformanceWarehouse.copiedURL.get()
        try ConformanceTests.check(c, db: loaded)
        try ConformanceTests.expectSameBytes(c, as: "w.db", on: [
            (loaded, "loaded into Citus"), (copied, "copied into Citus"), ("back-from-citus.db", "copied back from Citus"),
        ])
    }

    /// The tables of the distributed warehouse hold what the file's hold, keys included.
    @Test func aLoadIntoCitusHoldsWhatTheFileHolds() throws {
        try ConformanceTests.expectSameRecords(as: "w.db", in: try CitusConformanceWarehouse.loadedURL.get())
    }

    /// The business-hours reports and the dashboard run on the distributed warehouse
    /// and read as they do on the file.
    @Test func businessHoursReportsAndTheDashboardOnCitus() throws {
        // Warehouses of this test's own: the shared ones keep no schedule.
        let dir = ConformanceWarehouse.directory
        let file = "hours-\(UUID().uuidString.prefix(8)).db"
        let citus = try TestCitusCluster.shared().url(schema: "hours_" + UUID().uuidString.prefix(8).lowercased())
        let files = try Repository.csvFiles(in: Repository.sampleExports)
        for db in [file, citus] {
            let load = try Binary.run(["load", "-q", "--db", db, "--timezone", "Asia/Kuala_Lumpur"] + files, in: dir)
            try #require(load.status == 0, "\(load.stderr)")
            let set = try Binary.run(["hours", "set", "--db", db, "Mon-Fri 09:00-17:00", "Sat 10:00-14:00"], in: dir)
            try #require(set.status == 0, "\(set.stderr)")
            let team = try Binary.run(["hours", "set", "--db", db, "--team", "Billing", "Mon-Sun 22:00-06:00"], in: dir)
            try #require(team.status == 0, "\(team.stderr)")
            let holiday = try Binary.run(["hours", "holiday", "add", "2025-03-31", "--db", db, "--name", "Hari Raya"], in: dir)
            try #require(holiday.status == 0, "\(holiday.stderr)")
        }
        let runs: [[String]] = [
            ["service_levels"], ["service_levels", "--business-hours", "--group-by", "team"],
            ["service_levels", "--by", "week", "--first-response-target", "10m"],
            ["reopened_conversations"], ["reopened_conversations", "--by", "week", "--within", "2d"],
            ["user_performance", "--business-hours"], ["overview", "--business-hours", "--from", "2025-03-05", "--to", "2025-03-18"],
            ["conversation_list", "--business-hours"], ["resolved_conversation_anomalies", "--business-hours"],
        ]
        for run in runs {
            let a = try Binary.run(["report", run[0], "--db", file, "--format", "csv"] + run.dropFirst(), in: dir)
            let b = try Binary.run(["report", run[0], "--db", citus, "--format", "csv"] + run.dropFirst(), in: dir)
            try #require(a.status == 0 && b.status == 0, "\(run): \(a.stderr)\(b.stderr)")
            #expect(a.stdout == b.stdout, "\(run)")
            #expect(a.stdout.split(separator: "\n").count > 1, "\(run) has rows")
        }
        // The dashboard reads the same.
        var pages: [String] = []
        for db in [file, citus] {
            let page = try Binary.run(["dashboard", "--db", db, "--out", "-", "--business-hours"], in: dir)
            try #require(page.status == 0, "\(page.stderr)")
            // Without the line that says when and from where it was made.
            pages.append(page.stdout.replacing(#/<p class="made">[^<]*</p>/#, with: ""))
        }
        #expect(pages[0].contains("<svg"))
        #expect(pages[0] == pages[1])
    }
}
