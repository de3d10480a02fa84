import Testing
@testable import WarehouseCore

@Suite struct CSVReaderTests {
    @Test(arguments: Separator.all)
    func plainRecords(_ separator: Separator) throws {
        let r = try records(separator.written("a,b,c\n1,2,3\n"), separator: separator.byte)
        #expect(r.map(\.1) == [["a", "b", "c"], ["1", "2", "3"]])
        #expect(r.map(\.0) == [1, 2])
    }

    @Test(arguments: Separator.all)
    func quotedCommasQuotesAndNewlines(_ separator: Separator) throws {
        let r = try records(separator.written("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"line one\nline two\"\n4,x\n"), separator: separator.byte)
        #expect(r.map(\.1) == [["id", "text"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "line one\nline two"], ["4", "x"]])
        // A record's line is the physical line where it starts.
        #expect(r.map(\.0) == [1, 2, 3, 4, 6])
    }

    @Test(arguments: Separator.all)
    func crlfAndBOM(_ separator: Separator) throws {
        let r = try records(separator.written("\u{FEFF}a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n"), separator: separator.byte)
        #expect(r.map(\.1) == [["a", "b"], ["1", "x\r\ny"], ["2", "z"]])
        #expect(r.map(\.0) == [1, 2, 4])
    }

    @Test(arguments: Separator.all)
    func emptyLinesAreNotRecordsButCountAsLines(_ separator: Separator) throws {
        let r = try records(separator.written("a\n\n1\r\n\r\n2\n"), separator: separator.byte)
        #expect(r.map(\.1) == [["a"], ["1"], ["2"]])
        #expect(r.map(\.0) == [1, 3, 5])
    }

    @Test(arguments: Separator.all)
    func trailingCommaAndNoFinalNewline(_ separator: Separator) throws {
        let r = try records(separator.written("a,b,\n1,,"), separator: separator.byte)
        #expect(r.map(\.1) == [["a", "b", ""], ["1", "", ""]])
    }

    @Test(arguments: Separator.all)
    func emojiAndCJKSurvive(_ separator: Separator) throws {
        let r = try records(separator.written("t\n\"😊 客户询问发票，已发送。\"\n"), separator: separator.byte)
        #expect(r[1].1 == ["😊 客户询问发票，已发送。"])
    }

    @Test(arguments: Separator.all)
    func unterminatedQuoteAtEndIsFlagged(_ separator: Separator) throws {
        try withReader(separator.written("a,b\n1,\"open\n2,x\n"), separator: separator.byte) { (r: CSVReader) throws in
            #expect(try r.next())
            #expect(r.malformation == nil)
            #expect(try r.next())
            #expect(r.line == 2)
            #expect(r.malformation != nil)
            #expect(try !r.next())
        }
    }

    @Test(arguments: Separator.all)
    func recordsLargerThanTheBufferAreReadWhole(_ separator: Separator) throws {
        let long = String(repeating: "x", count: 5_000)
        let text = "a,b\n1,\"\(long)\nmore, \"\"quoted\"\"\"\n2,y\n"
        let small = try records(separator.written(text), bufferSize: 16, separator: separator.byte)
        let big = try records(separator.written(text), separator: separator.byte)
        #expect(small.map(\.1) == big.map(\.1))
        #expect(small.map(\.0) == big.map(\.0))
        #expect(small[1].1[1] == long + "\nmore, \"quoted\"")
    }

    @Test(arguments: Separator.all)
    func everyBufferSizeGivesTheSameRecords(_ separator: Separator) throws {
        let text = "\u{FEFF}h1,h2\r\n\"a,\"\"b\"\"\",c\r\n\r\n\"multi\r\nline\",😊\r\nlast,row"
        let expected = try records(separator.written(text), separator: separator.byte)
        for size in [16, 17, 19, 23, 31, 64] {
            let got = try records(separator.written(text), bufferSize: size, separator: separator.byte)
            #expect(got.map(\.1) == expected.map(\.1), "buffer \(size)")
            #expect(got.map(\.0) == expected.map(\.0), "buffer \(size)")
        }
    }

