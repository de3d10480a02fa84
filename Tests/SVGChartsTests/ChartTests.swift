import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SVGCharts

/// Whether `svg` is well-formed XML (an escaping mistake is not).
func isWellFormed(_ svg: String) -> Bool {
    XMLParser(data: Data(svg.utf8)).parse()
}

func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

@Suite struct ChartTests {
    static let awkward = "Tom & Jerry's <team> \"A\""

    @Test func textIsEscapedForXML() {
        #expect(xmlEscaped("a < b & c > d \"e\" 'f'") == "a &lt; b &amp; c &gt; d &quot;e&quot; &#39;f&#39;")
        #expect(xmlEscaped("plain 中文 😀") == "plain 中文 😀")
        #expect(xmlEscaped("line\nbreak\u{1}") == "line break")
    }

    @Test func everyChartIsAnAccessibleWellFormedImage() {
        let charts = [
            Heatmap(id: "h", title: Self.awkward, rowLabels: ["Mon", "Tue"], columnLabels: ["0", "1"], values: [[1, 2], [0, 5]]).svg,
            LineChart(id: "l", title: Self.awkward, labels: ["1 Mar", "2 Mar"], series: [Series("opened", [3, 4]), Series(Self.awkward, [1, 0])]).svg,
            StackedColumns(id: "s", title: Self.awkward, labels: ["1 Mar"], series: [Series("new", [2]), Series("returning", [3])]).svg,
            BarChart(id: "b", title: Self.awkward, labels: [Self.awkward, "B"], series: [Series("avg", [10, 20])]).svg,
        ]
        for svg in charts {
            #expect(isWellFormed(svg), "\(svg)")
            #expect(svg.hasPrefix("<svg "))
            #expect(svg.contains("role=\"img\""))
            let id = svg.components(separatedBy: "aria-labelledby=\"")[1].prefix { $0 != "\"" }
            #expect(svg.contains("<title id=\"\(id)\">Tom &amp; Jerry&#39;s &lt;team&gt; &quot;A&quot;</title>"))
            #expect(!svg.contains("NaN") && !svg.contains("inf"))
            #expect(!svg.contains("<script") && !svg.contains("http"))
        }
    }

    @Test func heatmapShadesEachCellByQuartersOfThePeak() {
        var values: [[Double]] = Array(repeating: (0..<24).map { Double($0 % 3) }, count: 7)
        values[2][10] = 8
        let svg = Heatmap(id: "busy", title: "Busiest hours", rowLabels: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                          columnLabels: (0..<24).map(String.init), values: values, unit: "conversations").svg
        #expect(count("<rect ", in: svg) == 168 + 5)  // the cells and the legend's five shades
        #expect(svg.contains("<title>Wed 10: 8 conversations</title>"))
        #expect(Heatmap.level(0, peak: 8) == 0)
        #expect(Heatmap.level(1, peak: 8) == 1)
        #expect(Heatmap.level(2, peak: 8) == 1)
        #expect(Heatmap.level(3, peak: 8) == 2)
        #expect(Heatmap.level(8, peak: 8) == 4)
        #expect(svg.contains("fill=\"\(Palette.shades[4])\"><title>Wed 10"))
        #expect(svg.contains(">1–2</text>") && svg.contains(">7–8</text>"))
        // Each row's total at its end: 0 + 1 + 2, eight times; Wednesday's 10 o'clock is 8 instead of 1.
        #expect(count(">24</text>", in: svg) == 6 && count(">31</text>", in: svg) == 1)
    }

    @Test func anEmptyHeatmapIsStillAGrid() {
        let svg = Heatmap(id: "h", title: "t", rowLabels: ["Mon"], columnLabels: ["0", "1"], values: [[0, 0]]).svg
        #expect(isWellFormed(svg))
        #expect(count("fill=\"\(Palette.shades[0])\"", in: svg) == 3)
    }

