import Foundation

/// The report parameters, one entry each: the name the command line (`--NAME`),
/// the shell's `.report`, HTTP (`?NAME=`) and report headers (`-- params:`)
/// use; how a value is written and checked, with the one message every one
/// of them gives; the help text `--help` and `warehouse reports NAME` print;
/// and the dashboard form's label. A new parameter is one case here (and
/// where it is bound, `ReportParameters.resolve`).
public enum ReportParameter: String, CaseIterable, Sendable {
    case from, to, tz, by
    case groupBy = "group-by"
    case team, user, channel, limit, percentile
    case businessHours = "business-hours"
    case firstResponseTarget = "first-response-target"
    case resolutionTarget = "resolution-target"
    case within

    /// How a value is written.
    public enum Kind: Sendable, Equatable {
        /// `YYYY-MM-DD`.
        case date
        /// An IANA time zone name.
        case zone
        /// One of these words.
        case choice([String])
        /// A name or an ID, looked up in the warehouse when the report runs.
        case name
        /// A whole number, 0 or more.
        case count
        /// A number above 0 and at most 100.
        case percentage
        /// A length of time: `90s`, `5m`, `1h30m`, `24h`, `7d`, or seconds.
        case duration
        /// On or off: `--NAME` alone on a command line; `true`/`false` (or 1/0, yes/no,
        /// on/off, or nothing for on) as a value.
        case flag
    }

    /// One row of the table.
    public struct Spec: Sendable {
        public let kind: Kind
        /// What stands for the value in help (`--from DATE`).
        public let valueName: String
        public let help: String
        /// The dashboard form's label.
        public let label: String
    }

    public var spec: Spec {
        switch self {
        case .from: Spec(kind: .date, valueName: "DATE", help: "first day, inclusive (YYYY-MM-DD, reporting time zone)", label: "From")
        case .to: Spec(kind: .date, valueName: "DATE", help: "last day, inclusive", label: "To")
        case .tz: Spec(kind: .zone, valueName: "ZONE", help: "reporting time zone (IANA name; default the workspace's)", label: "Time zone")
        case .by: Spec(kind: .choice(["day", "week", "month"]), valueName: "day|week|month",
                       help: "period: day, week (named by its Monday) or month", label: "By")
        case .groupBy: Spec(kind: .choice(["user", "team"]), valueName: "user|team", help: "group by user or team", label: "Group by")
        case .team: Spec(kind: .name, valueName: "NAME", help: "a team name", label: "Team")
        case .user: Spec(kind: .name, valueName: "NAME_OR_ID", help: "a user ID or full name", label: "User")
        case .channel: Spec(kind: .name, valueName: "NAME_OR_ID", help: "a channel ID or name", label: "Channel")
        case .limit: Spec(kind: .count, valueName: "N", help: "at most N rows", label: "Rows")
        case .percentile: Spec(kind: .percentage, valueName: "P", help: "the percentile, above 0 and at most 100 (default 90)", label: "Percentile")
        case .businessHours: Spec(kind: .flag, valueName: "", help: "response and resolution times in business hours (see `warehouse hours`)",
                                  label: "Business hours")
        case .firstResponseTarget: Spec(kind: .duration, valueName: "DURATION", help: "the first-response target, such as 5m (default 5m)",
                                        label: "First-response target")
        case .resolutionTarget: Spec(kind: .duration, valueName: "DURATION", help: "the resolution target, such as 24h (default 24h)",
                                     label: "Resolution target")
        case .within: Spec(kind: .duration, valueName: "DURATION", help: "a contact's next conversation this soon after a close reopens it (default 7d)",
                           label: "Reopened within")
        }
    }

    public var option: String { "--" + rawValue }

    /// A flag's value as written: on or off; nil when it is neither.
    public static func flagValue(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "", "true", "1", "yes", "on": true
        case "false", "0", "no", "off": false
        default: nil
        }
    }
    public var valueName: String { spec.valueName }
    public var help: String { spec.help }

    /// Checks a value as given (text from a command line, a URL or a form);
    /// the error says what the parameter takes.
    public func check(_ text: String) throws {
        switch spec.kind {
        case .date:
            _ = try ReportParameters.day(text, option: option)
        case .zone:
            do { _ = try WorkspaceZone(text) } catch { throw WarehouseError("\(option): \(error)") }
        case .choice(let words):
            guard words.contains(text) else {
                throw WarehouseError("\(option) takes \(words.dropLast().joined(separator: ", ")) or \(words.last ?? ""), not '\(text)'.")
            }
        case .name:
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw WarehouseError("\(option) takes \(spec.help), not nothing.") }
        case .count:
            guard let n = Int(text), n >= 0 else { throw WarehouseError("\(option) takes a number of rows, 0 or more, not '\(text)'.") }
        case .percentage:
            guard let p = Double(text), p.isFinite, p > 0, p <= 100 else {
                throw WarehouseError("\(option) takes a number above 0 and at most 100, not '\(text)'.")
            }
        case .duration:
            _ = try DurationText.seconds(text, option: option)
        case .flag:
            guard Self.flagValue(text) != nil else { throw WarehouseError("\(option) is on or off: give it alone, or true or false, not '\(text)'.") }
        }
    }

    /// The parameters as help lines, `  --from DATE   first day, …`, the
    /// help wrapped at `columns` under itself.
    public static func helpLines(_ parameters: [ReportParameter], width: Int = 24, columns: Int = 79) -> String {
        parameters.map { parameter in
            let head = "  \(parameter.option)" + (parameter.valueName.isEmpty ? "" : " \(parameter.valueName)")
            // The help beside the option, or under it when the option is too long.
            var line = head.count < width ? head.padding(toLength: width, withPad: " ", startingAt: 0)
                : head + "\n" + String(repeating: " ", count: width)
            var column = width
            for word in parameter.help.split(separator: " ") {
                if column + word.count + 1 > columns, column > width {
                    line += "\n" + String(repeating: " ", count: width)
                    column = width
                } else if column > width {
                    line += " "
                    column += 1
                }
                line += word
                column += word.count
            }
            return line
        }.joined(separator: "\n")
    }
}

