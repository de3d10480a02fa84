import Foundation
import Testing
import TestSupport
@testable import WarehouseCLI
@testable import WarehouseCore

// SPEC 1, "Exports after a spreadsheet", end to end: each set of
// Tests/Fixtures/spreadsheet (a cut of the sample after a round trip through a
// spreadsheet: made by roundtrip.py, see make_fixtures.py, or saved by
// LibreOffice Calc itself, see libreoffice/make.sh) is loaded by the binary
// into a fresh warehouse, and every report case of the conformance
// fixtures must come out exactly as its survivor gives: the same exports as
// native files, with only what the spreadsheet lost (seconds it does not show,
// characters Windows-1252 lacks).
//
// A set names the parts of issue 16 it needs (`needs` in forms.json); a failure
// says which, so a set that fails before that part has landed says why.

/// One set of `Tests/Fixtures/spreadsheet/forms.json`.
struct SpreadsheetForm: CustomTestStringConvertible, Sendable {
    let name: String
    /// `reports`, `undecidable`, `damaged` (see the tests below).
    let check: String
    let needs: [String]
    /// The folder (under the fixtures) holding what the set must load as.
    let survivor: String

    var testDescription: String { name }

    static let directory = Repository.fixtures.appendingPathComponent("spreadsheet")

    static let all: [SpreadsheetForm] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("forms.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let forms = root["forms"] as? [[String: Any]] else { return [] }
        return forms.map {
            SpreadsheetForm(name: $0["name"] as? String ?? "?", check: $0["check"] as? String ?? "?",
                            needs: $0["needs"] as? [String] ?? [], survivor: $0["survivor"] as? String ?? "?")
        }
    }()

    static func checked(_ check: String) -> [SpreadsheetForm] { all.filter { $0.check == check } }

    /// What the set needs besides the reading layer (separators, encodings), for failure messages.
    var needing: String {
        let parts: [String: String] = [
            "timestamps": "the spreadsheet timestamp forms and --date-order (issue 16: timestamps)",
            "values": "one-digit-hour durations and `.0` on IDs (issue 16: values)",
            "damaged-ids": "IDs a spreadsheet damaged, kept by contact and time (issue 16: damaged IDs)",
            "collisions": "Conversation ID collisions, both kept (issue 16: collisions)",
            "libreoffice": "durations on a 12-hour clock and rows padded to the widest (as LibreOffice Calc saves them)",
        ]
        let named = needs.compactMap { parts[$0] }
        return named.isEmpty ? "[\(name): separators and encodings]" : "[\(name) needs \(named.joined(separator: "; "))]"
    }

    var files: [String] { SpreadsheetLoad.csvFiles(in: Self.directory.appendingPathComponent(name)) }
    var survivorFiles: [String] { SpreadsheetLoad.csvFiles(in: Self.directory.appendingPathComponent(survivor)) }
}

/// A fresh warehouse loaded by the binary, one `load` command per list of files.
final class SpreadsheetLoad {
    let directory: URL
    private(set) var runs: [Run] = []

    init(_ loads: [[String]], options: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-spreadsheet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for files in loads {
            runs.append(try Binary.run(["load", "--db", "w.db", "--timezone", "Asia/Kuala_Lumpur"] + options + files, in: directory))
        }
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func csvFiles(in folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
            .map { folder.appendingPathComponent($0).path }
    }

    func warehouse() throws -> Warehouse { try Warehouse.openExisting(path: directory.appendingPathComponent("w.db").path) }

    /// Every conformance case's result, by case name (or the error it gave).
    func reports() throws -> [String: String] {
        let warehouse = try warehouse()
        let library = ReportLibrary()
        var out: [String: String] = [:]
        for c in ConformanceCase.all {
            do {
                let table = try warehouse.run(try library.report(named: c.report), ReportArguments.parse(c.params))
                out[c.name] = ([table.columns.joined(separator: ",")] + table.rows.map { $0.map(\.description).joined(separator: ",") })
                    .joined(separator: "\n")
            } catch {
                out[c.name] = "error: \(error)"
            }
        }
        return out
    }

    func count(_ sql: String) throws -> Int64 { try warehouse().db.int64(sql) }

    /// The rejected rows as file:line: reason.
    func rejects() throws -> [String] {
        try warehouse().db.rows("SELECT file_name, line, reason FROM rejected_rows ORDER BY file_name, line").map { "\($0[0]):\($0[1]): \($0[2])" }
    }
}

/// The survivors, each loaded once and its reports kept.
enum Survivors {
    struct Loaded: Sendable {
        let reports: [String: String]
        let rejects: [String]
        let conversations: Int64
        let messages: Int64
    }

