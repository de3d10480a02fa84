import Foundation

/// One shared piece of report SQL: a file of `Queries/fragments/` (built in) or of a
/// user report directory's `fragments/`, which reports include by name, as dbt's
/// models `ref` one another.
///
///     -- fragment: team_filter
///     -- description: --team: the conversation's Closed By Team is the team.
///     -- params: :team_key
///     -- stands: a term of a WHERE or ON clause's AND chain
///     -- alias: c, the fact_conversation row
///     (:team_key IS NULL OR c.closed_by_team_key = :team_key)
///
/// `fragment` (the file's name) and `description` are required; `params` and
/// `stands` document it; `alias` names the table alias its SQL qualifies columns
/// with, which an include may replace. The rest of the file is the SQL.
public struct ReportFragment: Sendable {
    public let name: String
    public let description: String
    /// The alias of the table the fragment reads (`-- alias: c`), or nil when it takes none.
    public let alias: String?
    /// Every header key and its value, for help text.
    public let header: [(key: String, value: String)]
    /// The fragment's SQL, as written (its includes not expanded).
    public let sql: String
    /// Where it is read from in messages: `fragments/NAME.sql` (built-in) or the file's path.
    public let source: String
    /// The file's line (1-based) that `sql` starts on.
    let firstLine: Int

    public func value(of key: String) -> String? { header.first { $0.key == key }?.value }

    /// Parses a fragment file. `expectedName` is the file name without `.sql`.
    public init(text: String, expectedName: String, source: String) throws {
        func fail(_ message: String) -> Report.HeaderError { Report.HeaderError(description: "\(source): \(message)") }
        var header: [(key: String, value: String)] = []
        var rest = Substring(text)
        var firstLine = 1  // of `rest`
        while !rest.isEmpty {
            let (line, next) = rest.splittingFirstLine()
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty { rest = next; firstLine += 1; continue }
            // The header is the leading comment, up to the first SQL or include.
            guard trimmed.hasPrefix("--"), Include.directive(in: trimmed.dropFirst(2)) == nil else { break }
            rest = next
            firstLine += 1
            let content = trimmed.dropFirst(2)
            let entry = content.trimmingWhitespace()
            if entry.isEmpty { continue }
            if content.hasPrefix("  "), let last = header.popLast() {
                header.append((last.key, last.value + " " + entry))
                continue
            }
            guard let colon = entry.firstIndex(of: ":") else { continue }
            header.append((entry[..<colon].trimmingWhitespace().lowercased(), entry[entry.index(after: colon)...].trimmingWhitespace()))
        }
        let value = { (key: String) in header.first { $0.key == key }?.value }
        guard let name = value("fragment"), !name.isEmpty else { throw fail("the header has no `-- fragment:` line") }
        guard name == expectedName else {
            throw fail("the header names the fragment '\(name)' but the file is \(expectedName).sql: they must match")
        }
        guard Include.isName(Substring(name)) else {
            throw fail("'\(name)' is not a fragment name: use letters, digits and _ , starting with a letter")
        }
        guard let description = value("description"), !description.isEmpty else { throw fail("the header has no `-- description:` line") }
        var alias: String?
        if let declared = value("alias") {
            let word = declared.prefix { !$0.isWhitespace && $0 != "," && $0 != "(" }
            guard Include.isName(word) else { throw fail("`-- alias:` starts with the alias its SQL uses, such as `c`, not '\(declared)'") }
            alias = String(word)
        }
        let sql = rest.withLineBreaksAsNewlines().trimmingWhitespace()
        guard !sql.isEmpty else { throw fail("there is no SQL after the header") }
        guard !sql.hasSuffix(";") else { throw fail("a fragment is part of a statement: it does not end with `;`") }

        self.name = name
        self.description = description
        self.alias = alias
        self.header = header
        self.sql = sql
        self.source = source
        // The header ends at the first line that is not blank or a comment: the SQL's first line.
        self.firstLine = firstLine
    }
}

