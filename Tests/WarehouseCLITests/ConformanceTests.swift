import Foundation
import Testing
import TestSupport

/// One case of `expected/cases.json`: a report, its parameters and the expected CSV.
struct ConformanceCase: CustomTestStringConvertible, Sendable {
    let name: String
    let report: String
    let params: [String]
    let expected: String
    let key: [String]?
    /// [column, "asc"|"desc", tolerance or null] when the SPEC names an order;
    /// `positional` when the rows must come in the file's order.
    let order: [[String]]?
    let positional: Bool
    let rows: Int
    /// column → allowed absolute difference; "kpi-dependent" means 1 on the seconds rows, else 0.
    let tolerance: [String: Double]
    let kpiDependent: Set<String>
    let secondsRows: Set<Int>

    var testDescription: String { name }

    static let expectedDirectory = Binary.fixtures.appendingPathComponent("expected")

    static let all: [ConformanceCase] = {
        guard let data = try? Data(contentsOf: expectedDirectory.appendingPathComponent("cases.json")),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = root["cases"] as? [[String: Any]] else { return [] }
        return cases.map { c in
            var tolerance: [String: Double] = [:], kpiDependent: Set<String> = []
            for (column, value) in c["tolerance"] as? [String: Any] ?? [:] {
                if let number = value as? Double { tolerance[column] = number }
                else if value as? String == "kpi-dependent" { kpiDependent.insert(column) }
            }
            let order = c["order"] as? [[Any]]
            return ConformanceCase(
                name: c["name"] as? String ?? "?", report: c["report"] as? String ?? "?",
                params: c["params"] as? [String] ?? [], expected: c["expected"] as? String ?? "?",
                key: c["key"] as? [String],
                order: order?.map { $0.prefix(2).map { "\($0)" } },
                positional: c["order"] as? String == "positional",
                rows: c["rows"] as? Int ?? -1, tolerance: tolerance, kpiDependent: kpiDependent,
                secondsRows: Set(c["seconds_rows"] as? [Int] ?? []))
        }
    }()
}

/// The fixture exports loaded once, as the cases say: every file, in one load.
enum ConformanceWarehouse {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-conformance-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static let loaded: Run? = {
        guard let files = try? Repository.csvFiles(in: Repository.sampleExports) else { return nil }
        return try? Binary.run(["load", "-q", "--db", "w.db", "--timezone", "Asia/Kuala_Lumpur"] + files, in: directory)
    }()
}

/// Parses CSV (RFC 4180) into rows of fields.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var quoted = false, wasQuoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true; wasQuoted = true }
        else if c == "," { row.append(field); field = ""; wasQuoted = false }
        else if c == "\n" || c == "\r\n" { row.append(field); rows.append(row); row = []; field = ""; wasQuoted = false }
        else if c != "\r" { field.append(c) }
    }
    if !field.isEmpty || wasQuoted || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

@Suite struct ConformanceTests {
    @Test func everyCaseOfTheFixturesIsHere() {
        #expect(ConformanceCase.all.count >= 53, "cases.json was not read from \(ConformanceCase.expectedDirectory.path)")
        let reports = Set(ConformanceCase.all.map(\.report))
        #expect(reports.count == 14, "the cases cover \(reports.count) reports")
    }

    /// `warehouse report NAME --format csv PARAMS…` against the expected CSV:
    /// the same columns, the same rows (in the same order where the SPEC names
    /// one), the same values (numbers within the case's tolerance).
    @Test(arguments: ConformanceCase.all)
    func reportMatchesTheExpectedCSV(_ c: ConformanceCase) throws {
        let load = try #require(ConformanceWarehouse.loaded)
        try #require(load.status == 0, "loading the fixtures failed: \(load.stderr)")
        try Self.check(c, db: "w.db")
    }

    /// Runs case `c` on the warehouse `db` (a file of `ConformanceWarehouse.directory`, or
    /// a URL) and compares it with the expected CSV: what every store's tests call.
    static func check(_ c: ConformanceCase, db: String) throws {
        let run = try Binary.run(["report", c.report, "--db", db, "--format", "csv"] + c.params, in: ConformanceWarehouse.directory)
        try #require(run.status == 0, "\(run.stderr)")
        let expectedText = try String(contentsOf: ConformanceCase.expectedDirectory.appendingPathComponent(c.expected), encoding: .utf8)
        let got = parseCSV(run.stdout), expected = parseCSV(expectedText)
        try #require(!got.isEmpty && !expected.isEmpty)
        #expect(got[0] == expected[0], "columns")
        try #require(got[0] == expected[0])
        let columns = expected[0]
        let gotRows = Array(got.dropFirst()), expectedRows = Array(expected.dropFirst())
        #expect(expectedRows.count == c.rows)
        try #require(gotRows.count == expectedRows.count, "\(gotRows.count) rows, expected \(expectedRows.count)")

        // Rows are paired by position where the order matters, else by key.
        var pairs: [(got: [String], expected: [String], position: Int)] = []
        if c.order != nil || c.positional || c.key == nil {
            pairs = zip(gotRows, expectedRows).enumerated().map { ($1.0, $1.1, $0) }
        } else {
            let keyIndexes = c.key!.compactMap { columns.firstIndex(of: $0) }
            let byKey = Dictionary(gotRows.map { row in (keyIndexes.map { row[$0] }, row) }, uniquingKeysWith: { a, _ in a })
            #expect(byKey.count == gotRows.count, "the key \(c.key!) repeats")
            for (position, row) in expectedRows.enumerated() {
                let key = keyIndexes.map { row[$0] }
                guard let match = byKey[key] else {
                    Issue.record("no row for key \(key)")
                    continue
                }
                pairs.append((match, row, position))
            }
        }
        var differences: [String] = []
        for (gotRow, expectedRow, position) in pairs {
            for (i, column) in columns.enumerated() where gotRow[i] != expectedRow[i] {
                var tolerance = c.tolerance[column] ?? 0
                if c.kpiDependent.contains(column) { tolerance = c.secondsRows.contains(position) ? 1 : 0 }
                if column == "change_pct" { tolerance = 0.01 }
                if tolerance > 0, let a = Double(gotRow[i]), let b = Double(expectedRow[i]), abs(a - b) <= tolerance + 1e-9 { continue }
                differences.append("row \(position + 1) \(column): got '\(gotRow[i])', expected '\(expectedRow[i])'")
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(5).joined(separator: "\n"))")
    }
}
