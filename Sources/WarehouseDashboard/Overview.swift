import SVGCharts
import WarehouseCore

/// Whether a KPI going up is good news.
enum Better {
    /// More is better (conversations closed).
    case higher
    /// Less is better (response and resolution times).
    case lower
    /// A volume: neither better nor worse in itself.
    case neither
}

extension PageBuilder {
    /// The overview report's KPIs, as the page names them and reads their change.
    static let kpis: [(kpi: String, label: String, better: Better)] = [
        ("conversations_opened", "Conversations opened", .neither),
        ("conversations_closed", "Conversations closed", .higher),
        ("incoming_messages", "Incoming messages", .neither),
        ("outgoing_messages", "Outgoing messages", .neither),
        ("avg_first_response_seconds", "Average first response", .lower),
        ("median_first_response_seconds", "Median first response", .lower),
        ("avg_resolution_seconds", "Average resolution", .lower),
        ("median_resolution_seconds", "Median resolution", .lower),
    ]

    /// A KPI's name in calendar time (overview names its times `…_business_seconds` in business hours).
    static func calendarName(_ kpi: String) -> String {
        kpi.hasSuffix("_business_seconds") ? kpi.dropLast("_business_seconds".count) + "_seconds" : kpi
    }

    /// The headline KPIs, each with its change against the previous period
    /// (the overview report's previous_value and change_pct) and whether that
    /// change is good.
    func overview() -> OverviewModel {
        let result = result("overview")
        let (kpi, value, previous, change) = (result.values("kpi"), result.values("value"), result.values("previous_value"), result.values("change_pct"))
        var cards: [KPIModel] = []
        for row in result.rows.indices {
            let name = Self.calendarName(kpi[row].string ?? "")
            let known = Self.kpis.first { $0.kpi == name }
            let label = (known?.label ?? Display.heading(name)) + (businessHours != nil && name.hasSuffix("_seconds") ? " (business hours)" : "")
            let isDuration = name.hasSuffix("_seconds")
            let show = { (v: SQLValue) in Display.text(v, column: name, asDuration: isDuration) }
            let (changeText, judgement, judgementText) = Self.change(change[row], previous: previous[row], value: value[row],
                                                                     better: known?.better ?? .neither)
            var chart: String?
            if let before = previous[row].double, let now = value[row].double, before != 0 || now != 0 {
                chart = BarChart(id: "kpi-\(name)", title: "\(label): \(show(value[row])) this period, \(show(previous[row])) in the previous period",
                                 labels: ["previous", "now"], series: [Series(label, [before, now])],
                                 format: isDuration ? Display.duration : Display.count, width: 190).svg
            }
            cards.append(KPIModel(kpiLabel: label, kpiValue: show(value[row]),
                                  kpiPrevious: previous[row] == .null ? nil : "previous period: \(show(previous[row]))",
                                  change: fromDay != nil && toDay != nil ? changeText : nil, judgement: judgement, judgementText: judgementText, kpiChart: chart))
        }
        let table = TableModel(result, caption: "Overview: this period and the previous one",
                               columns: [Column("kpi", "KPI", show: { v in Self.kpis.first { $0.kpi == v.string.map(Self.calendarName) }?.label ?? Display.text(v, column: "kpi") }),
                                         Column("value"), Column("previous_value"), Column("change_pct")],
                               durationRow: { $0.first?.string?.hasSuffix("_seconds") ?? false })
        var note: String?
        if let fromDay, let toDay {
            let before = ReportParameters.previousDays(from: fromDay, to: toDay)
            note = "Compared with the \(before.count) day\(before.count == 1 ? "" : "s") just before: \(Display.period(from: before.lowerBound, to: before.upperBound))."
        } else {
            note = "No previous period to compare with: give both --from and --to."
        }
        return OverviewModel(overviewScope: scope("overview"), comparisonNote: note, kpis: cards, kpiTable: table)
    }

    /// A KPI's change in words and arrows, and what it means: `good`, `bad` or `neutral`.
    static func change(_ change: SQLValue, previous: SQLValue, value: SQLValue, better: Better) -> (String, String, String?) {
        guard value != .null else { return ("none: no conversation closed in this period has one", "neutral", nil) }
        guard previous != .null else { return ("no comparison", "neutral", "none in the previous period") }
        guard let pct = change.double else {
            // The previous value was 0 (or the KPI had no value then).
            if value == previous { return ("no change", "neutral", nil) }
            return ("new this period", "neutral", "nothing to compare with in the previous period")
        }
        if pct == 0 { return ("no change", "neutral", nil) }
        let up = pct > 0
        let text = (up ? "▲ +" : "▼ −") + Display.percent(abs(pct))
        switch better {
        case .neither: return (text, "neutral", "a volume: neither good nor bad")
        case .higher: return (text, up ? "good" : "bad", up ? "more: better" : "fewer: worse")
        case .lower: return (text, up ? "bad" : "good", up ? "slower: worse" : "faster: better")
        }
    }
}

extension SQLValue {
    /// The value as a number, or nil (NULL, text).
    var double: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .real(let v): return v
        default: return nil
        }
    }
}
