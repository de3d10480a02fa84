import Foundation
import Testing
@testable import WarehouseCore

/// Shared report SQL (`Queries/fragments/`): `-- include: NAME` expanded when a report is read.
@Suite struct ReportFragmentTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    /// A report file's text with `body` after a minimal header.
    func reportText(_ name: String, _ body: String) -> String {
        "-- name: \(name)\n-- description: A test report.\n-- params: from, to, tz, team, channel\n\(body)\n"
    }

    /// A user report directory with these fragment files (name → text).
    func directory(fragments: [String: String]) throws -> URL {
        let folder = dir.url.appendingPathComponent("queries/fragments")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in fragments { try text.write(to: folder.appendingPathComponent("\(name).sql"), atomically: true, encoding: .utf8) }
        return folder.deletingLastPathComponent()
    }

    // MARK: The built-in fragments

    @Test func everyBuiltInFragmentSaysWhatItIsWhereItStandsAndTheParametersItReads() throws {
        #expect(ReportFragments.builtIn.count >= 10)
        for fragment in ReportFragments.builtIn.values {
            #expect(fragment.source == "fragments/\(fragment.name).sql")
            #expect(fragment.value(of: "stands") != nil, "\(fragment.name): no `-- stands:` line")
            let declared = try #require(fragment.value(of: "params"), "\(fragment.name): no `-- params:` line")
            // The parameters its SQL reads once expanded, fragments within it included.
            var used = Set<String>()
            let sql = try ReportFragments.builtInOnly.expand(fragment.sql, file: fragment.source)
            _ = try SQLText.replacingParameters(in: sql) { used.insert($0); return "NULL" }
            let listed = Set(declared.split(whereSeparator: { " ,()".contains($0) }).filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) })
            #expect(listed == used, "\(fragment.name): `-- params: \(declared)` but its SQL reads \(used.sorted())")
        }
    }

    @Test func noBuiltInReportIsLeftWithAnInclude() {
        for report in ReportLibrary.builtIn {
            #expect(!report.sql.contains("include:"), "\(report.name)")
        }
    }

    // MARK: Expansion

    @Test func anIncludeIsReplacedByTheFragmentIndentedAsItsLine() throws {
        let sql = try ReportFragments.builtInOnly.expand("""
            SELECT count(*)
            FROM fact_conversation c
            WHERE -- include: closed_in_period
              AND -- include: team_filter(c)
            """, file: "t.sql")
        #expect(sql == """
            SELECT count(*)
            FROM fact_conversation c
            WHERE c.resolved_date_key BETWEEN :from_date_key AND :to_date_key
              AND c.resolved_ts >= :from_ts AND c.resolved_ts < :to_ts
              AND (:team_key IS NULL OR c.closed_by_team_key = :team_key)
            """)
    }

    @Test func theAliasGivenQualifiesTheFragmentsColumnsAndIsPassedOn() throws {
        let expanded = try ReportFragments.builtInOnly.expand("WHERE -- include: conversation_filters(fc)", file: "t.sql")
        #expect(expanded == """
            WHERE (:team_key IS NULL OR fc.closed_by_team_key = :team_key)
            AND (:user_key IS NULL OR fc.assignee_user_key = :user_key)
            AND (:channel_key IS NULL OR fc.opened_by_channel_key = :channel_key)
            """)
        // +c: the columns tested row by row, so that SQLite reads another index in order.
        let rowByRow = try ReportFragments.builtInOnly.expand("WHERE -- include: opened_in_period(+c)", file: "t.sql")
        #expect(rowByRow == """
            WHERE +c.started_date_key BETWEEN :from_date_key AND :to_date_key
              AND +c.started_ts >= :from_ts AND +c.started_ts < :to_ts
            """)
    }

    @Test func onlyTheAliasQualifyingAColumnIsRenamed() throws {
        let folder = try directory(fragments: ["odd": """
            -- fragment: odd
            -- description: Words that look like the alias but are not it.
            -- alias: c
            c.a = 'c.b' AND cc.d = :c AND "c".e = c.f AND x.c.g = C.h -- c.i
            """])
        let sql = try ReportFragments(directory: folder).expand("WHERE -- include: odd(z)", file: "t.sql")
        #expect(sql == #"WHERE z.a = 'c.b' AND cc.d = :c AND "c".e = z.f AND x.c.g = z.h -- c.i"#)
    }

    @Test func textWithoutIncludesIsLeftAsItIs() throws {
        let text = "SELECT '-- include: x' AS a /* -- include: y */ FROM t -- a comment\n"
        #expect(try ReportFragments.builtInOnly.expand(text, file: "t.sql") == text)
    }

    // MARK: Errors name the report file and line

    @Test func aMissingFragmentIsAnErrorNamingTheFileAndLine() throws {
        let text = reportText("mine", "SELECT count(*) FROM fact_conversation c\nWHERE -- include: closed_in_perod(c)")
        let error = try #require(throws: Report.HeaderError.self) {
            try Report(text: text, expectedName: "mine", source: "/q/mine.sql")
        }
        #expect(error.description.hasPrefix("/q/mine.sql:5: no fragment named 'closed_in_perod'. Did you mean closed_in_period"))
        // Built in: the file is named as in Queries/.
        #expect(throws: Report.HeaderError.self) { try Report(text: text.replacingOccurrences(of: "mine", with: "x"), expectedName: "x", source: "built-in") }
    }

    @Test func aCycleIsAnErrorNamingTheFileTheLineAndTheCircle() throws {
        let folder = try directory(fragments: [
            "a": "-- fragment: a\n-- description: A.\nx = 1\n  AND -- include: b\n",
            "b": "-- fragment: b\n-- description: B.\n-- include: a\n",
        ])
        let error = try #require(throws: Report.HeaderError.self) {
            try Report(text: reportText("mine", "SELECT 1\nWHERE -- include: a"), expectedName: "mine", source: "/q/mine.sql",
                       fragments: ReportFragments(directory: folder))
        }
        #expect(error.description.hasPrefix("/q/mine.sql:5: in fragment a, \(folder.path)/fragments/a.sql:4: in fragment b, \(folder.path)/fragments/b.sql:3: the includes go round in a circle: a → b → a"))
    }

    @Test func anAliasForAFragmentThatTakesNoneAndAnUnreadableIncludeAreErrors() throws {
        let alias = try #require(throws: Report.HeaderError.self) {
            try Report(text: reportText("mine", "SELECT 1 FROM closed a JOIN thresholds t ON -- include: anomaly_rule(a)"), expectedName: "mine", source: "m.sql")
        }
        #expect(alias.description.contains("m.sql:4: fragment anomaly_rule takes no alias"))
        let unreadable = try #require(throws: Report.HeaderError.self) {
            try Report(text: reportText("mine", "SELECT 1\n-- include: team_filter(c, d)"), expectedName: "mine", source: "m.sql")
        }
        #expect(unreadable.description.contains("m.sql:5: cannot read `-- include: team_filter(c, d)`"))
    }

    @Test func aUserFragmentCannotTakeABuiltInName() throws {
        let folder = try directory(fragments: ["team_filter": "-- fragment: team_filter\n-- description: Mine.\n1 = 1\n"])
        let error = try #require(throws: Report.HeaderError.self) {
            try Report(text: reportText("mine", "SELECT 1 WHERE -- include: team_filter"), expectedName: "mine", source: "m.sql",
                       fragments: ReportFragments(directory: folder))
        }
        #expect(error.description.contains("has the name of a built-in fragment (fragments/team_filter.sql): rename it"))
    }

    // MARK: A user's report

    @Test func aUserReportIncludesTheBuiltInFragmentsAndItsOwn() throws {
        let folder = try directory(fragments: ["long_resolution": """
            -- fragment: long_resolution
            -- description: Resolved in more than an hour.
            -- params: none
            -- stands: a condition
            -- alias: c, the fact_conversation row
            c.resolution_seconds > 3600
            """])
        try reportText("long_closed", """
            SELECT count(*) AS conversations
            FROM fact_conversation c
            WHERE -- include: closed_in_period(c)
              AND -- include: team_filter(c)
              AND -- include: long_resolution(c)
            """).write(to: folder.appendingPathComponent("long_closed.sql"), atomically: true, encoding: .utf8)
        let library = ReportLibrary(directories: [folder])
        #expect(library.warnings.isEmpty, "\(library.warnings)")
        let w = try dir.warehouse()
        _ = try Loader(warehouse: w).load(paths: [try dir.write("c.csv", conversationsFile([
            ["Conversation ID": "1", "DateTime Conversation Started": "2025-03-10 09:00:00", "DateTime Conversation Resolved": "2025-03-10 12:00:00",
             "Contact ID": "c1", "Resolution Time": "10800"],
            ["Conversation ID": "2", "DateTime Conversation Started": "2025-03-10 09:00:00", "DateTime Conversation Resolved": "2025-03-10 09:30:00",
             "Contact ID": "c2", "Resolution Time": "1800"],
            ["Conversation ID": "3", "DateTime Conversation Started": "2025-03-01 09:00:00", "DateTime Conversation Resolved": "2025-03-01 12:00:00",
             "Contact ID": "c3", "Resolution Time": "10800"],
        ]))])
        let report = try library.report(named: "long_closed")
        #expect(try w.run(report, ReportArguments(from: "2025-03-05", to: "2025-03-18")).rows == [[.integer(1)]])
        // A report that includes a missing fragment is skipped with a warning naming its file and line.
        try reportText("broken", "SELECT 1\nWHERE -- include: nothing_here").write(to: folder.appendingPathComponent("broken.sql"), atomically: true, encoding: .utf8)
        let again = ReportLibrary(directories: [folder])
        #expect(again.warnings.count == 1)
        #expect(again.warnings.first?.hasPrefix("\(folder.path)/broken.sql:5: no fragment named 'nothing_here'.") == true)
    }
}
