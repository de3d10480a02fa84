/// Text made safe for XML: character data and attribute values alike.
public func xmlEscaped(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 || $0 < 0x20 })
    else { return text }
    var out = ""
    out.reserveCapacity(text.utf8.count + 16)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        case "\t", "\n", "\r": out += " "
        // Other control characters are not allowed in XML 1.0 at all.
        case _ where scalar.value < 0x20: continue
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// What a chart's values are, for the steps of its axis.
public enum ValueKind: Sendable {
    /// Counts: steps of 1, 2 or 5 times a power of ten, at least 1.
    case count
    /// Seconds: steps of whole seconds, minutes, hours or days.
    case duration
}

/// A named row of values, one per label of the chart.
public struct Series: Sendable {
    public let name: String
    public let values: [Double]
    public init(_ name: String, _ values: [Double]) {
        self.name = name
        self.values = values
    }
}

/// The colours of a chart: series in the Okabe–Ito palette, which readers with
/// any common colour blindness tell apart.
public enum Palette {
    public static let series = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
    /// A bar that stands out (a flagged agent).
    public static let highlight = "#D55E00"
    public static let text = "#333333"
    public static let muted = "#6b6b6b"
    public static let grid = "#e2e2e2"
    /// The heatmap's shades: an empty cell, then four steps up to the busiest.
    public static let shades = ["#f1f1f1", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]

    public static func color(_ index: Int) -> String { series[index % series.count] }
}

/// An SVG image being drawn: elements appended in order, then wrapped with its
/// accessible title. Coordinates are written with at most one decimal.
struct Canvas {
    let width: Double
    let height: Double
    private(set) var body = ""

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The image: `role="img"`, named by its `<title>` for screen readers.
    func svg(id: String, title: String) -> String {
        let titleID = xmlEscaped(id + "-title")
        return "<svg class=\"chart\" id=\"\(xmlEscaped(id))\" viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\""
            + " role=\"img\" aria-labelledby=\"\(titleID)\" font-size=\"11\" fill=\"\(Palette.text)\">"
            + "<title id=\"\(titleID)\">\(xmlEscaped(title))</title>" + body + "</svg>"
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tooltip: String? = nil) {
        let attributes = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(max(0, width)))\" height=\"\(n(max(0, height)))\" fill=\"\(fill)\""
        if let tooltip {
            body += "<rect \(attributes)><title>\(xmlEscaped(tooltip))</title></rect>"
        } else {
            body += "<rect \(attributes)/>"
        }
    }

    enum Anchor: String { case start, middle, end }

    mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double? = nil,
                       fill: String? = nil, bold: Bool = false) {
        var attributes = "x=\"\(n(x))\" y=\"\(n(y))\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if let size { attributes += " font-size=\"\(n(size))\"" }
        if let fill { attributes += " fill=\"\(fill)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        body += "<text \(attributes)>\(xmlEscaped(text))</text>"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1) {
        body += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>"
    }

    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: " ")
        body += "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\"/>"
    }

    mutating func circle(x: Double, y: Double, r: Double, fill: String) {
        body += "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill)\"/>"
    }

    /// A row of coloured squares and names, from (x, y).
    mutating func legend(_ entries: [(name: String, color: String)], x: Double, y: Double) {
        var at = x
        for entry in entries {
            rect(x: at, y: y - 9, width: 10, height: 10, fill: entry.color)
            text(entry.name, x: at + 14, y: y)
            at += 14 + textWidth(entry.name) + 14
        }
    }

    /// A note where the chart has nothing to draw: never a blank or broken image.
    mutating func nothingToDraw(_ note: String) {
        text(note, x: width / 2, y: height / 2, anchor: .middle, fill: Palette.muted)
    }
}

/// A coordinate: at most one decimal, no trailing `.0`, never NaN.
func n(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let tenths = (value * 10).rounded()
    let whole = Int(tenths / 10)
    let fraction = Int(abs(tenths.truncatingRemainder(dividingBy: 10)))
    if fraction == 0 { return String(whole) }
    return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
}

/// About how wide `text` is drawn at `size` px: wide characters (CJK, emoji) count double.
func textWidth(_ text: String, size: Double = 11) -> Double {
    text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 1.0 : 0.6) } * size
}

/// `text` cut to about `width` px, ending in `…` when cut.
func fitted(_ text: String, width: Double, size: Double = 11) -> String {
    if textWidth(text, size: size) <= width { return text }
    var out = ""
    for c in text {
        if textWidth(out + String(c) + "…", size: size) > width { break }
        out.append(c)
    }
    return out + "…"
}
