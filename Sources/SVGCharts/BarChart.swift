/// Horizontal bars, one row per label, with one bar per series in each row
/// (grouped: a leaderboard's average, median and p90), each bar labelled with
/// its value. Rows may be highlighted (a flagged agent).
public struct BarChart {
    public let id: String
    public let title: String
    public let labels: [String]
    public let series: [Series]
    public let format: (Double) -> String
    /// Rows drawn in the highlight colour, and what the legend calls them.
    public let highlighted: Set<Int>
    public let highlightName: String
    /// Each row's text beside its bar, where not the formatted value (one series only).
    public let valueLabels: [String]?
    public let width: Double

    public init(id: String, title: String, labels: [String], series: [Series], format: @escaping (Double) -> String = plainNumber,
                highlighted: Set<Int> = [], highlightName: String = "", valueLabels: [String]? = nil, width: Double = 480) {
        (self.id, self.title, self.labels, self.series, self.format) = (id, title, labels, series, format)
        (self.highlighted, self.highlightName, self.valueLabels, self.width) = (highlighted, highlightName, valueLabels, width)
    }

    public var svg: String {
        let bar = series.count > 1 ? 10.0 : 15.0
        let rowHeight = Double(series.count) * (bar + 1) + (series.count > 1 ? 10 : 7)
        let legend = series.count > 1 || !highlighted.isEmpty
        let top = legend ? 24.0 : 4.0
        var canvas = Canvas(width: width, height: top + Double(max(1, labels.count)) * rowHeight + 2)
        guard !labels.isEmpty else {
            canvas.nothingToDraw("no data")
            return canvas.svg(id: id, title: title)
        }
        let labelWidth = min(width * 0.32, (labels.map { textWidth($0) }.max() ?? 0) + 8)
        func valueLabel(_ row: Int, _ value: Double) -> String {
            if series.count == 1, let valueLabels, row < valueLabels.count { return valueLabels[row] }
            return format(value)
        }
        let valueWidth = series.flatMap { $0.values.enumerated().map { textWidth(valueLabel($0, $1), size: 10) } }.max().map { $0 + 8 } ?? 8
        let span = max(10, width - labelWidth - valueWidth)
        let peak = series.flatMap(\.values).max() ?? 0

        if legend {
            var entries: [(name: String, color: String)] = series.enumerated().map { ($1.name, Palette.color($0)) }
            if !highlighted.isEmpty { entries.append((highlightName, Palette.highlight)) }
            canvas.legend(entries, x: labelWidth, y: 12)
        }
        for (row, label) in labels.enumerated() {
            let y = top + Double(row) * rowHeight
            let middle = y + Double(series.count) * (bar + 1) / 2
            canvas.text(fitted(label, width: labelWidth - 8), x: labelWidth - 6, y: middle + 4, anchor: .end)
            for (s, line) in series.enumerated() {
                let value = row < line.values.count ? line.values[row] : 0
                let length = peak > 0 ? max(0, value) / peak * span : 0
                let barY = y + Double(s) * (bar + 1)
                let color = highlighted.contains(row) && series.count == 1 ? Palette.highlight : Palette.color(s)
                canvas.rect(x: labelWidth, y: barY, width: max(value > 0 ? 1 : 0, length), height: bar, fill: color,
                            tooltip: "\(label)\(series.count > 1 ? ", " + line.name : ""): \(format(value))")
                canvas.text(valueLabel(row, value), x: labelWidth + length + 4, y: barY + bar - (series.count > 1 ? 1.5 : 3.5),
                            size: series.count > 1 ? 9.5 : 10,
                            fill: Palette.muted)
            }
        }
        return canvas.svg(id: id, title: title)
    }
}
