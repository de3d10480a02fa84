import Foundation
import Testing
import TestSupport
@testable import WarehouseCore
@testable import WarehousePostgres

/// Every report that takes `--business-hours`, run in business hours on a warehouse file and on
/// its copy in PostgreSQL: the same csv and json. The sample exports in Europe/Berlin (they
/// run over the clocks' change of 2025-03-30), a workspace schedule with a window whose edge
/// falls in the skipped hour, a team's own schedule running past midnight, closed days for
/// every team and for one.
@Suite(.enabled(if: TestPostgresServer.enabled, TestPostgresServer.skipComment))
final class BusinessHoursReportParityTests {
    @Test func everyReportInBusinessHoursPrintsTheSameOnBothStores() throws {
        let folder = try TemporaryFolder()
        let file = try Warehouse.openForWriting(path: folder.path("w.db"), timeZone: "Europe/Berlin")
        for summary in try Loader(warehouse: file).load(paths: try Repository.csvFiles(in: Repository.sampleExports)) {
            #expect(summary.error == nil, "\(summary.fileName): \(summary.error ?? "")")
        }
        try BusinessHours.set(try WeeklySchedule(parsing: ["Mon-Fri 08:00-18:00", "Sun 01:30-03:30"]), team: nil, in: file)
        try BusinessHours.set(try WeeklySchedule(parsing: ["daily 20:00-06:00"]), team: "VIP Care", in: file)
        try BusinessHours.addHoliday("2025-03-03", team: nil, name: nil, in: file)
        try BusinessHours.addHoliday("2025-03-14", team: "Sales", name: nil, in: file)

        let server = try TestPostgresServer.shared()
        let schema = "test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let postgres = try PostgresWarehouse.openForWriting(server.location(schema: schema), timeZone: file.timeZone)
        defer {
            try? postgres.session.execute("DROP SCHEMA \(schema) CASCADE")
            postgres.close()
        }
        _ = try WarehouseCopy.copy(from: file, to: postgres)

        let reports = ReportLibrary().reports.filter { $0.parameters.contains(.businessHours) }
        #expect(reports.count >= 9)
        var runs = 0, empty = 0
        for report in reports {
            var options = [["--business-hours"], ["--business-hours", "--from", "2025-03-25", "--to", "2025-04-05"]]
            if report.parameters.contains(.team) { options.append(["--business-hours", "--team", "VIP Care"]) }
            for words in options {
                let arguments = try ReportArguments.parse(words)
                let onFile = try file.run(report, arguments), onServer = try postgres.run(report, arguments)
                runs += 1
                empty += onFile.rows.isEmpty ? 1 : 0
                for format in [OutputFormat.csv, .json] {
                    #expect(ResultFormatter(format: format).render(onFile) == ResultFormatter(format: format).render(onServer),
                            "\(report.name) \(words) as \(format)")
                }
            }
        }
        #expect(empty <= 2, "\(empty) of \(runs) runs printed no rows")
    }
}