/// The fragments a report can include: the built-in ones and, for a user's report,
/// those of its directory's `fragments/` folder. `expand` replaces each include
/// line comment of a report's text by the fragment's SQL (see Queries/README.md):
///
///     WHERE -- include: closed_in_period(c)
///       AND -- include: team_filter(c)
///
/// It runs when a report is read, before anything is prepared: the statement SQLite
/// sees is plain SQL, as if the fragments had been pasted in.
public struct ReportFragments: Sendable {
    /// The built-in fragments of `Queries/fragments/`, embedded in the binary.
    public static let builtIn: [String: ReportFragment] = {
        var fragments: [String: ReportFragment] = [:]
        for file in EmbeddedSQL.files where file.folder == "fragments" && file.name.hasSuffix(".sql") {
            // A built-in fragment that does not parse fails the test suite, never a user.
            do {
                let fragment = try ReportFragment(text: file.text, expectedName: String(file.name.dropLast(4)), source: "fragments/\(file.name)")
                fragments[fragment.name] = fragment
            } catch {
                preconditionFailure("\(error)")
            }
        }
        return fragments
    }()

    /// A fragment file of a user's directory: parsed, or why it could not be.
    enum Own: Sendable {
        case parsed(ReportFragment)
        case unreadable(String)
    }

    /// The directory's own fragments by name (none for the built-in reports).
    let own: [String: Own]
    /// The fragments expanded so far, by name and alias: the reports include the same ones many times.
    let expanded = Expanded()

    /// Only the built-in fragments: what the built-in reports include.
    public static let builtInOnly = ReportFragments(own: [:])

    init(own: [String: Own]) { self.own = own }

    /// Expanded fragments by `name(alias)`. A fragment's expansion depends only on the fragment and the
    /// alias given (one that went round in a circle, whatever included it, failed and is not kept).
    final class Expanded: @unchecked Sendable {
        private let lock = NSLock()
        private var texts: [String: String] = [:]

        func text(_ key: String, _ make: () throws -> String) rethrows -> String {
            if let text = lock.withLock({ texts[key] }) { return text }
            let text = try make()
            lock.withLock { texts[key] = text }
            return text
        }
    }

    /// The built-in fragments and the `.sql` files of `directory/fragments` (if any).
    public init(directory: URL) {
        let folder = directory.appendingPathComponent("fragments")
        var own: [String: Own] = [:]
        for file in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where file.hasSuffix(".sql") {
            let url = folder.appendingPathComponent(file)
            let name = String(file.dropLast(4))
            do {
                own[name] = .parsed(try ReportFragment(text: try String(contentsOf: url, encoding: .utf8), expectedName: name, source: url.path))
            } catch let error as Report.HeaderError {
                own[name] = .unreadable(error.description)
            } catch {
                own[name] = .unreadable("\(url.path): \(error.localizedDescription)")
            }
        }
        self.own = own
    }

    /// Every fragment name a report can include.
    public var names: [String] { Set(Self.builtIn.keys).union(own.keys).sorted() }

    /// The fragment named `name`; an error message when there is none, or more than one.
    func fragment(named name: String) -> Result<ReportFragment, FragmentError> {
        switch (own[name], Self.builtIn[name]) {
        case (.some(.parsed(let mine)), .some(let builtIn)):
            return .failure(FragmentError("\(mine.source) has the name of a built-in fragment (\(builtIn.source)): rename it"))
        case (.some(.parsed(let fragment)), nil), (nil, .some(let fragment)):
            return .success(fragment)
        case (.some(.unreadable(let problem)), _):
            return .failure(FragmentError(problem))
        case (nil, nil):
            return .failure(FragmentError("no fragment named '\(name)'." + Suggestions.didYouMean(name, names)
                                          + " The fragments are: \(names.joined(separator: ", "))."))
        }
    }

    struct FragmentError: Error { let message: String; init(_ message: String) { self.message = message } }

    /// `text` with every include expanded, fragments within fragments too. `file` names the
    /// text in errors, which give the line of the include (a missing fragment, a cycle, an
    /// alias given to a fragment that takes none).
    public func expand(_ text: String, file: String) throws -> String {
        do {
            return try expand(text, file: file, firstLine: 1, renaming: nil, within: [])
        } catch let error as FragmentError {
            throw Report.HeaderError(description: error.message)
        }
    }

