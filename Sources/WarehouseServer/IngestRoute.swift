import Foundation
import Hummingbird
import WarehouseCore

/// `POST /ingest/{kind}`: records of one export kind, as JSON (one object or
/// an array of objects keyed by the export's column names, `IngestRecords`)
/// or as CSV with a header row (read as a file of that kind), through the
/// same record path as files (`Loader`), in the writer's next group. The
/// answer is sent after the group's commit: `{"received", "inserted",
/// "updated", "unchanged", "kept_by_contact_and_time", "rejected": [{"index",
/// "reason"}] (the first 1,000), "rejected_count", "rejects_kept"}` (rejects
/// counted, and stored: the first 1,000). An error is answered by its kind
/// (`ServerError(for:)`).
struct IngestRoute {
    let server: ServerState

    func handle(kind name: String, _ request: Request, started: Date) async throws -> Answer {
        guard let kind = ExportKind(rawValue: name) else {
            throw ServerError(.notFound, "no such kind: \(name); POST to /ingest/KIND with KIND one of \(ExportKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let isCSV: Bool
        switch request.mediaType {
        case "application/json"?: isCSV = false
        case "text/csv"?: isCSV = true
        case let other:
            throw ServerError(.unsupportedMediaType,
                              "Content-Type \(other.map { "'\($0)'" } ?? "missing"): send application/json (an object or an array of objects keyed by the export's column names) or text/csv (a header row, then records)")
        }
        let body = try await server.bodyReader.read(request, started: started, limit: server.options.maxBody, flag: "--max-body")
        let sourceName = server.requestName("ingest-\(kind.rawValue)")
        let summary = isCSV ? try await csv(body, kind: kind, name: sourceName) : try await json(body, kind: kind, name: sourceName)
        return .json(.ok, Self.answer(summary), records: summary.rowsRead)
    }

    private func json(_ body: [UInt8], kind: ExportKind, name: String) async throws -> LoadSummary {
        let value: JSONValue
        do { value = try JSONBody.parse(body) } catch let failure as JSONBody.Failure {
            throw ServerError.badRequest("\(failure); nothing was stored")
        }
        switch value {
        case .object, .array: break
        default: throw ServerError.badRequest("the body is \(value.kindName); send a JSON object or an array of objects keyed by the export's column names")
        }
        let records = IngestRecords(value, kind: kind)
        if records.records.isEmpty { return LoadSummary(path: name) }
        let source = NamedFieldsSource(name: name, records: records.records, withoutIDs: kind == .conversations)
        source.problems = records.problems
        do {
            return try await server.writer.ingest(source, as: kind)
        } catch {
            throw ServerError(for: error, written: true)
        }
    }

    private func csv(_ body: [UInt8], kind: ExportKind, name: String) async throws -> LoadSummary {
        // The CSV reader reads files: the body is one (its owner's alone), for as long as its load takes.
        let file: PrivateTemporaryFile
        do { file = try PrivateTemporaryFile(body, name: "body.csv") } catch {
            // The temporary folder full or not writable: the server's trouble, not the sender's.
            throw ServerError.unavailable("could not keep the CSV body in a temporary file to read it (\(error)); nothing was stored. Send it again later.")
        }
        defer { file.remove() }
        let path = file.path
        do {
            return try await server.writer.perform { context in
                let summary = context.loader.load(path: path, as: kind, name: name)
                if let failure = summary.failure {
                    throw LoadFailure(failure.kind, failure.message.replacingOccurrences(of: path, with: "the CSV body"), cause: failure.cause,
                                      isConflict: failure.isConflict)
                }
                return summary
            }
        } catch {
            throw ServerError(for: error, written: true)
        }
    }

    /// The answer's JSON; `duplicate`: a webhook event seen before, which changed nothing.
    static func answer(_ s: LoadSummary, duplicate: Bool = false) -> String {
        let rejected = s.rejects.map { "{\"index\":\($0.line),\"reason\":\(JSONText.string($0.reason))}" }.joined(separator: ",")
        return "{\"received\":\(s.rowsRead),\"inserted\":\(s.inserted),\"updated\":\(s.updated),\"unchanged\":\(s.unchanged),"
            + "\"kept_by_contact_and_time\":\(s.keptByContactAndTime),\"rejected\":[\(rejected)],"
            + "\"rejected_count\":\(s.rejected),\"rejects_kept\":\(s.rejectsKept)\(duplicate ? ",\"duplicate\":true" : "")}\n"
    }
}