    /// A field that is not UTF-8 is read as Windows-1252 (TextEncodingTests has more).
    @Test func textThatIsNotUTF8IsReadAsWindows1252WithItsLine() throws {
        let dir = try TempDir()
        // "café" in Latin-1 on line 3.
        let reader = try CSVReader(path: try dir.write("latin1.csv", bytes: Array("a,b\n1,ok 😊\n2,caf".utf8) + [0xE9, 0x0A]))
        var got: [[String]] = []
        while try reader.next() { got.append(reader.strings) }
        #expect(got == [["a", "b"], ["1", "ok 😊"], ["2", "café"]])
        #expect(reader.fieldsReadAsWindows1252 == 1 && reader.firstLineReadAsWindows1252 == 3)
    }

    @Test(arguments: [(";", UInt8(ascii: ";")), ("\t", UInt8(ascii: "\t"))])
    func otherSeparatorsWithTheOthersQuoted(_ separator: String, _ byte: UInt8) throws {
        let text = ["id", "text", "more"].joined(separator: separator) + "\r\n"
            + ["1", "\"a, b; c\td\"", "x"].joined(separator: separator) + "\r\n"
            + ["2", "plain, with a comma", "\"two\nlines\""].joined(separator: separator) + "\r\n"
            + ["3", "", ""].joined(separator: separator) + "\r\n"
        #expect(CSVReader.separator(inHeaderOf: Array(text.utf8)) == byte)
        for size in [16, 17, 1 << 20] {
            var got: [(Int, [String])] = []
            try withReader(text, bufferSize: size) { r in
                r.separator = byte
                while try r.next() { got.append((r.line, r.strings)) }
            }
            #expect(got.map(\.1) == [["id", "text", "more"], ["1", "a, b; c\td", "x"], ["2", "plain, with a comma", "two\nlines"], ["3", "", ""]])
            #expect(got.map(\.0) == [1, 2, 3, 5])
        }
    }

    @Test func theSeparatorIsTheMostFrequentOutsideQuotesInTheHeaderLine() {
        func separator(_ text: String) -> Character { Character(Unicode.Scalar(CSVReader.separator(inHeaderOf: Array(text.utf8)))) }
        #expect(separator("a,b,c\n1;2;3;4;5") == ",")
        #expect(separator("\"a,b,c\";d;e\n") == ";")
        #expect(separator("a\tb;c\td\n") == "\t")
        #expect(separator("a;b,c\n") == ",")           // a tie: the comma
        #expect(separator("single\n1\n") == ",")       // none: the comma
        #expect(separator("\"x\ny;z\";a\n") == ";")  // a quoted line break is not the end of the header
    }

    @Test func recordLongerThanTheLimitIsAnError() throws {
        let text = "a\n\"" + String(repeating: "x", count: 4_000)
        let dir = try TempDir()
        let reader = try CSVReader(path: try dir.write("f.csv", text), bufferSize: 64, maxRecordBytes: 1024)
        #expect(try reader.next())
        #expect(throws: CSVReader.Failure.self) { try reader.next() }
    }
}

/// The three separators, each with a reading loop of its own: the edge cases
/// run over all of them, the text written with commas and each comma outside
/// quotes turned into the separator.
struct Separator: CustomTestStringConvertible, Sendable {
    let byte: UInt8
    let testDescription: String

    static let all = [Separator(byte: UInt8(ascii: ","), testDescription: "comma"),
                      Separator(byte: UInt8(ascii: ";"), testDescription: "semicolon"),
                      Separator(byte: UInt8(ascii: "\t"), testDescription: "tab")]

    /// `text` (written with commas) with every comma outside quotes made this separator.
    func written(_ text: String) -> String {
        var quoted = false
        return String(String.UnicodeScalarView(text.unicodeScalars.map { c in
            if c == "\"" { quoted.toggle() }
            return c == "," && !quoted ? Unicode.Scalar(byte) : c
        }))
    }
}
