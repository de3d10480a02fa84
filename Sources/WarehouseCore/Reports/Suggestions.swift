/// "Did you mean" for names a user mistyped: report names, users, teams, dot commands.
public enum Suggestions {
    /// The candidates closest to `given`: those that contain it (or it them),
    /// then those within an edit distance of about a third of its length.
    public static func closest(_ given: String, _ candidates: [String], limit: Int = 3) -> [String] {
        let needle = given.lowercased()
        guard !needle.isEmpty else { return [] }
        var scored: [(distance: Int, name: String)] = []
        for candidate in Set(candidates) {
            let hay = candidate.lowercased()
            if hay.contains(needle) || needle.contains(hay) {
                scored.append((0, candidate))
                continue
            }
            // A mistyped whole name, or a mistyped beginning of one ("leaderbord").
            let whole = editDistance(Array(needle), Array(hay))
            let start = editDistance(Array(needle), Array(hay.prefix(needle.count)))
            let distance = min(whole, start + 1)
            if distance <= max(2, needle.count / 3) { scored.append((distance, candidate)) }
        }
        return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
    }

    /// " Did you mean A or B?" or "" when nothing is close.
    public static func didYouMean(_ given: String, _ candidates: [String]) -> String {
        let names = closest(given, candidates)
        guard !names.isEmpty else { return "" }
        return " Did you mean " + names.dropLast().joined(separator: ", ") + (names.count > 1 ? " or " : "") + names.last! + "?"
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
