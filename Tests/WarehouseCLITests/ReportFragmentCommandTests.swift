import Foundation
import Testing

/// A user's own report, in a directory given with --queries, includes the built-in
/// fragments and those of its directory's `fragments/` folder.
@Suite(.serialized) struct ReportFragmentCommandTests {
    @Test func aUserReportWithIncludesRuns() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        try FileManager.default.createDirectory(at: s.url.appendingPathComponent("mine/fragments"), withIntermediateDirectories: true)
        try s.write("mine/fragments/answered_within_an_hour.sql", """
            -- fragment: answered_within_an_hour
            -- description: The first response came within an hour.
            -- params: none
            -- stands: a condition
            -- alias: c, the fact_conversation row
            c.first_response_seconds < 3600
            """)
        try s.write("mine/closed_per_month.sql", """
            -- name: closed_per_month
            -- description: Conversations closed per month, and those answered within an hour.
            -- params: from, to, tz, team, user, channel
            SELECT substr(coalesce(local_time(c.resolved_ts, :tz), c.resolved_local), 1, 7) AS month,
                   count(*) AS closed,
                   count(*) FILTER (WHERE -- include: answered_within_an_hour(c)
                                   ) AS answered_within_an_hour
            FROM fact_conversation c
            WHERE -- include: closed_in_period(c)
              AND -- include: conversation_filters(c)
            GROUP BY month
            ORDER BY month
            """)
        let all = try s.run("report", "closed_per_month", "--db", "w.db", "--queries", "mine")
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stderr.isEmpty, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.first == "month,closed,answered_within_an_hour")
        let total = lines.dropFirst().compactMap { line -> Int? in Int(line.split(separator: ",")[1]) }.reduce(0, +)
        #expect(total == 540)
        // The built-in filters work in it as in the built-in reports.
        let team = try s.run("report", "closed_per_month", "--db", "w.db", "--queries", "mine", "--team", "Support",
                             "--from", "2025-03-05", "--to", "2025-03-18")
        let builtIn = try s.run("report", "leaderboard_resolution_time", "--db", "w.db", "--group-by", "team", "--team", "Support",
                                "--from", "2025-03-05", "--to", "2025-03-18")
        #expect(team.status == 0 && builtIn.status == 0)
        let closed = team.stdout.split(separator: "\n").dropFirst().compactMap { line -> Int? in Int(line.split(separator: ",")[1]) }.reduce(0, +)
        // rank,name,conversations,…: the one team's conversations closed in the period.
        let support = builtIn.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
        #expect(support.count == 1 && support.first?[1] == "Support")
        let supportClosed: Int? = support.first.flatMap { Int($0[2]) }
        #expect(closed > 0 && supportClosed == closed)
        // ... and it is a view in ad hoc SQL.
        let view = try s.run("sql", "--db", "w.db", "--queries", "mine", "SELECT sum(closed) AS n FROM closed_per_month")
        #expect(view.stdout == "n\n540\n")

        // A missing fragment: the report is skipped, with a warning naming its file and line.
        try s.write("mine/broken.sql", """
            -- name: broken
            -- description: Includes what is not there.
            SELECT count(*) FROM fact_conversation c
            WHERE -- include: closed_in_perod(c)
            """)
        let listed = try s.run("reports", "--db", "w.db", "--queries", "mine")
        #expect(listed.stderr.contains("mine/broken.sql:4: no fragment named 'closed_in_perod'. Did you mean closed_in_period"), "\(listed.stderr)")
    }
}
