import Testing
import TestSupport
@testable import WarehouseCore

/// The rows `CopyText` writes for PostgreSQL's `COPY … FROM STDIN` (text format).
@Suite struct CopyTextTests {
    /// The escapes, a byte at a time: what the eight-bytes-at-a-time test must agree with.
    static func escaped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.flatMap { byte -> [UInt8] in
            switch byte {
            case UInt8(ascii: "\\"): Array("\\\\".utf8)
            case UInt8(ascii: "\t"): Array("\\t".utf8)
            case UInt8(ascii: "\n"): Array("\\n".utf8)
            case UInt8(ascii: "\r"): Array("\\r".utf8)
            default: [byte]
            }
        }
    }

    @Test func valuesRowsAndNulls() {
        var text = CopyText(capacity: 1)
        text.int(-9_223_372_036_854_775_808); text.int(0); text.int(nil); text.text("a\tb\\c\nd\re"); text.text(nil as String?)
        text.endRow()
        text.int(42); text.value(.real(1.5)); text.value(.blob([0xAB, 0x01])); text.endRow()
        #expect(String(decoding: text.take(), as: UTF8.self)
                == "-9223372036854775808\t0\t\\N\ta\\tb\\\\c\\nd\\re\t\\N\n42\t1.5\t\\\\xab01\n")
        let empty = text.isEmpty
        #expect(empty)
    }

    @Test func anyBytesAreEscapedAsOneByOne() {
        // Lengths around the eight-byte words, each special byte at every position, and
        // bytes of UTF-8 beyond ASCII (above 0x7F), which are never escaped.
        var random = SeededRandom(seed: 7)
        let alphabet: [UInt8] = [0x41, 0x7A, 0x20, 0x7F, 0x80, 0xC3, 0xA9, 0xFF, 0x01, 0x1F, 0x5C, 0x09, 0x0A, 0x0D, 0x5B, 0x5D]
        for length in 0...40 {
            for _ in 0..<50 {
                let bytes = (0..<length).map { _ in random.next() % 3 == 0 ? alphabet.randomElement(using: &random)! : UInt8(ascii: "x") }
                var text = CopyText()
                bytes.withUnsafeBufferPointer { text.text($0) }
                #expect(text.take() == Self.escaped(bytes), "\(bytes)")
            }
        }
    }
}
