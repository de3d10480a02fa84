import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

/// The query plan of every built-in report is pinned: `Tests/Fixtures/plans/<report>.txt` holds
/// its `EXPLAIN QUERY PLAN` over the fixture sample (`small/exports`) with typical parameters, and
/// a change to a report's SQL (or to what it includes) must leave it as it is: the same tables
/// scanned or searched, with the same indexes, in the same shape. A change meant to change a plan
/// refreshes the files (Tests/Fixtures/README.md says how) and shows the new plan in its diff.
@Suite struct ReportPlanTests {
    /// The folder of the pinned plans.
    static let plans = Repository.fixtures.appendingPathComponent("plans")

    /// Set to 1 to write the plans of this build into `plans` instead of comparing them.
    static var refreshing: Bool { ProcessInfo.processInfo.environment["WAREHOUSE_REFRESH_PLANS"] == "1" }

    /// Typical arguments: a period of two weeks and a team, for the reports that take them
    /// (no ANALYZE statistics and no STAT4 in the warehouse: SQLite plans a statement when it
    /// is prepared, whatever values are bound, so one set of arguments shows the plan).
    static func typicalArguments(for report: Report) -> ReportArguments {
        var arguments = ReportArguments(from: "2025-03-05", to: "2025-03-18")
        if report.parameters.contains(.team) { arguments.team = "Support" }
        return arguments
    }

    /// The plan as text, one step a line, indented two spaces a level. The numbers SQLite gives
    /// subqueries (`SUBQUERY 3`, `(subquery-2)`, `MATERIALIZE 4`, `CO-ROUTINE 5`) depend on how
    /// many came before in the statement, not on the plan: they read `N`.
    static func text(_ steps: [(id: Int64, parent: Int64, detail: String)]) -> String {
        var depth: [Int64: Int] = [0: -1]
        var lines: [String] = []
        for step in steps {
            let level = (depth[step.parent] ?? -1) + 1
            depth[step.id] = level
            lines.append(String(repeating: "  ", count: level) + normalised(step.detail))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func normalised(_ detail: String) -> String {
        var text = detail
        for pattern in [#"(SUBQUERY|MATERIALIZE|CO-ROUTINE) \d+"#, #"(subquery)-\d+"#] {
            let regex = try! NSRegularExpression(pattern: pattern)
            let separator = pattern.hasPrefix("(subquery)") ? "-" : " "
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "$1\(separator)N")
        }
        return text
    }

    @Test func everyBuiltInReportKeepsItsPinnedPlan() throws {
        let dir = try TempDir()
        let w = try dir.warehouse(timeZone: "Asia/Kuala_Lumpur")
        let summaries = try Loader(warehouse: w).load(paths: try Fixtures.exportFiles())
        for s in summaries { #expect(s.error == nil, "\(s.fileName): \(s.error ?? "")") }
        if Self.refreshing { try FileManager.default.createDirectory(at: Self.plans, withIntermediateDirectories: true) }

        for report in ReportLibrary.builtIn {
            let plan = Self.text(try w.queryPlan(report, Self.typicalArguments(for: report)))
            let file = Self.plans.appendingPathComponent("\(report.name).txt")
            if Self.refreshing {
                try plan.write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let pinned = try Repository.text(file)
            #expect(plan == pinned, """
                \(report.name): its query plan is not the pinned one (\(file.path)).
                \(Self.difference(pinned: pinned, now: plan))
                """)
        }
    }

    /// The lines of the two plans that differ, `-` pinned, `+` now, each with its line number.
    static func difference(pinned: String, now: String) -> String {
        let (a, b) = (pinned.split(separator: "\n", omittingEmptySubsequences: false), now.split(separator: "\n", omittingEmptySubsequences: false))
        var out: [String] = []
        for i in 0..<max(a.count, b.count) where (i < a.count ? a[i] : nil) != (i < b.count ? b[i] : nil) {
            if i < a.count { out.append("- \(i + 1): \(a[i])") }
            if i < b.count { out.append("+ \(i + 1): \(b[i])") }
        }
        return out.joined(separator: "\n")
    }

    @Test func subqueryNumbersAreNotPartOfThePlan() {
        #expect(Self.normalised("CORRELATED SCALAR SUBQUERY 12") == "CORRELATED SCALAR SUBQUERY N")
        #expect(Self.normalised("SCAN (subquery-3)") == "SCAN (subquery-N)")
        #expect(Self.normalised("MATERIALIZE 2") == "MATERIALIZE N")
        #expect(Self.normalised("SEARCH c USING INDEX fact_conversation_closed (resolved_date_key>? AND resolved_date_key<?)")
                == "SEARCH c USING INDEX fact_conversation_closed (resolved_date_key>? AND resolved_date_key<?)")
    }
}