    /// `text` (whose first line is line `firstLine` of `file`) expanded, with the alias
    /// `renaming.from` written `renaming.to`, inside the fragments `within` (outermost first).
    ///
    /// One pass over the bytes, as SQLite's tokenizer reads them as far as comments go (string
    /// literals, quoted identifiers and block comments are skipped); the text between two
    /// changes is copied in one piece. The built-in reports are read at every start, so this
    /// stays a small part of `warehouse sql "SELECT 1"`.
    func expand(_ text: String, file: String, firstLine: Int, renaming: (from: String, to: String)?, within: [String]) throws -> String {
        var text = text
        return try text.withUTF8 { s -> String in
            // Most SQL includes nothing and renames nothing: nothing to rewrite.
            if renaming == nil && !Self.mayInclude(s) { return String(decoding: s, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(s.count + s.count / 2)
            let from = renaming.map { Array($0.from.lowercased().utf8) } ?? []
            let n = s.count
            var i = 0
            var copied = 0  // s[copied..<i] is still to be copied
            func isNameByte(_ c: UInt8) -> Bool {
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c >= 0x80
            }
            func index(of byte: UInt8, from start: Int) -> Int {
                var j = start
                while j < n && s[j] != byte { j += 1 }
                return j
            }
            while i < n {
                let c = s[i]
                switch c {
                case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"):
                    // Quoted: ends at the next unpaired quote (a doubled quote stays inside).
                    var j = i + 1
                    while j < n {
                        if s[j] == c {
                            if j + 1 < n && s[j + 1] == c { j += 2; continue }
                            break
                        }
                        j += 1
                    }
                    i = min(j + 1, n)
                case UInt8(ascii: "["):
                    i = min(index(of: UInt8(ascii: "]"), from: i) + 1, n)
                case UInt8(ascii: "/") where i + 1 < n && s[i + 1] == UInt8(ascii: "*"):
                    var j = i + 2
                    while j + 1 < n && !(s[j] == UInt8(ascii: "*") && s[j + 1] == UInt8(ascii: "/")) { j += 1 }
                    i = min(j + 2, n)
                case UInt8(ascii: "-") where i + 1 < n && s[i + 1] == UInt8(ascii: "-"):
                    let end = index(of: 10, from: i)
                    guard Self.startsInclude(s, at: i + 2, end: end) else { i = end; continue }
                    let comment = String(decoding: UnsafeBufferPointer(rebasing: s[(i + 2)..<end]), as: UTF8.self)
                    let lineStart = (s[..<i].lastIndex(of: 10) ?? -1) + 1
                    let line = firstLine + s[..<i].reduce(0) { $1 == 10 ? $0 + 1 : $0 }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: s[copied..<i]))
                    let indent = Array(s[lineStart..<i].prefix { $0 == 32 || $0 == 9 })
                    try include(comment, file: file, line: line, renaming: renaming, within: within, indent: indent, into: &out)
                    // The line break after the include stays, as the comment's; a carriage return goes with the comment.
                    i = end
                    copied = end
                case UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    // A parameter: never an alias.
                    i += 1
                    while i < n && isNameByte(s[i]) { i += 1 }
                default:
                    guard !from.isEmpty, isNameByte(c) else { i += 1; continue }
                    var j = i + 1
                    while j < n && (isNameByte(s[j]) || s[j] == UInt8(ascii: "$")) { j += 1 }
                    // The alias qualifying a column (`c.resolved_ts`, not `x.c.y`): written as the include gave it.
                    if j < n, s[j] == UInt8(ascii: "."), j - i == from.count, i == 0 || s[i - 1] != UInt8(ascii: "."),
                       zip(s[i..<j], from).allSatisfy({ $0 == $1 || ($0 >= 65 && $0 <= 90 && $0 | 0x20 == $1) }),
                       let renaming {
                        out.append(contentsOf: UnsafeBufferPointer(rebasing: s[copied..<i]))
                        out.append(contentsOf: Array(renaming.to.utf8))
                        copied = j
                    }
                    i = j
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: s[copied..<n]))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Whether `s` holds `include:` anywhere (in any case): the only way an include can start.
    static func mayInclude(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 8 <= s.count {
            if s[i] | 0x20 == UInt8(ascii: "i"), startsInclude(s, at: i, end: s.count) { return true }
            i += 1
        }
        return false
    }

    /// Whether the comment text `s[start..<end]` (after `--`) starts, after blanks, with `include:`.
    static func startsInclude(_ s: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) -> Bool {
        var i = start
        while i < end && (s[i] == 32 || s[i] == 9) { i += 1 }
        guard end - i >= 8 else { return false }
        for (k, byte) in "include:".utf8.enumerated() where s[i + k] != byte && s[i + k] | 0x20 != byte { return false }
        return true
    }

    /// The fragment an include comment (`comment`, after `--`; on `line` of `file`) names, expanded,
    /// appended to `out`: its first line where the comment was, its other lines after `indent` (the
    /// indentation of the comment's line), so that the SQL reads as if it had been pasted.
    func include(_ comment: String, file: String, line: Int, renaming: (from: String, to: String)?, within: [String],
                 indent: [UInt8], into out: inout [UInt8]) throws {
        func located(_ message: String) -> FragmentError { FragmentError("\(file):\(line): \(message)") }
        guard let directive = Include.directive(in: Substring(comment)), let include = directive else {
            throw located("cannot read `-- \(comment.trimmingWhitespace().prefix(80))`: an include reads `-- include: NAME` or `-- include: NAME(ALIAS)`")
        }
        var argument = include.argument
        if let renaming, let given = argument {
            // The fragment passes its own alias on: the one its include was given.
            let bare = given.drop { $0 == "+" }
            if bare.lowercased() == renaming.from.lowercased() { argument = String(given.prefix { $0 == "+" }) + renaming.to }
        }
        if within.contains(include.name) {
            throw located("the includes go round in a circle: \((within + [include.name]).joined(separator: " → "))")
        }
        let fragment: ReportFragment
        switch self.fragment(named: include.name) {
        case .success(let found): fragment = found
        case .failure(let error): throw located(error.message)
        }
        if argument != nil && fragment.alias == nil {
            throw located("fragment \(fragment.name) takes no alias: include it as `-- include: \(fragment.name)`")
        }
        let expanded: String
        do {
            expanded = try self.expanded.text("\(fragment.name)(\(argument ?? ""))") {
                try expand(fragment.sql, file: fragment.source, firstLine: fragment.firstLine,
                           renaming: argument.map { (fragment.alias ?? "", $0) }, within: within + [include.name])
            }
        } catch let error as FragmentError {
            throw located("in fragment \(fragment.name), \(error.message)")
        }
        var first = true
        for fragmentLine in expanded.utf8.split(separator: 10, omittingEmptySubsequences: false) {
            if !first {
                out.append(10)
                if !fragmentLine.isEmpty { out.append(contentsOf: indent) }
            }
            out.append(contentsOf: fragmentLine)
            first = false
        }
    }
}

/// The include line comment: `-- include: NAME` or `-- include: NAME(ALIAS)`, where ALIAS
/// is a table alias, written `+c` to test the columns row by row (see Queries/README.md).
enum Include {
    struct Directive { let name: String; let argument: String? }

    /// For a comment's text (after `--`): nil when it is no include; .some(nil) when it
    /// starts `include:` but does not read as one; else the include.
    static func directive(in comment: Substring) -> Directive?? {
        guard startsInclude(comment) else { return nil }
        let text = comment.trimmingWhitespace()
        let spec = text.dropFirst(8).trimmingWhitespace()
        guard let open = spec.firstIndex(of: "(") else {
            return isName(Substring(spec)) ? .some(Directive(name: spec, argument: nil)) : .some(nil)
        }
        let name = spec[..<open].trimmingWhitespace()
        guard spec.hasSuffix(")"), isName(Substring(name)) else { return .some(nil) }
        let argument = spec[spec.index(after: open)..<spec.index(before: spec.endIndex)].trimmingWhitespace()
        let bare = argument.drop { $0 == "+" }
        guard bare.count < argument.count ? argument.count - bare.count == 1 : true, isName(bare) else { return .some(nil) }
        return .some(Directive(name: name, argument: argument))
    }

    /// Whether a comment's text starts, after blanks, with `include:` (in any case).
    static func startsInclude(_ comment: Substring) -> Bool {
        let bytes = comment.utf8.drop { $0 == 32 || $0 == 9 }
        guard bytes.count >= 8 else { return false }
        return zip(bytes, "include:".utf8).allSatisfy { $0 == $1 || ($0 >= 65 && $0 <= 90 && $0 | 0x20 == $1) }
    }

    /// Letters, digits and _, starting with a letter or _ (ASCII).
    static func isName(_ word: Substring) -> Bool {
        func isLetter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 }
        guard let first = word.utf8.first, isLetter(first) else { return false }
        return word.utf8.allSatisfy { isLetter($0) || ($0 >= 48 && $0 <= 57) }
    }
}
