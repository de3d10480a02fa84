import Foundation
import TestSupport
@testable import WarehouseCore

/// A fresh temporary directory per test, removed when released.
typealias TempDir = TemporaryFolder

extension TemporaryFolder {
    func warehouse(timeZone: String = "UTC", name: String = "w.db") throws -> Warehouse {
        try Warehouse.openForWriting(path: path(name), timeZone: timeZone)
    }
}

/// The conformance fixtures (`Tests/Fixtures/small`).
enum Fixtures {
    static var small: URL { Repository.sample }

    static func exportFiles() throws -> [String] { try Repository.csvFiles(in: Repository.sampleExports) }
}

extension Database {
    func int(_ sql: String, _ args: [SQLValue] = []) throws -> Int64? { try scalar(sql, args)?.int64 }
    func text(_ sql: String, _ args: [SQLValue] = []) throws -> String? { try scalar(sql, args)?.string }
}

/// Runs `body` with a CSV reader over `text`.
func withReader(_ text: String, bufferSize: Int = 1 << 20, separator: UInt8 = UInt8(ascii: ","), _ body: (CSVReader) throws -> Void) throws {
    let dir = try TempDir()
    let path = try dir.write("f.csv", text)
    let reader = try CSVReader(path: path, bufferSize: bufferSize)
    reader.separator = separator
    try body(reader)
}

/// Every record of `text` as (line, fields).
func records(_ text: String, bufferSize: Int = 1 << 20, separator: UInt8 = UInt8(ascii: ",")) throws -> [(Int, [String])] {
    var out: [(Int, [String])] = []
    try withReader(text, bufferSize: bufferSize, separator: separator) { r in
        while try r.next() { out.append((r.line, r.strings)) }
    }
    return out
}

extension ReportArguments {
    /// Arguments as a test writes them, set unchecked: a bad value is refused when the report resolves them.
    init(from: String? = nil, to: String? = nil, tz: String? = nil, by: String? = nil, groupBy: String? = nil, team: String? = nil,
         user: String? = nil, channel: String? = nil, limit: Int? = nil, percentile: Double? = nil) {
        self.init()
        (self.from, self.to, self.tz, self.by, self.groupBy) = (from, to, tz, by, groupBy)
        (self.team, self.user, self.channel) = (team, user, channel)
        self[.limit] = limit.map { String($0) }
        self[.percentile] = percentile.map { $0 == $0.rounded() ? String(Int($0)) : String($0) }
    }
}
