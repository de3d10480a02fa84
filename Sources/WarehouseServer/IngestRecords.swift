import Foundation
import WarehouseCore

/// A JSON body of `POST /ingest/{kind}` as records of named fields: one object
/// or an array of objects keyed by the kind's export column names (matched as
/// headers are), values in the export's formats.
///
/// - A string is the value; one that is a workflow variable respond.io left
///   unreplaced (`$contact.id`: `$`, then a dotted name) is blank, as is null.
/// - A number is taken as its digits while it is exact: an integer of at most
///   2^53 (`12` or `12.0` is `12`). A larger integer has already lost digits on
///   its way (JavaScript and most JSON libraries hold numbers as doubles): the
///   record is rejected, never stored rounded. In an ID column only an integer
///   is accepted; elsewhere another number is passed on as written, for the
///   column's own parsing to judge.
/// - true and false are the words; an object or array (a message's `Content`)
///   is its JSON text.
/// - An item of the array that is not an object is rejected with its index.
struct IngestRecords {
    var records: [[(name: String, value: String)]] = []
    /// Rejects known before loading, by index.
    var problems: [Int: String] = [:]

    /// 2^53: the largest integer below which every integer is exact as a double.
    static let exactLimit = "9007199254740992"

    init(_ body: JSONValue, kind: ExportKind) {
        let items: [JSONValue]
        if case .array(let array) = body { items = array } else { items = [body] }
        let identifiers = Self.identifiers[kind] ?? kind.identifierColumns
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item else {
                problems[index] = "item \(index) is \(item.kindName), not an object of column names and values"
                records.append([])
                continue
            }
            // A key left out is rejected by the loader ("missing key …"), as a blank one is.
            var record: [(name: String, value: String)] = []
            for (name, value) in members {
                let normalised = Header.normalise(name)
                switch Self.text(value, isIdentifier: identifiers.contains(normalised)) {
                case .success(let text): record.append((name, text))
                case .failure(let problem):
                    if problems[index] == nil { problems[index] = "\(name): \(problem.reason)" }
                    record.append((name, ""))
                }
            }
            records.append(record)
        }
    }

    /// Each kind's ID columns, worked out once.
    static let identifiers: [ExportKind: Set<String>] = Dictionary(uniqueKeysWithValues: ExportKind.allCases.map {
        ($0, $0.identifierColumns)
    })

    struct Problem: Error { let reason: String }

    static func text(_ value: JSONValue, isIdentifier: Bool) -> Result<String, Problem> {
        switch value {
        case .string(let s): return .success(isUnreplacedVariable(s) ? "" : s)
        case .null: return .success("")
        case .bool(let b): return .success(b ? "true" : "false")
        case .object, .array: return .success(value.text)
        case .number(let literal):
            if let digits = exactInteger(literal) { return .success(digits) }
            if isInteger(literal) {
                return .failure(Problem(reason: "the number \(literal) is too large to be exact in JSON (above 2^53 = \(exactLimit)): its last digits are lost before it arrives; send it as a string (\"\(literal)\" as the export writes it)"))
            }
            if isIdentifier { return .failure(Problem(reason: "the number \(literal) is not an ID; send the ID as a string")) }
            return .success(literal)
        }
    }

    /// `$contact.id`, `$conversation.closed_by.name`: a `$`, a name, then one or more `.name`.
    static func isUnreplacedVariable(_ s: String) -> Bool {
        // Most values are not: a look at the first byte that is not a space
        // settles them (this was a tenth of the server's time on batches of 100).
        guard s.utf8.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "$") else { return false }
        let t = s.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("$") else { return false }
        let parts = t.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, let first = parts.first?.first, first.isLetter || first == "_" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" }
        }
    }

    /// Whether a number literal is an integer (`-12`, `12.0`, no exponent).
    static func isInteger(_ literal: String) -> Bool {
        var body = Substring(literal)
        if body.hasPrefix("-") { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else { return false }
        return parts.count == 1 || (parts.count == 2 && !parts[1].isEmpty && parts[1].allSatisfy { $0 == "0" })
    }

    /// The digits of an integer literal of magnitude at most 2^53; nil otherwise.
    static func exactInteger(_ literal: String) -> String? {
        guard isInteger(literal) else { return nil }
        let negative = literal.hasPrefix("-")
        var whole = String((negative ? literal.dropFirst() : Substring(literal)).prefix { $0 != "." })
        while whole.count > 1, whole.hasPrefix("0") { whole.removeFirst() }
        let fits = whole.count < exactLimit.count || (whole.count == exactLimit.count && whole <= exactLimit)
        guard fits else { return nil }
        return negative && whole != "0" ? "-" + whole : whole
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
}
