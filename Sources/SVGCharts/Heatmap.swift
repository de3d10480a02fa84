/// A grid of shaded cells: rows (weekdays) by columns (hours), darker for more.
/// Each cell carries its count as a tooltip; each row its total at the right.
public struct Heatmap {
    public let id: String
    public let title: String
    public let rowLabels: [String]
    public let columnLabels: [String]
    /// values[row][column]
    public let values: [[Double]]
    /// What a cell counts, for its tooltip: "12 conversations".
    public let unit: String
    public let format: (Double) -> String

    public init(id: String, title: String, rowLabels: [String], columnLabels: [String], values: [[Double]], unit: String = "",
                format: @escaping (Double) -> String = plainNumber) {
        (self.id, self.title, self.rowLabels, self.columnLabels, self.values, self.unit) = (id, title, rowLabels, columnLabels, values, unit)
        self.format = format
    }

    static let cell = 20.0, gap = 2.0

    /// The shade of a value: 0 for none, else 1–4 by quarters of the peak.
    static func level(_ value: Double, peak: Double) -> Int {
        guard value > 0, peak > 0 else { return 0 }
        return min(4, max(1, Int((4 * value / peak).rounded(.up))))
    }

    public var svg: String {
        let labelWidth = max(28, (rowLabels.map { textWidth($0) }.max() ?? 0) + 8)
        let pitch = Self.cell + Self.gap
        let columns = Double(columnLabels.count), rows = Double(rowLabels.count)
        let top = 16.0
        let gridRight = labelWidth + columns * pitch
        let totalWidth = max(28, (values.map { textWidth(format($0.reduce(0, +))) }.max() ?? 0) + 8)
        var canvas = Canvas(width: gridRight + totalWidth, height: top + rows * pitch + 34)
        let peak = values.joined().max() ?? 0

        for (c, label) in columnLabels.enumerated() {
            canvas.text(label, x: labelWidth + Double(c) * pitch + Self.cell / 2, y: top - 4, anchor: .middle, size: 9, fill: Palette.muted)
        }
        canvas.text("total", x: gridRight + totalWidth - 4, y: top - 4, anchor: .end, size: 9, fill: Palette.muted)
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * pitch
            canvas.text(label, x: 0, y: y + Self.cell / 2 + 4)
            let row = r < values.count ? values[r] : []
            for c in columnLabels.indices {
                let value = c < row.count ? row[c] : 0
                canvas.rect(x: labelWidth + Double(c) * pitch, y: y, width: Self.cell, height: Self.cell,
                            fill: Palette.shades[Self.level(value, peak: peak)],
                            tooltip: "\(label) \(columnLabels[c]): \(format(value))\(unit.isEmpty ? "" : " " + unit)")
            }
            canvas.text(format(row.reduce(0, +)), x: gridRight + totalWidth - 4, y: y + Self.cell / 2 + 4, anchor: .end)
        }

        // Legend: the range of counts each shade stands for.
        var legend: [(name: String, color: String)] = [("0", Palette.shades[0])]
        if peak > 0 {
            for level in 1...4 {
                let low = (Double(level - 1) * peak / 4).rounded(.down) + 1, high = (Double(level) * peak / 4).rounded(.down)
                if high >= low { legend.append((low == high ? format(low) : "\(format(low))–\(format(high))", Palette.shades[level])) }
            }
        }
        canvas.legend(legend, x: labelWidth, y: top + rows * pitch + 22)
        return canvas.svg(id: id, title: title)
    }
}
