import Foundation
import Testing
@testable import WarehouseCore

/// The file's bytes as the reader sees them: UTF-16 and Windows-1252 turned into
/// UTF-8 as they stream in, and UTF-8 fields that are not UTF-8.
@Suite struct TextEncodingTests {
    /// Every record of `bytes` read as `encoding` with `separator`, as (line, fields).
    func decoded(_ bytes: [UInt8], as encoding: TextEncoding, separator: UInt8 = UInt8(ascii: ","), bufferSize: Int = 1 << 20) throws -> [(Int, [String])] {
        let dir = try TempDir()
        let reader = try CSVReader(path: try dir.write("f.csv", bytes: bytes), bufferSize: bufferSize)
        reader.decode(as: encoding)
        reader.separator = separator
        var out: [(Int, [String])] = []
        while try reader.next() { out.append((reader.line, reader.strings)) }
        return out
    }

    func utf16(_ text: String, bigEndian: Bool, bom: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for unit in text.utf16 {
            let (hi, lo) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
            bytes += bigEndian ? [hi, lo] : [lo, hi]
        }
        return bytes
    }

    static let text = "id\tnote\r\n1\t\"Zoë, café; 😊 客户询问发票\"\r\n2\t\"two\r\nlines 👍🏽\"\r\n\r\n3\t𝄞 Ünïcödé\r\n"
    static let expected: [(Int, [String])] = [
        (1, ["id", "note"]), (2, ["1", "Zoë, café; 😊 客户询问发票"]), (3, ["2", "two\r\nlines 👍🏽"]), (6, ["3", "𝄞 Ünïcödé"]),
    ]

    /// Surrogate pairs and code units cut by the end of every read (the reader's
    /// buffer sets the decoder's chunk), odd sizes included.
    @Test(arguments: [false, true])
    func utf16WithEveryChunkSize(bigEndian: Bool) throws {
        let bytes = utf16(Self.text, bigEndian: bigEndian)
        for size in [16, 17, 18, 19, 21, 22, 23, 31, 64, 1 << 20] {
            let got = try decoded(bytes, as: bigEndian ? .utf16BE : .utf16LE, separator: UInt8(ascii: "\t"), bufferSize: size)
            #expect(got.map(\.0) == Self.expected.map(\.0), "chunk \(size)")
            #expect(got.map(\.1) == Self.expected.map(\.1), "chunk \(size)")
        }
    }

    @Test func aLoneSurrogateOrAnOddLastByteIsTheReplacementCharacter() throws {
        var bytes = utf16("a\nx", bigEndian: false)
        bytes += [0x3D, 0xD8]                  // a high surrogate with no low one
        bytes += utf16("y\nz", bigEndian: false, bom: false) + [0x41]  // and half a code unit
        let got = try decoded(bytes, as: .utf16LE)
        #expect(got.map(\.1) == [["a"], ["x\u{FFFD}y"], ["z\u{FFFD}"]])
    }

    @Test func windows1252EveryByte() throws {
        // é € ’ and the whole 0x80–0x9F range, in one field.
        let high: [UInt8] = Array(0x80...0x9F)
        let bytes = Array("a,b\n1,caf".utf8) + [0xE9, 0x20, 0x80, 0x20, 0x92, 0x20] + high + Array("\n2,M".utf8) + [0xFC] + Array("ller\n".utf8)
        for size in [16, 17, 1 << 20] {
            let got = try decoded(bytes, as: .windows1252, bufferSize: size)
            #expect(got.map(\.0) == [1, 2, 3])
            #expect(got[1].1[1] == "café € ’ €\u{81}‚ƒ„…†‡ˆ‰Š‹Œ\u{8D}Ž\u{8F}\u{90}‘’“”•–—˜™š›œ\u{9D}žŸ")
            #expect(got[2].1 == ["2", "Müller"])
        }
    }

    @Test func theEncodingIsSniffedFromTheFirstBytes() {
        #expect(TextEncoding.sniff([0xFF, 0xFE, 0x61, 0x00], complete: true) == .utf16LE)
        #expect(TextEncoding.sniff([0xFE, 0xFF, 0x00, 0x61], complete: true) == .utf16BE)
        #expect(TextEncoding.sniff(Array("id,name\n1,plain".utf8), complete: true) == .utf8)
        #expect(TextEncoding.sniff(Array("id,name\n1,José 😊".utf8), complete: true) == .utf8)
        // Windows-1252: an accent is one byte that is not UTF-8.
        #expect(TextEncoding.sniff(Array("id,name\n1,Jos".utf8) + [0xE9, 0x0A], complete: true) == .windows1252)
        // UTF-8 with many characters and one damaged byte stays UTF-8.
        #expect(TextEncoding.sniff(Array("id,name\n1,José, Zoë, 😊\n2,".utf8) + [0xE9], complete: true) == .utf8)
        // A UTF-8 byte-order mark decides, whatever follows.
        #expect(TextEncoding.sniff([0xEF, 0xBB, 0xBF] + Array("a\n".utf8) + [0xE9, 0x0A], complete: true) == .utf8)
        // A character cut by the end of the look is not a bad one; at the end of the file it is.
        let cut = Array("id\n".utf8) + [0xE2, 0x82]   // the first two bytes of €
        #expect(TextEncoding.sniff(cut, complete: false) == .utf8)
        #expect(TextEncoding.sniff(cut, complete: true) == .windows1252)
    }

    /// A UTF-8 file whose first mebibyte is UTF-8 and which has a byte that is
    /// not UTF-8 later: that field alone is read as Windows-1252, and counted.
    @Test func aFieldThatIsNotUTF8IsReadAsWindows1252AndCounted() throws {
        let dir = try TempDir()
        let bytes = Array("a,b,c\n1,ok 😊,x\n2,caf".utf8) + [0xE9] + Array(",😊 fine\n3,\"M".utf8) + [0xFC] + Array("ller\nline\",".utf8) + [0x92] + Array("\n".utf8)
        let reader = try CSVReader(path: try dir.write("late.csv", bytes: bytes))
        var got: [(Int, [String])] = []
        while try reader.next() { got.append((reader.line, reader.strings)) }
        #expect(got.map(\.0) == [1, 2, 3, 4])
        #expect(got.map(\.1) == [["a", "b", "c"], ["1", "ok 😊", "x"], ["2", "café", "😊 fine"], ["3", "Müller\nline", "’"]])
        #expect(reader.fieldsReadAsWindows1252 == 3)
        #expect(reader.firstLineReadAsWindows1252 == 3)
    }
}
