import Foundation

/// Extracts the readable text of a message's `Content`.
///
/// Content is usually JSON: `{"type":"text","text":"…"}`, or an attachment
/// `{"type":"attachment","attachment":{"type":"image","url":"…","fileName":"…"}}`.
/// The text is the `text` member; for an attachment without text it is
/// `[image: fileName]` (or the URL when there is no file name). Content that is
/// not a JSON object is plain text and is its own text.
public enum MessageContent {
    /// The common `{"type":"text","text":"…"}` with no escapes in the text is
    /// read straight from the bytes; anything else goes through the JSON reader.
    public static func text(of bytes: UnsafeBufferPointer<UInt8>) -> String? {
        // Compared as bytes (memcmp, memchr): as a generic sequence of a String's UTF-8,
        // the prefix's test took 2 % of the loader's instructions for the benchmark's messages.
        let count = bytes.count
        if let base = bytes.baseAddress, count >= textPrefix.count + 2,
           memcmp(base, textPrefix, textPrefix.count) == 0,
           base[count - 2] == UInt8(ascii: "\""), base[count - 1] == UInt8(ascii: "}") {
            let inner = UnsafeBufferPointer(start: base + textPrefix.count, count: count - textPrefix.count - 2)
            if inner.isEmpty || (memchr(inner.baseAddress!, Int32(UInt8(ascii: "\\")), inner.count) == nil
                                 && memchr(inner.baseAddress!, Int32(UInt8(ascii: "\"")), inner.count) == nil) {
                return String(decoding: inner, as: UTF8.self)
            }
        }
        return text(of: String(decoding: bytes, as: UTF8.self))
    }

    private static let textPrefix = Array(#"{"type":"text","text":""#.utf8)

    public static func text(of raw: String) -> String? {
        guard raw.utf8.first == UInt8(ascii: "{") || raw.utf8.first == UInt8(ascii: " ") else {
            return raw.isEmpty ? nil : raw
        }
        var parser = JSONScanner(Array(raw.utf8))
        guard case .object(let members)? = parser.parseDocument() else { return raw }
        func member(_ name: String, in members: [(String, JSONScanner.Value)]) -> JSONScanner.Value? {
            members.first { $0.0 == name }?.1
        }
        if case .string(let text)? = member("text", in: members) { return text }
        if case .object(let attachment)? = member("attachment", in: members) {
            var kind = "attachment"
            if case .string(let t)? = member("type", in: attachment) { kind = t }
            for key in ["fileName", "filename", "name", "url"] {
                if case .string(let label)? = member(key, in: attachment) { return "[\(kind): \(label)]" }
            }
            return "[\(kind)]"
        }
        if case .string(let caption)? = member("caption", in: members) { return caption }
        return nil
    }
}

/// A small JSON reader: enough to pull strings out of message content.
struct JSONScanner {
    indirect enum Value {
        case string(String)
        case object([(String, Value)])
        case array([Value])
        case other
    }

    private let bytes: [UInt8]
    private var i = 0
    private var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() -> Value? {
        guard let value = parseValue() else { return nil }
        skipSpace()
        return i == bytes.count ? value : nil
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func parseValue() -> Value? {
        skipSpace()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            i += 1
            var members: [(String, Value)] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard let key = parseString() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let value = parseValue() else { return nil }
                members.append((key, value))
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                return nil
            }
        case UInt8(ascii: "["):
            depth += 1
            defer { depth -= 1 }
            guard depth < 64 else { return nil }
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let value = parseValue() else { return nil }
                items.append(value)
                skipSpace()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                return nil
            }
        case UInt8(ascii: "\""):
            return parseString().map(Value.string)
        default:
            // Numbers, true, false, null: skip the literal.
            let startIndex = i
            while i < bytes.count, !",}] \n\r\t".utf8.contains(bytes[i]) { i += 1 }
            return i > startIndex ? .other : nil
        }
    }

    private mutating func parseString() -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if b == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count else { return nil }
                let e = bytes[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4() else { return nil }
                    if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count,
                       bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: out.append(e)  // \" \\ \/
                }
                continue
            }
            out.append(b)
            i += 1
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: return nil
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }
}