/// The values given for a report's parameters, as typed, each checked by its
/// entry of `ReportParameter` when it is set from what a person gave.
public struct ReportArguments: Equatable, Sendable {
    private var values: [ReportParameter: String] = [:]

    public init() {}

    /// Sets `parameter` from what a person gave, checked; an error says what it takes.
    public mutating func set(_ parameter: ReportParameter, _ text: String) throws {
        try parameter.check(text)
        if parameter.spec.kind == .flag {
            // A flag that is off is not given.
            values[parameter] = ReportParameter.flagValue(text) == true ? "true" : nil
        } else {
            values[parameter] = text
        }
    }

    /// A value as given; set unchecked, for arguments made from checked ones.
    public subscript(_ parameter: ReportParameter) -> String? {
        get { values[parameter] }
        set { values[parameter] = newValue }
    }

    /// The parameters that were given, in the table's order.
    public var given: [ReportParameter] { ReportParameter.allCases.filter { values[$0] != nil } }

    /// Only the parameters in `parameters`.
    public func restricted(to parameters: some Sequence<ReportParameter>) -> ReportArguments {
        var out = ReportArguments()
        for parameter in parameters { out.values[parameter] = values[parameter] }
        return out
    }

    /// Reads `--NAME VALUE` and `--NAME=VALUE` words (a command line's, the
    /// shell's `.report`) for the parameters in `allowed`. An unknown name, a
    /// missing value, a value given twice or one the parameter does not take
    /// is an error naming it.
    public static func parse(_ words: [String], allowed: [ReportParameter] = ReportParameter.allCases) throws -> ReportArguments {
        var arguments = ReportArguments()
        var i = 0
        while i < words.count {
            let word = words[i]
            guard word.hasPrefix("--"), word.count > 2 else {
                throw WarehouseError("unexpected '\(word)': the parameters are " + allowed.map(\.option).joined(separator: ", ") + ".")
            }
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            guard let parameter = ReportParameter(rawValue: name), allowed.contains(parameter) else {
                throw WarehouseError("unknown option --\(name): the parameters are " + allowed.map(\.option).joined(separator: ", ") + "."
                    + Suggestions.didYouMean("--" + name, allowed.map(\.option)))
            }
            let value: String
            if body.count > name.count {
                value = String(body.dropFirst(name.count + 1))
            } else if parameter.spec.kind == .flag {
                value = "true"  // a flag takes no value after it
            } else {
                guard i + 1 < words.count else { throw WarehouseError("\(parameter.option) needs a value: \(parameter.valueName).") }
                i += 1
                value = words[i]
            }
            if arguments[parameter] != nil { throw WarehouseError("\(parameter.option) is given twice.") }
            try arguments.set(parameter, value)
            i += 1
        }
        return arguments
    }

    // The values code reads, typed.
    public var from: String? { get { self[.from] } set { self[.from] = newValue } }
    public var to: String? { get { self[.to] } set { self[.to] = newValue } }
    public var tz: String? { get { self[.tz] } set { self[.tz] = newValue } }
    public var by: String? { get { self[.by] } set { self[.by] = newValue } }
    public var groupBy: String? { get { self[.groupBy] } set { self[.groupBy] = newValue } }
    public var team: String? { get { self[.team] } set { self[.team] = newValue } }
    public var user: String? { get { self[.user] } set { self[.user] = newValue } }
    public var channel: String? { get { self[.channel] } set { self[.channel] = newValue } }
    public var limit: Int? { self[.limit].flatMap { Int($0) } }
    public var percentile: Double? { self[.percentile].flatMap { Double($0) } }
    public var businessHours: Bool { self[.businessHours].flatMap(ReportParameter.flagValue) ?? false }
}
