import WarehouseCore

/// A report's SQL as PostgreSQL takes it: each named parameter (`:from_ts`) a numbered
/// one with its type (`$3::bigint`), so that a NULL bound to it has a type (an untyped
/// `$3 IS NULL` cannot be resolved), and the values bound in that order. A name used
/// twice is bound once.
struct ReportStatement {
    let sql: String
    let arguments: [SQLValue]

    /// The type of each report parameter on PostgreSQL (`ReportParameters` lists them
    /// all); the others are `bigint`.
    static let types: [String: String] = [
        "from": "text", "to": "text", "tz": "text", "by": "text", "group_by": "text",
        "user": "text", "team": "text", "channel": "text", "business_hours": "text",
        "percentile": "double precision",
    ]

    init(_ report: Report, _ values: [String: SQLValue]) throws {
        var order: [String] = []
        var arguments: [SQLValue] = []
        sql = try SQLText.replacingParameters(in: report.sql) { name in
            guard let value = values[name] else {
                throw WarehouseError("report \(report.name) (\(report.source)) uses :\(name), which is not a report parameter; they are :\(ReportParameters.names.joined(separator: ", :")).")
            }
            if let i = order.firstIndex(of: name) { return "$\(i + 1)::\(Self.types[name] ?? "bigint")" }
            order.append(name)
            arguments.append(value)
            return "$\(order.count)::\(Self.types[name] ?? "bigint")"
        }
        self.arguments = arguments
    }
}
