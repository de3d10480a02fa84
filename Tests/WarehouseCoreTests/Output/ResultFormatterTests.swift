import Testing
@testable import WarehouseCore

@Suite struct ResultFormatterTests {
    let result = ResultTable(columns: ["name", "resolution_seconds", "share_pct"], rows: [
        [.text("Aisha, \"A\""), .integer(3723), .real(12.5)],
        [.text("客户😊"), .null, .real(3)],
    ])

    @Test func durationsForPeople() {
        #expect(ResultFormatter.humanDuration(3723) == "1h 02m 03s")
        #expect(ResultFormatter.humanDuration(125) == "2m 05s")
        #expect(ResultFormatter.humanDuration(45) == "45s")
        #expect(ResultFormatter.humanDuration(0) == "0s")
        #expect(ResultFormatter.humanDuration(90_000) == "25h 00m 00s")
    }

    @Test func csvQuotesAndKeepsWholeSeconds() {
        #expect(ResultFormatter(format: .csv).render(result) == "name,resolution_seconds,share_pct\n\"Aisha, \"\"A\"\"\",3723,12.50\n客户😊,,3.00\n")
        // Percentages always with two decimals; durations in whole seconds, rounded half away from zero.
        let computed = ResultTable(columns: ["avg_seconds", "change_pct"], rows: [[.real(2.5), .real(-0.1)], [.real(-2.5), .integer(7)]])
        #expect(ResultFormatter(format: .csv).render(computed) == "avg_seconds,change_pct\n3,-0.10\n-3,7.00\n")
    }

    @Test func jsonAndNDJSON() {
        #expect(ResultFormatter(format: .json).render(result) == """
            [
              {"name":"Aisha, \\"A\\"","resolution_seconds":3723,"share_pct":12.50},
              {"name":"客户😊","resolution_seconds":null,"share_pct":3.00}
            ]

            """)
        #expect(ResultFormatter(format: .ndjson).render(result).split(separator: "\n").count == 2)
        #expect(ResultFormatter(format: .json).render(ResultTable(columns: ["a"], rows: [])) == "[]\n")
    }

    @Test func markdown() {
        let md = ResultFormatter(format: .markdown).render(result)
        #expect(md.hasPrefix("| name | resolution_seconds | share_pct |\n| --- | ---: | ---: |\n"))
    }

    @Test func tableShowsDurationsAlignsWideTextAndCutsLongResults() {
        let text = ResultFormatter(format: .table).render(result)
        #expect(text.contains("1h 02m 03s"))
        let lines = text.split(separator: "\n")
        // Every drawn line has the same display width, CJK and emoji included.
        let widths = Set(lines.prefix(5).map { TextWidth.of(String($0)) })
        #expect(widths.count == 1)
        let many = ResultTable(columns: ["n"], rows: (1...100).map { [.integer(Int64($0))] })
        let cut = ResultFormatter(format: .table, maxTableRows: 10).render(many)
        #expect(cut.contains("100 rows; the first 10 shown, 90 left out"))
        #expect(!cut.contains("│ 11 │"))
        #expect(ResultFormatter(format: .csv, maxTableRows: 10).render(many).split(separator: "\n").count == 101)
    }
}