    @Test func ticksAreRound() {
        #expect(ticks(upTo: 37, kind: .count) == [0, 10, 20, 30, 40])
        #expect(ticks(upTo: 2, kind: .count) == [0, 1, 2])
        #expect(ticks(upTo: 0, kind: .count) == [0, 1])
        #expect(ticks(upTo: 5_000, kind: .duration) == [0, 1800, 3600, 5400])
        let days: [Double] = [0, 2, 4, 6].map { $0 * 86_400 }
        #expect(ticks(upTo: 400_000, kind: .duration) == days)
        #expect(plainNumber(12) == "12" && plainNumber(12.5) == "12.5" && plainNumber(0.125) == "0.13")
    }

    @Test func lineChartDrawsOnePointOrALinePerSeries() {
        let one = LineChart(id: "l", title: "t", labels: ["5 Mar"], series: [Series("opened", [4]), Series("closed", [2])]).svg
        #expect(count("<polyline", in: one) == 0)
        #expect(count("<circle", in: one) == 2)
        #expect(one.contains(">5 Mar</text>"))
        let days = (1...90).map { "d\($0)" }
        let many = LineChart(id: "l", title: "t", labels: days, series: [Series("opened", days.indices.map(Double.init))]).svg
        #expect(count("<polyline", in: many) == 1)
        #expect(count("<circle", in: many) == 0)
        // The labels are thinned out so they do not overlap.
        #expect(count(">d", in: many) < 20)
        #expect(many.contains(">d1</text>"))
        let none = LineChart(id: "l", title: "t", labels: [], series: []).svg
        #expect(isWellFormed(none) && none.contains(">no data</text>"))
    }

    @Test func lineChartScalesToTheRoundedTopTick() {
        let svg = LineChart(id: "l", title: "t", labels: ["a", "b"], series: [Series("x", [0, 40])]).svg
        // 40 is the top tick: its point sits on the top of the plot (y = 30), 0 on the bottom (220 - 24).
        #expect(svg.contains("cy=\"30\"") && svg.contains("cy=\"196\""))
    }

    @Test func stackedColumnsStackTheSeries() {
        let svg = StackedColumns(id: "s", title: "t", labels: ["w1", "w2"], series: [Series("new", [2, 0]), Series("returning", [3, 5])]).svg
        #expect(isWellFormed(svg))
        #expect(count("<rect ", in: svg) == 2 + 3)  // legend squares, then w1 new, w1 returning, w2 returning
        #expect(svg.contains("<title>w1: 3 returning</title>"))
    }

    @Test func barsAreProportionalAndLabelled() {
        let svg = BarChart(id: "b", title: "t", labels: ["Ana", "Bo"], series: [Series("avg", [100, 50])],
                           format: { "\(Int($0))s" }, width: 400).svg
        let widths = svg.components(separatedBy: "width=\"").dropFirst(2).map { Double($0.prefix { $0 != "\"" }) ?? -1 }
        #expect(widths.count == 2)
        #expect(abs(widths[0] - 2 * widths[1]) < 0.2)
        #expect(svg.contains(">100s</text>") && svg.contains(">50s</text>"))
    }

    @Test func groupedBarsHaveALegendAndHighlightsStandOut() {
        let grouped = BarChart(id: "b", title: "t", labels: ["Ana"], series: [Series("average", [3]), Series("median", [2]), Series("p90", [9])]).svg
        #expect(grouped.contains(">average</text>") && grouped.contains(">p90</text>"))
        #expect(grouped.contains("<title>Ana, p90: 9</title>"))
        let flagged = BarChart(id: "b", title: "t", labels: ["Ana", "Bo"], series: [Series("rate", [10, 60])],
                               highlighted: [1], highlightName: "flagged").svg
        #expect(count("fill=\"\(Palette.highlight)\"", in: flagged) == 2)  // Bo's bar and the legend
        #expect(flagged.contains(">flagged</text>"))
        let zeros = BarChart(id: "b", title: "t", labels: ["Ana"], series: [Series("n", [0])]).svg
        #expect(isWellFormed(zeros) && !zeros.contains("NaN"))
    }

    @Test func longLabelsAreCut() {
        #expect(fitted("Short", width: 100) == "Short")
        let cut = fitted("A very long agent name indeed", width: 60)
        #expect(cut.hasSuffix("…") && textWidth(cut) <= 60)
    }
}
