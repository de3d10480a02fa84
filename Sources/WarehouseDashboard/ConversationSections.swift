import SVGCharts
import WarehouseCore

extension PageBuilder {
    /// Conversations opened per weekday and hour: the busiest times.
    func busiestHours() -> SectionModel {
        let result = result("conversations_opened_heatmap")
        var grid = Array(repeating: Array(repeating: SQLValue.integer(0), count: 24), count: 7)
        var names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let (weekday, name, hour, opened) = (result.values("weekday"), result.values("weekday_name"), result.values("hour"),
                                             result.values("conversations_opened"))
        for row in result.rows.indices {
            guard let d = weekday[row].int64, (1...7).contains(d), let h = hour[row].int64, (0...23).contains(h) else { continue }
            grid[Int(d) - 1][Int(h)] = opened[row]
            if let text = name[row].string { names[Int(d) - 1] = text }
        }
        let values = grid.map { $0.map { $0.double ?? 0 } }
        let parts: [PartModel]
        if values.joined().allSatisfy({ $0 == 0 }) {
            parts = [Self.empty("No conversations opened in this period.")]
        } else {
            let chart = Heatmap(id: "chart-busiest-hours", title: "Conversations opened by weekday and hour of the day (\(zone)): darker is busier",
                                rowLabels: names, columnLabels: (0..<24).map(String.init), values: values, unit: "opened",
                                format: Display.count).svg
            let table = TableModel(caption: "Conversations opened by weekday (rows) and hour (columns)", result,
                                   headers: ["Day"] + (0..<24).map { "\($0)h" },
                                   rows: grid.enumerated().map { d, row in
                                       (String(d + 1), names[d], row.map { (column: "conversations_opened", value: $0) })
                                   })
            parts = [PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)]
        }
        return section("busiest-hours", "Busiest hours", key: "conversations_opened_heatmap",
                       notes: ["Hours of the day in \(zone); each row's total at its end."], parts: parts)
    }

    /// The rule for the charts over time, in words.
    var periodRule: String {
        by == "week"
            ? "Per week (weeks start on Monday): the period is longer than \(PeriodRule.longestByDay) days."
            : "Per day: the period is \(PeriodRule.longestByDay) days or shorter (longer ones are shown per week)."
    }

    /// Conversations opened and closed per day or week.
    func openedVsClosed() -> SectionModel {
        let result = result("conversations_opened_vs_closed")
        let parts: [PartModel]
        if result.rows.isEmpty {
            parts = [Self.empty("No conversations opened or closed in this period.")]
        } else {
            let reported = result.values("period").map { $0.string ?? "" }
            let all = periods(reported: reported)
            let series = ["opened", "closed"].map { column -> Series in
                let byPeriod = Dictionary(zip(reported, result.numbers(column)), uniquingKeysWith: { a, _ in a })
                return Series(column, all.map { byPeriod[$0] ?? 0 })
            }
            let chart = LineChart(id: "chart-opened-vs-closed", title: "Conversations opened and closed per \(by)",
                                  labels: all.map { Display.day($0, year: false) }, series: series, format: Display.count).svg
            let table = TableModel(result, caption: "Conversations opened and closed per \(by)",
                                   columns: [Column("period", show: { periodLabel($0.string ?? "") }), Column("opened"), Column("closed")])
            parts = [PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)]
        }
        return section("opened-vs-closed", "Conversations opened and closed", key: "conversations_opened_vs_closed",
                       notes: [periodRule, "A period without conversations is drawn as 0 and has no row in the table."], parts: parts)
    }

    /// Conversations opened by new and by returning contacts, per day or week.
    func newVsReturning() -> SectionModel {
        let result = result("conversations_opened_by_contact_type")
        let parts: [PartModel]
        if result.rows.isEmpty {
            parts = [Self.empty("No conversations opened in this period.")]
        } else {
            let (period, type, opened) = (result.values("period"), result.values("contact_type"), result.values("conversations_opened"))
            var reported: [String] = []
            var counts: [String: [String: SQLValue]] = [:]
            for row in result.rows.indices {
                let p = period[row].string ?? ""
                if counts[p] == nil { reported.append(p) }
                counts[p, default: [:]][type[row].string ?? ""] = opened[row]
            }
            let all = periods(reported: reported)
            let types = ["new", "returning"]
            let chart = StackedColumns(id: "chart-new-vs-returning", title: "Conversations opened by new and returning contacts per \(by)",
                                       labels: all.map { Display.day($0, year: false) },
                                       series: types.map { t in Series(t, all.map { counts[$0]?[t]?.double ?? 0 }) },
                                       format: Display.count).svg
            let table = TableModel(caption: "Conversations opened by new and returning contacts per \(by)", result,
                                   headers: ["Period", "New", "Returning"],
                                   rows: reported.map { p in (p, periodLabel(p), types.map { (column: "conversations_opened", value: counts[p]?[$0] ?? .null) }) })
            parts = [PartModel(subheading: nil, chart: chart, table: table, emptyText: nil)]
        }
        return section("new-vs-returning", "New and returning contacts", key: "conversations_opened_by_contact_type",
                       notes: ["A conversation is new when it is its contact's first conversation known to the warehouse, "
                               + "whatever the filters; every later one is returning.", periodRule], parts: parts)
    }
}
