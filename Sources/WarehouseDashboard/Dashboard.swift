import Foundation
import Mustache
import WarehouseCore

/// The dashboard: what the platform's Reports module shows a support manager,
/// as one self-contained HTML page (SPEC section 7). Its numbers are the
/// reports' own: each section runs a report of the library with the page's
/// period and filters; the charts are SVG drawn by SVGCharts, and the markup is
/// the Mustache template in `Templates/`, embedded in the binary.
public enum Dashboard {
    /// The parameters the page takes; each report gets those it takes itself.
    public static let parameters: [ReportParameter] = [.from, .to, .tz, .team, .channel, .businessHours,
                                                       .firstResponseTarget, .resolutionTarget, .within]

    /// The page for `arguments` (`parameters`), checked
    /// as `warehouse report` checks them, with the same errors.
    public static func page(of warehouse: any ReportStore, _ arguments: ReportArguments, madeAt: Date = Date()) throws -> String {
        try page(of: warehouse, arguments, madeAt: madeAt, servedAt: nil)
    }

    /// Where a served page's form sends its period and filters (`warehouse serve`),
    /// and the read token to send with them when the page was asked for with one.
    public struct ServedForm: Sendable {
        public let path: String
        public let token: String?
        public init(path: String, token: String?) { (self.path, self.token) = (path, token) }
    }

    /// The page as `warehouse serve` serves it: the same page, with a form
    /// (a GET to `form.path`) for the period and filters, which its
    /// Content-Security-Policy lets send to the page's own server only.
    public static func page(of warehouse: any ReportStore, _ arguments: ReportArguments, madeAt: Date = Date(), servedAt form: ServedForm?) throws -> String {
        if let other = arguments.given.first(where: { !parameters.contains($0) }) {
            throw WarehouseError("the dashboard does not take --\(other.rawValue): it takes " + parameters.map { "--\($0.rawValue)" }.joined(separator: ", ") + ".")
        }
        let values = try ReportParameters.resolve(arguments, in: warehouse)
        let (fromDay, toDay) = try ReportParameters.days(arguments)
        let by = try PeriodRule.by(from: fromDay, to: toDay, in: warehouse)
        // The team's and channel's names as the warehouse has them.
        var shown = arguments
        shown.team = arguments.team.flatMap { _ in values["team"]?.string }
        shown.channel = try arguments.channel.flatMap { _ in try channelName(values["channel"]?.string, in: warehouse) }

        // The longest first (over the SPEC data set), so that the two connections finish together.
        let runs = try [
            ReportRun("resolved_conversation_anomalies", arguments, keep: PageBuilder.anomaliesShown),
            ReportRun("user_performance", arguments),
            ReportRun("leaderboard_first_response_time", key: "leaderboard_first_response_time/team", arguments, groupBy: "team"),
            ReportRun("overview", arguments),
            ReportRun("leaderboard_resolution_time", key: "leaderboard_resolution_time/team", arguments, groupBy: "team"),
            ReportRun("leaderboard_first_response_time", key: "leaderboard_first_response_time/user", arguments, groupBy: "user"),
            ReportRun("conversations_opened_vs_closed", arguments, by: by),
            ReportRun("leaderboard_resolution_time", key: "leaderboard_resolution_time/user", arguments, groupBy: "user"),
            ReportRun("first_response_time_breakdown", arguments),
            ReportRun("conversations_opened_heatmap", arguments),
            ReportRun("outgoing_messages_by_source", arguments),
            ReportRun("resolution_time_breakdown", arguments),
            ReportRun("conversations_opened_by_contact_type", arguments, by: by),
            ReportRun("agent_opened_conversations", arguments),
            ReportRun("incoming_messages_by_channel", arguments),
            ReportRun("reopened_conversations", arguments),
            ReportRun("service_levels", arguments),
        ]
        let results = try ReportRuns.results(runs, on: warehouse)

        let hours = arguments.businessHours ? try BusinessHours.read(from: warehouse) : nil
        let page = PageBuilder(arguments: shown, results: results, zone: arguments.tz ?? warehouse.timeZone, fromDay: fromDay, toDay: toDay, by: by,
                               businessHours: hours, values: values)
        let sections = [
            page.busiestHours(),
            page.openedVsClosed(),
            page.newVsReturning(),
            page.incomingByChannel(),
            page.outgoingBySource(),
            page.leaderboard("leaderboard_first_response_time", id: "leaderboard-first-response", heading: "Leaderboard: first response time",
                             measure: "first response", who: "A user is the one who first responded (else the assignee); a team is the closing team."),
            page.leaderboard("leaderboard_resolution_time", id: "leaderboard-resolution", heading: "Leaderboard: resolution time",
                             measure: "resolution time", who: "A user is the one who closed the conversation; a team is the closing team."),
            page.breakdown("first_response_time_breakdown", id: "first-response-breakdown", heading: "First response times", measure: "first response time"),
            page.breakdown("resolution_time_breakdown", id: "resolution-breakdown", heading: "Resolution times", measure: "resolution time"),
            page.serviceLevels(),
            page.userPerformance(),
            page.agentOpened(),
            page.anomalies(),
        ]
        let model = PageModel(
            pageTitle: "Support dashboard", pageScope: page.pageScope,
            madeFrom: "Made \(madeAtText(madeAt, zone: page.zone)) by \(Version.description.replacingOccurrences(of: "warehouse ", with: "warehouse dashboard ")) from \(warehouse.shortName).",
            contents: PageBuilder.contents(sections), overview: page.overview(), sections: sections,
            formAction: form == nil ? "'none'" : "'self'", filterForm: form.map { filterForm($0, arguments) })
        return try Template.render(model)
    }

    static func filterForm(_ form: ServedForm, _ arguments: ReportArguments) -> FilterFormModel {
        // One field per parameter the page takes, from the parameters' table.
        FilterFormModel(formTarget: form.path, fields: parameters.map { parameter in
            let flag = parameter.spec.kind == .flag
            return FormField(fieldName: parameter.rawValue, fieldLabel: parameter.spec.label,
                             fieldType: flag ? "checkbox" : parameter.spec.kind == .date ? "date" : "text",
                             fieldValue: flag ? "true" : arguments[parameter] ?? "", fieldChecked: flag && arguments.businessHours)
        }, hiddenToken: form.token)
    }

    static func channelName(_ id: String?, in warehouse: any ReportStore) throws -> String? {
        guard let id else { return nil }
        let name = try warehouse.rows("SELECT channel_name FROM dim_channel WHERE channel_id = ?", [.text(id)]).first?.first?.string
        return name.map { $0.isEmpty || $0 == id ? id : "\($0) (\(id))" } ?? id
    }

    /// `2025-03-31 14:05` in the reporting zone.
    static func madeAtText(_ date: Date, zone: String) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let local = (try? WorkspaceZone(zone)).map { $0.wallTime(utc: seconds) } ?? seconds
        return String(CivilTime.format(wallSeconds: local).prefix(16)) + " (\(zone))"
    }
}

/// The page's template (`Templates/dashboard.mustache` and the partials beside it), from the binary.
enum Template {
    static let library: Result<MustacheLibrary, Error> = Result {
        var library = MustacheLibrary()
        for file in EmbeddedTemplates.files where file.name.hasSuffix(".mustache") {
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        return library
    }

    static func render(_ model: PageModel) throws -> String {
        guard let page = try library.get().render(model, withTemplate: "dashboard") else {
            throw WarehouseError("the dashboard's template is missing from this build of warehouse.")
        }
        return page
    }
}
