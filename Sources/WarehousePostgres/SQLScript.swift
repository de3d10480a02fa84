import Foundation

/// A script of several statements cut at its top-level semicolons. postgres-nio
/// speaks only the extended query protocol, which takes one statement at a time,
/// so `execute` runs a script statement by statement (and an error names the one
/// that failed, as SQLite's tail pointer lets the SQLite wrapper do).
///
/// A semicolon does not end a statement inside a quoted literal (`'…'`, with `''`
/// inside; `E'…'` with backslash escapes), a quoted identifier (`"…"`), a
/// dollar-quoted body (`$$…$$`, `$fn$…$fn$`: functions), a line comment (`--`) or a
/// block comment (`/* … */`, nested as PostgreSQL nests them). Statements that are
/// only blanks and comments are left out.
enum SQLScript {
    static func statements(_ script: String) -> [String] {
        let bytes = Array(script.utf8)
        var statements: [String] = []
        var start = 0
        var hasCode = false
        var i = 0

        func finish(_ end: Int) {
            if hasCode, let text = String(bytes: bytes[start..<end], encoding: .utf8) {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { statements.append(trimmed) }
            }
            hasCode = false
        }

        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "-") where next(bytes, i) == UInt8(ascii: "-"):
                while i < bytes.count && bytes[i] != 10 { i += 1 }
                continue
            case UInt8(ascii: "/") where next(bytes, i) == UInt8(ascii: "*"):
                var depth = 0
                while i < bytes.count {
                    if bytes[i] == UInt8(ascii: "/") && next(bytes, i) == UInt8(ascii: "*") {
                        depth += 1; i += 2
                    } else if bytes[i] == UInt8(ascii: "*") && next(bytes, i) == UInt8(ascii: "/") {
                        depth -= 1; i += 2
                        if depth == 0 { break }
                    } else {
                        i += 1
                    }
                }
                continue
            case UInt8(ascii: "'"):
                let escapes = i > 0 && (bytes[i - 1] == UInt8(ascii: "E") || bytes[i - 1] == UInt8(ascii: "e"))
                    && (i < 2 || !isIdentifier(bytes[i - 2]))
                i = skipQuoted(bytes, from: i, quote: UInt8(ascii: "'"), backslashEscapes: escapes)
                hasCode = true
                continue
            case UInt8(ascii: "\""):
                i = skipQuoted(bytes, from: i, quote: UInt8(ascii: "\""), backslashEscapes: false)
                hasCode = true
                continue
            case UInt8(ascii: "$") where i == 0 || !isIdentifier(bytes[i - 1]):
                if let tagEnd = dollarTag(bytes, from: i) {
                    let tag = bytes[i...tagEnd]
                    var j = tagEnd + 1
                    while j < bytes.count {
                        if bytes[j] == UInt8(ascii: "$"), j + tag.count <= bytes.count, bytes[j..<(j + tag.count)].elementsEqual(tag) {
                            j += tag.count
                            break
                        }
                        j += 1
                    }
                    i = min(j, bytes.count)
                    hasCode = true
                    continue
                }
            case UInt8(ascii: ";"):
                finish(i)
                start = i + 1
                i += 1
                continue
            default:
                break
            }
            if !isSpace(byte) { hasCode = true }
            i += 1
        }
        finish(bytes.count)
        return statements
    }

    private static func next(_ bytes: [UInt8], _ i: Int) -> UInt8? {
        i + 1 < bytes.count ? bytes[i + 1] : nil
    }

    /// The index after a quoted run starting at `from` (its opening quote); a doubled
    /// quote stays inside, as does a backslash-escaped character in an `E'…'` string.
    private static func skipQuoted(_ bytes: [UInt8], from: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var i = from + 1
        while i < bytes.count {
            if backslashEscapes && bytes[i] == UInt8(ascii: "\\") {
                i += 2
            } else if bytes[i] == quote {
                if next(bytes, i) == quote { i += 2 } else { return i + 1 }
            } else {
                i += 1
            }
        }
        return bytes.count
    }

    /// The index of the closing `$` of a dollar-quote tag starting at `from` (`$$`,
    /// `$tag$`), or nil when what starts there is no tag (`$1`, a parameter).
    private static func dollarTag(_ bytes: [UInt8], from: Int) -> Int? {
        var j = from + 1
        while j < bytes.count {
            let byte = bytes[j]
            if byte == UInt8(ascii: "$") { return j }
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isIdentifier(byte), !(digit && j == from + 1) else { return nil }
            j += 1
        }
        return nil
    }

    private static func isIdentifier(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12
    }
}
