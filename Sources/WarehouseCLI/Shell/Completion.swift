import WarehouseCore

/// Tab completion: what may come at the cursor, given the line before the word.
extension ShellSession {
    static let sqlKeywords = [
        "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT JOIN",
        "ON", "USING", "AS", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN",
        "ELSE", "END", "DISTINCT", "WITH", "UNION", "ALL", "ASC", "DESC", "COUNT", "SUM", "AVG", "MIN", "MAX",
        "COALESCE", "NULLIF", "CAST", "EXPLAIN", "QUERY PLAN", "PRAGMA", "CREATE", "VIEW", "TABLE", "INSERT",
        "UPDATE", "DELETE", "median", "p90", "percentile", "rank_values", "rank_value", "div_round", "round_half", "local_time",
        "period_start", "weekday", "business_seconds", "natural_id_key",
        "strftime", "date", "datetime", "substr", "lower", "upper", "length", "round", "group_concat",
    ]

    /// The candidates for `word`, the word under the cursor, after `before`.
    func completions(before: String, word: String) -> [String] {
        let words = before.split(separator: " ").map(String.init)
        let startsWithDot = (words.first ?? word).hasPrefix(".")
        func matching(_ candidates: [String]) -> [String] {
            let lower = word.lowercased()
            return Array(Set(candidates.filter { $0.lowercased().hasPrefix(lower) })).sorted()
        }
        if pending.isEmpty && startsWithDot {
            if words.isEmpty { return matching(DotCommand.all.map(\.name)) }
            switch words[0] {
            case ".report":
                if words.count == 1 { return matching(library.reports.map(\.name)) }
                guard let report = try? library.report(named: words[1]) else { return [] }
                // After an option that takes one of some words, those words (the parameters' table's).
                if let last = words.last, last.hasPrefix("--"), let parameter = ReportParameter(rawValue: String(last.dropFirst(2))),
                   case .choice(let choices) = parameter.spec.kind {
                    return matching(choices)
                }
                return matching(report.parameters.map { "--" + $0.rawValue } + ["--help"])
            case ".schema", ".tables": return words.count == 1 ? matching(tableNames()) : []
            case ".mode": return words.count == 1 ? matching(Mode.allCases.map(\.rawValue)) : []
            case ".headers", ".timer": return words.count == 1 ? matching(["on", "off"]) : []
            default: return []
            }
        }
        // SQL: keywords, functions, tables and views (reports among them), columns.
        let keywords = word.first?.isLowercase == true ? Self.sqlKeywords.map { $0.lowercased() } : Self.sqlKeywords
        return matching(keywords + tableNames() + columnNames())
    }
}
