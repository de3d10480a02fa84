import SVGCharts
import WarehouseCore

extension PageBuilder {
    /// Users and teams by fastest average (first response or resolution), with median and p90.
    func leaderboard(_ report: String, id: String, heading: String, measure: String, who: String) -> SectionModel {
        let suffix = report == "leaderboard_first_response_time" ? "first_response_seconds" : "resolution_seconds"
        let parts = ["user", "team"].map { group -> PartModel in
            let result = result("\(report)/\(group)")
            let subheading = "By \(group)"
            guard !result.rows.isEmpty else {
                return Self.empty("No conversation closed in this period has a \(group) to rank.", subheading: subheading)
            }
            let names = result.values("name").map { $0.string ?? Display.blank }
            let statistics = [("average", "avg_"), ("median", "median_"), ("p90", "p90_")]
            let chart = BarChart(id: "chart-\(id)-\(group)", title: "\(heading) by \(group): average, median and p90, fastest average first",
                                 labels: names, series: statistics.map { Series($0.0, result.numbers($0.1 + suffix)) }, format: Display.duration).svg
            let table = TableModel(result, caption: "\(heading) by \(group)",
                                   columns: [Column("rank"), Column("name", group == "user" ? "User" : "Team"), Column("conversations"),
                                             Column("avg_" + suffix, "Average"), Column("median_" + suffix, "Median"), Column("p90_" + suffix, "p90")])
            return PartModel(subheading: subheading, chart: chart, table: table, emptyText: nil)
        }
        return section(id, heading, key: "\(report)/user",
                       notes: ["Fastest average \(measure) first, the top \(Self.leaderboardLength). \(who)",
                               "p90: nine in ten of the group's conversations took at most this long. Conversations without a \(measure) count in Conversations, not in the times."],
                       parts: parts)
    }

    static let leaderboardLength = 10

