/// Series over a sequence of periods, as lines with a value axis from 0; the
/// points are marked while there are few enough to tell apart (one period is a
/// point, never an empty chart).
public struct LineChart {
    public let id: String
    public let title: String
    /// The periods, as the axis shows them (thinned out where they would overlap).
    public let labels: [String]
    public let series: [Series]
    public let kind: ValueKind
    public let format: (Double) -> String

    public init(id: String, title: String, labels: [String], series: [Series], kind: ValueKind = .count,
                format: @escaping (Double) -> String = plainNumber) {
        (self.id, self.title, self.labels, self.series, self.kind, self.format) = (id, title, labels, series, kind, format)
    }

    public var svg: String {
        var plot = Plot(labels: labels, maximum: series.flatMap(\.values).max() ?? 0, kind: kind, format: format)
        guard !labels.isEmpty else {
            plot.canvas.nothingToDraw("no data")
            return plot.canvas.svg(id: id, title: title)
        }
        plot.drawAxes(legend: series.enumerated().map { ($1.name, Palette.color($0)) })
        let step = labels.count > 1 ? plot.width / Double(labels.count - 1) : 0
        func x(_ i: Int) -> Double { labels.count > 1 ? plot.left + Double(i) * step : plot.left + plot.width / 2 }
        for (s, line) in series.enumerated() {
            let points = line.values.prefix(labels.count).enumerated().map { (x: x($0), y: plot.y($1)) }
            if points.count > 1 { plot.canvas.polyline(points, stroke: Palette.color(s)) }
            if points.count <= 62 {
                let r = points.count > 31 ? 1.8 : points.count > 7 ? 2.8 : 4
                for point in points { plot.canvas.circle(x: point.x, y: point.y, r: r, fill: Palette.color(s)) }
            }
        }
        plot.drawLabels(at: labels.indices.map(x))
        return plot.canvas.svg(id: id, title: title)
    }
}

/// Series stacked in one column per period (new and returning contacts), with
/// a value axis from 0.
public struct StackedColumns {
    public let id: String
    public let title: String
    public let labels: [String]
    public let series: [Series]
    public let format: (Double) -> String

    public init(id: String, title: String, labels: [String], series: [Series], format: @escaping (Double) -> String = plainNumber) {
        (self.id, self.title, self.labels, self.series, self.format) = (id, title, labels, series, format)
    }

    public var svg: String {
        let totals = labels.indices.map { i in series.reduce(0) { $0 + (i < $1.values.count ? max(0, $1.values[i]) : 0) } }
        var plot = Plot(labels: labels, maximum: totals.max() ?? 0, kind: .count, format: format)
        guard !labels.isEmpty else {
            plot.canvas.nothingToDraw("no data")
            return plot.canvas.svg(id: id, title: title)
        }
        plot.drawAxes(legend: series.enumerated().map { ($1.name, Palette.color($0)) })
        let band = plot.width / Double(labels.count)
        let barWidth = max(1, min(40, band * 0.7))
        func center(_ i: Int) -> Double { plot.left + band * (Double(i) + 0.5) }
        for i in labels.indices {
            var base = 0.0
            for (s, column) in series.enumerated() {
                let value = i < column.values.count ? max(0, column.values[i]) : 0
                guard value > 0 else { continue }
                let top = plot.y(base + value), bottom = plot.y(base)
                plot.canvas.rect(x: center(i) - barWidth / 2, y: top, width: barWidth, height: bottom - top, fill: Palette.color(s),
                                 tooltip: "\(labels[i]): \(format(value)) \(column.name)")
                base += value
            }
        }
        plot.drawLabels(at: labels.indices.map(center))
        return plot.canvas.svg(id: id, title: title)
    }
}

/// The frame the line and column charts share: a legend on top, a value axis
/// with grid lines on the left, period labels below.
struct Plot {
    var canvas: Canvas
    let labels: [String]
    let ticks: [Double]
    let format: (Double) -> String
    let left: Double, right: Double, top = 30.0, bottom: Double

    init(labels: [String], maximum: Double, kind: ValueKind, format: @escaping (Double) -> String, width: Double = 480, height: Double = 220) {
        canvas = Canvas(width: width, height: height)
        self.labels = labels
        self.format = format
        ticks = SVGCharts.ticks(upTo: maximum, kind: kind)
        left = (ticks.map { textWidth(format($0), size: 10) }.max() ?? 10) + 10
        right = width - 12
        bottom = height - 24
    }

    var width: Double { right - left }
    var height: Double { bottom - top }

    func y(_ value: Double) -> Double {
        let top = ticks.last ?? 1
        return bottom - (top > 0 ? value / top : 0) * height
    }

    mutating func drawAxes(legend: [(name: String, color: String)]) {
        canvas.legend(legend, x: left, y: 12)
        for tick in ticks {
            canvas.line(x1: left, y1: y(tick), x2: right, y2: y(tick), stroke: Palette.grid)
            canvas.text(format(tick), x: left - 6, y: y(tick) + 3.5, anchor: .end, size: 10, fill: Palette.muted)
        }
    }

    /// The period labels under the plot, at `x`, as many as fit side by side.
    mutating func drawLabels(at x: [Double]) {
        let widest = (labels.map { textWidth($0, size: 10) }.max() ?? 0) + 12
        let fit = max(1, Int(width / widest))
        let every = Int((Double(labels.count) / Double(fit)).rounded(.up))
        for i in labels.indices where i % max(1, every) == 0 {
            canvas.text(labels[i], x: x[i], y: bottom + 16, anchor: .middle, size: 10, fill: Palette.muted)
        }
    }
}
