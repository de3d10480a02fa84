import Crypto
import Foundation
import Testing
@testable import WarehouseCore

// SPEC 1, "Exports after a spreadsheet": the separator and the encoding a
// spreadsheet saves with. Each file loads as its UTF-8, comma-separated
// original would; the summary says how it was read; rejects keep their lines.

private let messagesHeader = ["Date & Time", "Sender ID", "Sender Type", "Contact ID", "Message ID", "Content Type", "Message Type", "Content", "Channel ID", "Type", "Sub Type"]

/// A messages export as a spreadsheet writes it with `separator`: a field is
/// quoted when it holds the separator, a quote or a line break.
private func messagesFile(_ rows: [[String]], separator: String, lineEnd: String = "\r\n") -> String {
    ([messagesHeader] + rows).map { row in
        row.map { field in
            field.contains(separator) || field.contains("\"") || field.contains("\n")
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: separator)
    }.joined(separator: lineEnd) + lineEnd
}

private func message(_ id: String, _ time: String, _ text: String) -> [String] {
    [time, "c1", "contact", "c1", id, "text", "message", "{\"type\":\"text\",\"text\":\"\(text.replacingOccurrences(of: "\n", with: "\\n"))\"}", "ch1", "incoming", "text"]
}

/// Line 2: commas, semicolons and a tab inside quotes; line 3: two lines; line 5: a bad time; line 6: too few fields.
private let rows: [[String]] = [
    message("m1", "2025-03-03 09:00:00", "a, b; c\td"),
    message("m2", "2025-03-03 09:01:00", "two\nlines, é € ’ 😊 客户"),
    message("m3", "2025-03-03 09:02:00", "Zoë"),
    message("m4", "2025-03-03 25:00:00", "bad time"),
    ["2025-03-03 09:04:00", "c1", "contact", "c1", "m5"],
    message("m6", "2025-03-03 09:05:00", "last"),
]

private let expectedTexts = ["m1": "a, b; c\td", "m2": "two\nlines, é € ’ 😊 客户", "m3": "Zoë", "m6": "last"]

