import SVGCharts
import WarehouseCore

extension PageBuilder {
    /// The share of conversations that met the first-response and resolution targets, in all and
    /// per team, and how many were reopened: `service_levels` and `reopened_conversations`.
    func serviceLevels() -> SectionModel {
        let all = result("service_levels"), byTeam = result("service_levels/team")
        let reopened = result("reopened_conversations"), reopenedByTeam = result("reopened_conversations/team")
        let targets = [("first response", "first_response"), ("resolution", "resolution")]
        var parts: [PartModel] = []

        let levelColumns = ["conversations", "first_response_met", "first_response_breached", "first_response_met_pct",
                            "resolution_met", "resolution_breached", "resolution_met_pct"]
        if all.numbers("conversations").first ?? 0 == 0 {
            parts.append(Self.empty("No conversation was closed in this period.", subheading: "Targets met"))
        } else {
            parts.append(PartModel(subheading: "Targets met", chart: nil,
                                   table: TableModel(all, caption: "Targets met, all conversations closed in the period", columns: levelColumns.map { Column($0) }),
                                   emptyText: nil))
            let teams = byTeam.values("name").map { $0.string ?? "no team" }
            let chart = BarChart(id: "chart-service-levels", title: "Share of conversations that met each target, per team",
                                 labels: teams, series: targets.map { Series("\($0.0) met", byTeam.numbers("\($0.1)_met_pct")) }, format: Display.percent)
            parts.append(PartModel(subheading: "By team", chart: chart.svg,
                                   table: TableModel(byTeam, caption: "Targets met per team",
                                                     columns: [Column("name", "Team", show: { $0.string ?? "no team" })] + levelColumns.map { Column($0) }),
                                   emptyText: nil))
        }

        let reopenColumns = ["conversations_closed", "reopened", "reopen_rate_pct", "resolved_first_contact", "first_contact_resolution_pct"]
        if reopened.numbers("conversations_closed").first ?? 0 == 0 {
            parts.append(Self.empty("No conversation closed in this period has a known outcome yet.", subheading: "Reopened conversations"))
        } else {
            parts.append(PartModel(subheading: "Reopened conversations", chart: nil,
                                   table: TableModel(reopenedByTeam, caption: "Reopened conversations per team",
                                                     columns: [Column("name", "Team", show: { $0.string ?? "no team" })] + reopenColumns.map { Column($0) }),
                                   emptyText: nil))
        }

        let firstTarget = DurationText.text(values["first_response_target"]?.int64 ?? 0)
        let resolutionTarget = DurationText.text(values["resolution_target"]?.int64 ?? 0)
        let within = DurationText.text(values["within"]?.int64 ?? 0)
        let rate = reopened.values("reopen_rate_pct").first.map { Display.text($0, column: "reopen_rate_pct") } ?? Display.blank
        return section("service-levels", "Service levels", key: "service_levels", notes: [
            "Targets: first response within \(firstTarget), resolution within \(resolutionTarget), counted in \(businessHoursText). "
                + "A time equal to its target meets it; a conversation without a first response is in neither count of that target.",
            "Reopened: the same contact started another conversation within \(within) of the close (reopen rate \(rate)). "
                + "Conversations closed less than \(within) before the newest conversation in the warehouse are left out: their outcome is not known yet.",
        ], parts: parts)
    }
}
