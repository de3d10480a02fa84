import Testing
import TestSupport
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

    @Test func shortDurationsToTheMinuteFromAnHourUp() {
        #expect(ResultFormatter.shortDuration(3723) == "1h 02m")
        #expect(ResultFormatter.shortDuration(3749) == "1h 02m")
        #expect(ResultFormatter.shortDuration(3750) == "1h 03m")  // 30 s rounds up
        #expect(ResultFormatter.shortDuration(7199) == "2h 00m")
        #expect(ResultFormatter.shortDuration(3599) == "59m 59s")
        #expect(ResultFormatter.shortDuration(45) == "45s")
        #expect(ResultFormatter.shortDuration(90_000) == "25h 00m")
        #expect(ResultFormatter.shortDuration(-3723) == "-1h 02m")
    }

    @Test func csvQuotesAndKeepsWholeSeconds() {
        #expect(ResultFormatter(format: .csv).render(result) == "name,resolution_seconds,share_pct\n\"Aisha, \"\"A\"\"\",3723,12.50\n客户😊,,3.00\n")
        // Percentages always with two decimals; durations in whole seconds, rounded half away from zero.
        let computed = ResultTable(columns: ["avg_seconds", "change_pct"], rows: [[.real(2.5), .real(-0.1)], [.real(-2.5), .integer(7)]])
        #expect(ResultFormatter(format: .csv).render(computed) == "avg_seconds,change_pct\n3,-0.10\n-3,7.00\n")
    }

    @Test func aFieldWithOnlyACRLFLineBreakIsQuoted() {
        // "\r\n" is one Character: comparing Characters with "\n" missed it.
        #expect(ResultFormatter.csvField("a\r\nb") == "\"a\r\nb\"")
        #expect(ResultFormatter.csvField("plain 客户") == "plain 客户")
        #expect(ResultFormatter.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ResultFormatter.csvField("\"\"") == "\"\"\"\"\"\"")
        #expect(ResultFormatter.csvField("a,\"") == "\"a,\"\"\"")
    }

    /// CSV injection: spreadsheet-safe csv puts a `'` before a text cell that
    /// starts with `=`, `+`, `-`, `@`, a tab or a carriage return; numbers stay
    /// numbers, negative ones too; plain csv is left raw. Both ways of adding a
    /// row (values, and a statement's row read in place) say the same.
    @Test func spreadsheetSafeCSVNeutralisesTextThatWouldRunNotNumbers() throws {
        let columns = ["name", "note", "n", "r", "typed", "change_pct", "wait_seconds"]
        let rows: [[SQLValue]] = [
            [.text(FormulaCells.contactName), .text("@SUM(1+1)"), .integer(-5), .real(-2.5), .text("-5"), .real(-0.1), .real(-2.5)],
            [.text("plain, text"), .text("+1+1"), .integer(5), .null, .text("=1+1"), .integer(-7), .integer(-3)],
            [.text("\ttab"), .text("\rcr"), .integer(0), .real(1), .text("-"), .null, .null],
            [.text("a=b"), .text(" =1+1"), .integer(1), .real(0.5), .text(""), .null, .null],
        ]
        let safe = """
            name,note,n,r,typed,change_pct,wait_seconds
            "'=HYPERLINK(""http://x"",""x"")",'@SUM(1+1),-5,-2.5,'-5,-0.10,-3
            "plain, text",'+1+1,5,,'=1+1,-7.00,-3
            '\ttab,"'\rcr",0,1,'-,,
            a=b, =1+1,1,0.5,,,

            """
        let raw = """
            name,note,n,r,typed,change_pct,wait_seconds
            "=HYPERLINK(""http://x"",""x"")",@SUM(1+1),-5,-2.5,-5,-0.10,-3
            "plain, text",+1+1,5,,=1+1,-7.00,-3
            \ttab,"\rcr",0,1,-,,
            a=b, =1+1,1,0.5,,,

            """
        let table = ResultTable(columns: columns, rows: rows)
        #expect(ResultFormatter(format: .csv, spreadsheetSafe: true).render(table) == safe)
        #expect(ResultFormatter(format: .csv).render(table) == raw)
        #expect(FormulaCells.runnable(safe).isEmpty)
        #expect(FormulaCells.runnable(raw).count == 7)

        // The same rows from SQLite, read in place (`ResultStream.add(_: ResultRow)`).
        let dir = try TempDir()
        let db = try dir.warehouse().db
        try db.execute("CREATE TEMP TABLE t(name, note, n, r, typed, change_pct, wait_seconds)")
        for row in rows { try db.execute("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", row) }
        for (spreadsheetSafe, expected) in [(true, safe), (false, raw)] {
            var out = ""
            let statement = try db.prepare("SELECT * FROM t")
            let stream = ResultStream(ResultFormatter(format: .csv, spreadsheetSafe: spreadsheetSafe), columns: statement.columnNames) { out += $0 }
            try statement.forEachResultRow { stream.add($0) }
            stream.finish()
            #expect(out == expected, "spreadsheetSafe: \(spreadsheetSafe)")
        }
        // A header that starts as a formula is a cell too; other formats are left as they are.
        #expect(ResultFormatter(format: .csv, spreadsheetSafe: true).render(ResultTable(columns: ["=x", "y"], rows: [])) == "'=x,y\n")
        #expect(ResultFormatter(format: .json, spreadsheetSafe: true).render(table) == ResultFormatter(format: .json).render(table))
    }

    @Test func integersAreWrittenAsTheirDecimalDigits() {
        for value: Int64 in [0, 7, -7, 10, 1_735_708_266_403_210_135, .max, .min] {
            var out: [UInt8] = [UInt8(ascii: "x")]
            ResultFormatter.appendDecimal(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "x\(value)")
        }
    }

    @Test func aStreamedTableCountsAndAlignsByEveryRowNotOnlyThoseShown() {
        // 45 rows, more than a table shows; the seconds column numbers, but for a text late on.
        var rows: [[SQLValue]] = (0..<45).map { i in [.text("客户 \(i)"), .integer(Int64(i * 61))] }
        func printed(_ rows: [[SQLValue]]) -> String {
            var out: [String] = []
            let stream = ResultStream(ResultFormatter(format: .table), columns: ["name", "resolution_seconds"]) { out.append($0) }
            rows.forEach(stream.add)
            stream.finish()
            return out.joined()
        }
        #expect(printed(rows).hasSuffix("45 rows; the first 40 shown, 5 left out (use --format csv or json for all).\n"))
        #expect(printed(rows).contains(" 1m 01s │"))   // numbers: aligned right
        rows[44][1] = .text("n/a")                      // not shown, but the column is no longer all numbers
        #expect(printed(rows).contains("│ 1m 01s "))   // aligned left
    }

    @Test func aLongStreamedResultComesInPiecesThatMakeTheWhole() {
        let text = String(repeating: "x", count: 40)
        var pieces: [String] = []
        let stream = ResultStream(ResultFormatter(format: .csv), columns: ["t", "n"]) { pieces.append($0) }
        for n in 0..<3000 { stream.add([.text(text), .integer(Int64(n))]) }
        stream.finish()
        #expect(pieces.count > 1)
        #expect(pieces.joined() == "t,n\n" + (0..<3000).map { "\(text),\($0)\n" }.joined())
        var empty = ""
        let json = ResultStream(ResultFormatter(format: .json), columns: ["a"]) { empty += $0 }
        json.finish()
        #expect(empty == "[]\n")
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
