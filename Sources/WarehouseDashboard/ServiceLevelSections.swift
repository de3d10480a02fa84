import SVGCharts
import WarehouseCore

extension PageBuilder {
    /// The share of conversations closed in the period that met the first-response and
    /// resolution targets, and how many were reopened: `service_levels` and
    /// `reopened_conversations`, one row each. (Per team they are `--group-by team`; the page
    /// leaves that out: the two groupings sort every conversation and doubled the page's time.)
    func serviceLevels() -> SectionModel {
        let levels = result("service_levels"), reopened = result("reopened_conversations")
        var parts: [PartModel] = []
        if levels.numbers("conversations").first ?? 0 == 0 {
            parts.append(Self.empty("No conversation was closed in this period.", subheading: "Targets met"))
        } else {
            let shares = [("First response", "first_response_met_pct"), ("Resolution", "resolution_met_pct")]
            let chart = BarChart(id: "chart-service-levels", title: "Share of the conversations closed in the period that met each target",
                                 labels: shares.map(\.0), series: [Series("met", shares.map { levels.numbers($0.1).first ?? 0 })],
                                 format: Display.percent, width: 420)
            let columns = ["conversations", "first_response_met", "first_response_breached", "first_response_met_pct",
                           "resolution_met", "resolution_breached", "resolution_met_pct"]
            parts.append(PartModel(subheading: "Targets met", chart: chart.svg,
                                   table: TableModel(levels, caption: "Targets met, conversations closed in the period", columns: columns.map { Column($0) }),
                                   emptyText: nil))
        }
        if reopened.numbers("conversations_closed").first ?? 0 == 0 {
            parts.append(Self.empty("No conversation closed in this period has a known outcome yet.", subheading: "Reopened conversations"))
        } else {
            let columns = ["conversations_closed", "reopened", "reopen_rate_pct", "resolved_first_contact", "first_contact_resolution_pct"]
            parts.append(PartModel(subheading: "Reopened conversations", chart: nil,
                                   table: TableModel(reopened, caption: "Reopened conversations", columns: columns.map { Column($0) }),
                                   emptyText: nil))
        }
        let firstTarget = DurationText.text(values["first_response_target"]?.int64 ?? 0)
        let resolutionTarget = DurationText.text(values["resolution_target"]?.int64 ?? 0)
        let within = DurationText.text(values["within"]?.int64 ?? 0)
        return section("service-levels", "Service levels", key: "service_levels", notes: [
            "Targets: first response within \(firstTarget), resolution within \(resolutionTarget), counted in \(businessHoursText). "
                + "A time equal to its target meets it; a conversation without a first response is in neither count of that target.",
            "Reopened: the same contact started another conversation within \(within) of the close. "
                + "Conversations closed less than \(within) before the newest conversation in the warehouse are left out: their outcome is not known yet.",
            "Per team: warehouse report service_levels --group-by team, and reopened_conversations --group-by team.",
        ], parts: parts)
    }
}