    /// Per user: conversations assigned and closed, contacts, messages sent and times.
    func userPerformance() -> SectionModel {
        let result = result("user_performance")
        let part: PartModel
        if result.rows.isEmpty {
            part = Self.empty("No user activity in this period: no conversation assigned or closed, no message sent.")
        } else {
            let shown = min(result.rows.count, Self.chartRows)
            let chart = BarChart(id: "chart-user-performance",
                                 title: "Conversations closed and assigned per user, most closed first" + (shown < result.rows.count ? " (the first \(shown))" : ""),
                                 labels: result.values("user_name").prefix(shown).map { $0.string ?? Display.blank },
                                 series: [Series("closed", Array(result.numbers("conversations_closed").prefix(shown))),
                                          Series("assigned", Array(result.numbers("conversations_assigned").prefix(shown)))],
                                 format: Display.count).svg
            let teams = Column("team", show: { $0.string.map { $0.replacingOccurrences(of: ";", with: "; ") } ?? Display.blank })
            let table = TableModel(result, caption: "User performance",
                                   columns: [Column("user_name"), teams] + ["conversations_assigned", "conversations_closed", "unique_contacts_closed",
                                             "messages_sent", "avg_first_response_seconds", "avg_resolution_seconds", "max_resolution_seconds"].map { Column($0) })
            part = PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)
        }
        return section("user-performance", "User performance", key: "user_performance",
                       notes: ["Assigned: closed conversations whose assignee is the user; Closed: those the user closed. "
                               + "The times are over the conversations the user closed, whoever answered them."],
                       parts: [part])
    }

    /// Per user, the conversations they were first given that an agent opened; flagged when unusually many.
    func agentOpened() -> SectionModel {
        let result = result("agent_opened_conversations")
        let flags = result.values("flagged").map { $0.int64 == 1 }
        let part: PartModel
        if result.rows.isEmpty {
            part = Self.empty("No conversations opened in this period.")
        } else {
            let shown = min(result.rows.count, Self.chartRows)
            let flaggedRows = Set(flags.indices.filter { flags[$0] && $0 < shown })
            let rates = result.values("agent_open_rate_pct").prefix(shown).map { Display.text($0, column: "agent_open_rate_pct") }
            let opened = Array(result.numbers("opened_by_agent").prefix(shown))
            let chart = BarChart(id: "chart-agent-opened",
                                 title: "Conversations opened by the agent per user, most first, flagged users in red" + (shown < result.rows.count ? " (the first \(shown))" : ""),
                                 labels: result.values("user_name").prefix(shown).map { $0.string ?? Display.blank },
                                 series: [Series("opened by the agent", opened)], format: Display.count,
                                 highlighted: flaggedRows, highlightName: "flagged",
                                 valueLabels: zip(opened, rates).map { "\(Display.count($0)) · \($1)" }).svg
            let table = TableModel(result, caption: "Agent-opened conversations per user",
                                   columns: [Column("user_name"), Column("conversations_opened"), Column("opened_by_agent"), Column("agent_open_rate_pct"),
                                             Column("flagged", show: { $0.int64 == 1 ? "flagged" : "" })],
                                   flagged: { row in result.index("flagged").map { row[$0].int64 == 1 } ?? false })
            part = PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)
        }
        let count = flags.filter { $0 }.count
        return section("agent-opened", "Agents opening conversations", key: "agent_opened_conversations",
                       notes: ["\(count == 0 ? "No agent is" : count == 1 ? "1 agent is" : "\(count) agents are") flagged. An agent is flagged who opened at least 3 of the conversations they were first assigned, "
                               + "at a rate at least twice the workspace's (all conversations opened in the period).",
                               "The bars count the conversations the agent opened; the rate is of those first assigned to them."],
                       parts: [part])
    }

    /// The conversations worth a look: longer and busier than the period's p90.
    func anomalies() -> SectionModel {
        let result = result("resolved_conversation_anomalies")
        let part: PartModel
        if result.rows.isEmpty {
            part = Self.empty("No conversation closed in this period was both longer and busier than nine in ten of the period's.")
        } else {
            let (ids, names, contacts) = (result.values("conversation_id"), result.values("contact_name"), result.values("contact_id"))
            let labels = ids.indices.map { i in
                (names[i].string.flatMap { $0.isEmpty ? nil : $0 } ?? "contact \(contacts[i].string ?? "")") + " · " + (ids[i].string ?? "")
            }
            let messages = result.numbers("messages")
            let resolution = result.numbers("resolution_seconds")
            let chart = BarChart(id: "chart-anomalies", title: "Resolution time of the long and busy conversations, newest closed first",
                                 labels: labels, series: [Series("resolution", resolution)], format: Display.duration,
                                 valueLabels: zip(resolution, messages).map { "\(Display.duration($0)) · \(Display.count($1)) messages" }).svg
            let table = TableModel(result, caption: "Long and busy conversations",
                                   columns: ["conversation_id", "contact_name", "closed_by", "team", "category", "closed_at",
                                             "first_response_seconds", "resolution_seconds", "messages", "summary"].map { Column($0) })
            part = PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)
        }
        var notes = ["Conversations whose resolution time and message count both exceed the p90 of the conversations closed in the period "
                     + "(with the same filters): worth a look for an unusual problem or a training need."]
        if result.total > result.rows.count {
            notes.append("\(Display.count(Int64(result.total))) conversations in all; the newest \(result.rows.count) are shown (`warehouse report resolved_conversation_anomalies` lists them all).")
        } else if !result.rows.isEmpty {
            notes.append("\(result.total) conversation\(result.total == 1 ? "" : "s"), newest closed first.")
        }
        return section("anomalies", "Long and busy conversations", key: "resolved_conversation_anomalies", notes: notes, parts: [part])
    }

    static let anomaliesShown = 25
    /// Rows a chart of users draws at most (the table lists them all).
    static let chartRows = 20
}