private func utf16Bytes(_ text: String, bigEndian: Bool) -> [UInt8] {
    var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
    for unit in text.utf16 { bytes += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    return bytes
}

@Suite struct SpreadsheetTextTests {
    /// Loads `bytes` as `name` into a fresh warehouse; checks what every form must give.
    func load(_ store: StoreKind, _ name: String, _ bytes: [UInt8], texts: [String: String] = expectedTexts,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> LoadSummary {
        let dir = try TempDir()
        let path = try dir.write(name, bytes: bytes)
        let warehouse = try dir.warehouse(store)
        let s = try warehouse.loader().load(path: path)
        #expect(s.error == nil, "\(s.error ?? "")", sourceLocation: sourceLocation)
        #expect(s.rowsRead == 6 && s.inserted == 4, "\(s)", sourceLocation: sourceLocation)
        #expect(s.rejects.map(\.line) == [5, 6], sourceLocation: sourceLocation)
        #expect(s.rejects.first?.reason.contains("bad timestamp") == true, sourceLocation: sourceLocation)
        #expect(s.rejects.last?.reason.contains("wrong number of fields: 5") == true, sourceLocation: sourceLocation)
        let stored = try warehouse.db.rows("SELECT message_id, content_text FROM fact_message")
        #expect(Dictionary(uniqueKeysWithValues: stored.map { ($0[0].description, $0[1].description) }) == texts, sourceLocation: sourceLocation)
        // The load log keeps the digest of the file's own bytes, however it was read.
        let digest = SHA256.hash(data: Data(bytes)).map { String(format: "%02x", $0) }.joined()
        #expect(try warehouse.db.text("SELECT sha256 FROM load_log") == digest, sourceLocation: sourceLocation)
        return s
    }

    @Test(arguments: StoreKind.all) func semicolons(_ store: StoreKind) throws {
        let s = try load(store, "semicolon.csv", Array(("\u{FEFF}" + messagesFile(rows, separator: ";")).utf8))
        #expect(s.separator == "`;`" && s.encoding == nil)
        #expect(s.notes == ["fields separated by `;`"])
    }

    @Test(arguments: StoreKind.all) func tabs(_ store: StoreKind) throws {
        let s = try load(store, "tab.csv", Array(messagesFile(rows, separator: "\t", lineEnd: "\n").utf8))
        #expect(s.separator == "tab" && s.encoding == nil)
        #expect(s.notes == ["fields separated by tab"])
    }

    @Test(arguments: StoreKind.all) func aNativeFileSaysNothing(_ store: StoreKind) throws {
        let s = try load(store, "native.csv", Array(messagesFile(rows, separator: ",").utf8))
        #expect(s.separator == nil && s.encoding == nil && s.notes.isEmpty)
    }

    /// Excel's "Unicode Text": UTF-16LE with its byte-order mark, tab-separated; and UTF-16BE with commas.
    @Test(arguments: [(false, "\t"), (true, ",")])
    func utf16(bigEndian: Bool, separator: String) throws {
        let s = try load(.file, "utf16.csv", utf16Bytes(messagesFile(rows, separator: separator), bigEndian: bigEndian))
        #expect(s.encoding == (bigEndian ? "UTF-16BE" : "UTF-16LE"))
        #expect(s.notes.first == "read as \(bigEndian ? "UTF-16BE" : "UTF-16LE"), not UTF-8")
    }

    /// Excel's plain "CSV": Windows-1252, what it cannot hold already `?`.
    @Test(arguments: StoreKind.all) func windows1252(_ store: StoreKind) throws {
        let text = messagesFile(rows, separator: ",").replacingOccurrences(of: "😊 客户", with: "? ??")
        let bytes = try #require(text.data(using: .windowsCP1252))
        var texts = expectedTexts
        texts["m2"] = "two\nlines, é € ’ ? ??"
        let s = try load(store, "excel.csv", Array(bytes), texts: texts)
        #expect(s.encoding == "Windows-1252" && s.separator == nil)
        #expect(s.notes == ["read as Windows-1252, not UTF-8"])
    }

    @Test(arguments: StoreKind.all) func europeanExcelSemicolonsInWindows1252(_ store: StoreKind) throws {
        let text = messagesFile(rows, separator: ";").replacingOccurrences(of: "😊 客户", with: "? ??")
        var texts = expectedTexts
        texts["m2"] = "two\nlines, é € ’ ? ??"
        let s = try load(store, "excel_de.csv", Array(try #require(text.data(using: .windowsCP1252))), texts: texts)
        #expect(s.notes == ["read as Windows-1252, not UTF-8", "fields separated by `;`"])
    }

    /// A UTF-8 file whose first mebibyte is plain ASCII and that has a Windows-1252
    /// accent further on: that field is read as Windows-1252, the summary says so.
    @Test(arguments: StoreKind.all) func aByteThatIsNotUTF8AfterTheFirstMebibyte(_ store: StoreKind) throws {
        var filler: [[String]] = []
        var time = 0
        while filler.count * 120 < CSVFileSource.sniffBytes + 4096 {
            filler.append(message("f\(filler.count)", String(format: "2025-03-04 %02d:%02d:%02d", time / 3600, time / 60 % 60, time % 60), "plain ascii text"))
            time += 1
        }
        let text = messagesFile(filler + [message("late", "2025-03-05 10:00:00", "caf\u{E9}")], separator: ",")
        let bytes = try #require(text.data(using: .windowsCP1252))
        #expect(bytes.count > CSVFileSource.sniffBytes)
        let dir = try TempDir()
        let warehouse = try dir.warehouse(store)
        let s = try warehouse.loader().load(path: try dir.write("late.csv", bytes: Array(bytes)))
        #expect(s.error == nil && s.rejected == 0 && s.inserted == filler.count + 1)
        #expect(s.encoding == nil)
        #expect(s.notes == ["1 field not UTF-8 (the first on line \(filler.count + 2)), read as Windows-1252"])
        #expect(try warehouse.db.text("SELECT content_text FROM fact_message WHERE message_id = 'late'") == "café")
    }
}
