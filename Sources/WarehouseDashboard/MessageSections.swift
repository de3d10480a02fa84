import SVGCharts
import WarehouseCore

extension PageBuilder {
    /// Incoming messages per channel, with shares.
    func incomingByChannel() -> SectionModel {
        let result = result("incoming_messages_by_channel")
        let name = { (value: SQLValue) in value.string.flatMap { $0.isEmpty ? nil : $0 } ?? "no channel" }
        let part = sharePart(result, id: "chart-incoming-by-channel", title: "Incoming messages by channel", labels: result.values("channel_name").map(name),
                             count: "incoming_messages", label: Column("channel_name", show: name),
                             empty: "No incoming messages in this period.")
        return section("incoming-by-channel", "Incoming messages by channel", key: "incoming_messages_by_channel",
                       notes: ["Messages from contacts. Messages of older exports carry no channel: they are counted as no channel."], parts: [part])
    }

    /// Outgoing messages per source (user, workflow, broadcast, …), with shares.
    func outgoingBySource() -> SectionModel {
        let result = result("outgoing_messages_by_source")
        let names = result.values("source").map { $0.string.flatMap { $0.isEmpty ? nil : $0 } ?? "(blank)" }
        let part = sharePart(result, id: "chart-outgoing-by-source", title: "Outgoing messages by source", labels: names,
                             count: "outgoing_messages", label: Column("source"), empty: "No outgoing messages in this period.")
        return section("outgoing-by-source", "Outgoing messages by source", key: "outgoing_messages_by_source",
                       notes: ["Messages to contacts, by who or what sent them: a user (an agent), a workflow, a broadcast, the API, …"], parts: [part])
    }

    /// A count per group with its share: bars and a table.
    func sharePart(_ result: ReportResult, id: String, title: String, labels: [String], count: String, label: Column, empty: String) -> PartModel {
        guard !result.rows.isEmpty else { return Self.empty(empty) }
        let counts = result.numbers(count)
        let shares = result.values("share_pct").map { Display.text($0, column: "share_pct") }
        let chart = BarChart(id: id, title: title, labels: labels, series: [Series(Display.heading(count), counts)],
                             format: Display.count, valueLabels: zip(counts, shares).map { "\(Display.count($0)) · \($1)" }).svg
        let table = TableModel(result, caption: title, columns: [label, Column(count), Column("share_pct")])
        return PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)
    }

    /// Conversations per time bucket (first response or resolution), with shares.
    func breakdown(_ key: String, id: String, heading: String, measure: String) -> SectionModel {
        let result = result(key)
        let counts = result.numbers("conversations")
        let part: PartModel
        if counts.allSatisfy({ $0 == 0 }) {
            part = Self.empty("No conversation closed in this period has a \(measure).")
        } else {
            let buckets = result.values("bucket").map { $0.string ?? "" }
            let shares = result.values("share_pct").map { Display.text($0, column: "share_pct") }
            let chart = BarChart(id: "chart-\(id)", title: "Conversations closed per \(measure) bucket", labels: buckets,
                                 series: [Series("conversations", counts)], format: Display.count,
                                 valueLabels: zip(counts, shares).map { "\(Display.count($0)) · \($1)" }).svg
            let table = TableModel(result, caption: "Conversations closed per \(measure) bucket",
                                   columns: [Column("bucket", Display.heading("bucket")), Column("conversations"), Column("share_pct")])
            part = PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)
        }
        return section(id, heading, key: key,
                       notes: ["Shares are of the conversations closed in the period that have a \(measure); those without one are in no bucket."],
                       parts: [part])
    }
}