    static var loaded: [String: Loaded] { all.loaded }
    /// Why a survivor did not load.
    static var failures: [String] { all.failures }

    private static let all: (loaded: [String: Loaded], failures: [String]) = {
        var out: [String: Loaded] = [:], failures: [String] = []
        for survivor in Set(SpreadsheetForm.all.map(\.survivor)).sorted() {
            do {
                let load = try SpreadsheetLoad([SpreadsheetLoad.csvFiles(in: SpreadsheetForm.directory.appendingPathComponent(survivor))])
                guard load.runs[0].status == 0 else { throw WarehouseError(load.runs[0].stderr) }
                out[survivor] = Loaded(reports: try load.reports(), rejects: try load.rejects(),
                                       conversations: try load.count("SELECT count(*) FROM fact_conversation"),
                                       messages: try load.count("SELECT count(*) FROM fact_message"))
            } catch {
                failures.append("\(survivor): \(error)")
            }
        }
        return (out, failures)
    }()
}

/// Where two sets of report results differ, case by case (the first lines that differ).
func reportDifferences(_ got: [String: String], _ expected: [String: String]) -> [String] {
    expected.keys.sorted().compactMap { name -> String? in
        let (a, b) = (got[name] ?? "missing", expected[name]!)
        guard a != b else { return nil }
        let (la, lb) = (a.split(separator: "\n", omittingEmptySubsequences: false), b.split(separator: "\n", omittingEmptySubsequences: false))
        let first = (0..<min(la.count, lb.count)).first { la[$0] != lb[$0] } ?? min(la.count, lb.count)
        return "\(name): line \(first + 1): got '\(first < la.count ? la[first] : "(none)")', expected '\(first < lb.count ? lb[first] : "(none)")'"
    }
}

@Suite(.tags(.slow), .disabled(if: TestRun.quick, TestRun.slowComment)) struct SpreadsheetRoundTripTests {
    @Test func theFixturesAreHere() {
        #expect(SpreadsheetForm.all.count >= 20, "forms.json was not read from \(SpreadsheetForm.directory.path)")
        #expect(Survivors.failures.isEmpty, "\(Survivors.failures)")
        #expect(Survivors.loaded.count == Set(SpreadsheetForm.all.map(\.survivor)).count)
        #expect(!ConformanceCase.all.isEmpty)
    }

    /// Every report case as the survivor gives it, and the same rejects on the same lines.
    @Test(arguments: SpreadsheetForm.checked("reports"))
    func everyReportAsTheNativeFilesGive(_ form: SpreadsheetForm) throws {
        let load = try SpreadsheetLoad([form.files])
        let run = load.runs[0]
        try #require(run.status == 0, "\(form.needing) \(run.stderr)")
        let survivor = try #require(Survivors.loaded[form.survivor])
        let rejects = try load.rejects()
        #expect(rejects == survivor.rejects, "\(form.needing) the rejects (first of \(rejects.count)): \(rejects.prefix(3))")
        let differences = reportDifferences(try load.reports(), survivor.reports)
        let same = differences.isEmpty
        #expect(same, "\(form.needing) \(differences.count) cases differ:\n\(differences.prefix(5).joined(separator: "\n"))")
    }

    /// Every date with a day of 12 or less: refused, naming the file and `--date-order`,
    /// nothing of it loaded; with `--date-order dmy` it loads as its survivor.
    @Test(arguments: SpreadsheetForm.checked("undecidable"))
    func aFileWhoseDatesCannotBeDecidedIsRefusedThenLoadsWithTheOption(_ form: SpreadsheetForm) throws {
        let refused = try SpreadsheetLoad([form.files])
        #expect(refused.runs[0].status != 0, "\(form.needing) it loaded")
        #expect(refused.runs[0].stderr.contains("--date-order"), "\(form.needing) \(refused.runs[0].stderr)")
        #expect(refused.runs[0].stderr.contains("conversations.csv"), "\(form.needing) the error names the file")
        #expect((try? refused.count("SELECT count(*) FROM fact_conversation")) ?? 0 == 0, "\(form.needing) something was loaded")

        let load = try SpreadsheetLoad([form.files], options: ["--date-order", "dmy"])
        try #require(load.runs[0].status == 0, "\(form.needing) \(load.runs[0].stderr)")
        let survivor = try #require(Survivors.loaded[form.survivor])
        let differences = reportDifferences(try load.reports(), survivor.reports)
        let same = differences.isEmpty
        #expect(same, "\(form.needing) \(differences.count) cases differ:\n\(differences.prefix(5).joined(separator: "\n"))")
    }

    /// Long IDs a spreadsheet destroyed: every conversation and message is kept,
    /// and loading the native files afterwards leaves exactly what a native load gives.
    @Test(arguments: SpreadsheetForm.checked("damaged"))
    func damagedIDsKeepEveryConversationAndTheNativeFilesRepairThem(_ form: SpreadsheetForm) throws {
        let survivor = try #require(Survivors.loaded[form.survivor])
        let load = try SpreadsheetLoad([form.files, form.survivorFiles])
        try #require(load.runs[0].status == 0, "\(form.needing) \(load.runs[0].stderr)")
        #expect(load.runs[0].stdout.contains("damaged"), "\(form.needing) the summary counts the damaged IDs: \(load.runs[0].stdout)")

        let damaged = try SpreadsheetLoad([form.files])
        #expect(try damaged.count("SELECT count(*) FROM fact_conversation") == survivor.conversations, "\(form.needing) conversations kept")
        // Messages are known by contact, minute and content: none is lost, but one
        // edited between two overlapping exports is two until its intact ID arrives.
        #expect(try damaged.count("SELECT count(*) FROM fact_message") >= survivor.messages, "\(form.needing) messages kept")

        #expect(load.runs[1].status == 0, "\(load.runs[1].stderr)")
        #expect(try load.count("SELECT count(*) FROM fact_conversation") == survivor.conversations, "\(form.needing) nothing doubled")
        #expect(try load.count("SELECT count(*) FROM fact_message") == survivor.messages, "\(form.needing) nothing doubled")
        let differences = reportDifferences(try load.reports(), survivor.reports)
        let same = differences.isEmpty
        #expect(same, "\(form.needing) \(differences.count) cases differ after the native load:\n\(differences.prefix(5).joined(separator: "\n"))")
    }

    /// Two conversations under one Conversation ID (another contact, another start): both kept, with a warning.
    @Test func aConversationIDCollisionKeepsBoth() throws {
        let needing = "[collision needs Conversation ID collisions, both kept (issue 16: collisions)]"
        let native = try #require(Survivors.loaded["survivor/native"])
        let load = try SpreadsheetLoad([SpreadsheetLoad.csvFiles(in: SpreadsheetForm.directory.appendingPathComponent("collision"))])
        try #require(load.runs[0].status == 0, "\(load.runs[0].stderr)")
        #expect(try load.count("SELECT count(*) FROM fact_conversation") == native.conversations, "\(needing) both conversations kept")
        #expect(load.runs[0].stdout.contains("warning: 1 Conversation ID"), "\(needing) \(load.runs[0].stdout)")
    }
}
