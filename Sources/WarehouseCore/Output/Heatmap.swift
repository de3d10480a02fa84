/// A weekday × hour result drawn as a 7 × 24 grid of shades, for people: the
/// busiest hours stand out at a glance; the exact counts are in csv/json.
struct Heatmap {
    /// counts[weekday - 1][hour]
    var counts = Array(repeating: Array(repeating: Int64(0), count: 24), count: 7)
    var names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    let measure: String

    /// Reads columns `weekday` (1–7), `hour` (0–23), optionally `weekday_name`,
    /// and the count in the last column; nil when the result is not of that shape.
    init?(_ result: ResultTable) {
        guard let weekday = result.columns.firstIndex(of: "weekday"), let hour = result.columns.firstIndex(of: "hour"),
              let last = result.columns.indices.last, last != weekday, last != hour else { return nil }
        let name = result.columns.firstIndex(of: "weekday_name")
        measure = result.columns[last].replacingOccurrences(of: "_", with: " ")
        for row in result.rows {
            guard let d = row[weekday].int64, (1...7).contains(d), let h = row[hour].int64, (0...23).contains(h) else { return nil }
            counts[Int(d) - 1][Int(h)] += row[last].int64 ?? 0
            if let name, let text = row[name].string { names[Int(d) - 1] = text }
        }
    }

    static let shades: [Character] = ["░", "▒", "▓", "█"]

    func render() -> String {
        let peak = counts.joined().max() ?? 0
        func level(_ v: Int64) -> Int { v <= 0 || peak == 0 ? 0 : Int((4 * v + peak - 1) / peak) }
        let label = max(5, names.map { TextWidth.of($0) }.max() ?? 3) + 1
        func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, width - TextWidth.of(s)))
            return right ? fill + s : s + fill
        }
        var out = "\(measure.prefix(1).uppercased() + measure.dropFirst()) by weekday and hour\n\n"
        out += pad("", label) + (0..<24).map { pad(String($0), 2, right: true) + " " }.joined() + "  total\n"
        for (d, row) in counts.enumerated() {
            out += pad(names[d], label)
            for v in row {
                let l = level(v)
                out += (l == 0 ? " ·" : String(repeating: Self.shades[l - 1], count: 2)) + " "
            }
            out += pad(String(row.reduce(0, +)), 7, right: true) + "\n"
        }
        let total = counts.joined().reduce(0, +)
        out += "\n\(total) in all"
        if peak > 0 {
            var busiest = (day: 0, hour: 0)
            for d in 0..<7 { for h in 0..<24 where counts[d][h] > counts[busiest.day][busiest.hour] { busiest = (d, h) } }
            out += "; busiest: \(names[busiest.day]) \(busiest.hour < 10 ? "0" : "")\(busiest.hour):00 with \(peak)"
            var legend = "· 0"
            for l in 1...4 {
                let low = (Int64(l - 1) * peak) / 4 + 1, high = (Int64(l) * peak) / 4
                if high >= low { legend += "   \(Self.shades[l - 1]) \(low == high ? "\(low)" : "\(low)–\(high)")" }
            }
            out += ".\n" + legend
        }
        out += "\n"
        return out
    }
}
