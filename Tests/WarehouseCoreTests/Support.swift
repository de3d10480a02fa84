import Foundation
@testable import WarehouseCore

/// A fresh temporary directory per test, removed when released.
final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        try! Data(text.utf8).write(to: URL(fileURLWithPath: p))
        return p
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let p = path(name)
        try! Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func warehouse(timeZone: String = "UTC", name: String = "w.db") throws -> Warehouse {
        try Warehouse.openForWriting(path: path(name), timeZone: timeZone)
    }
}

enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared conformance fixtures when they sit beside the repository, else the bundled copy.
    static var small: URL {
        let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/small")
        if FileManager.default.fileExists(atPath: shared.appendingPathComponent("expected/cases.json").path) { return shared }
        return packageRoot.appendingPathComponent("Examples/small")
    }

    static var exportFiles: [String] {
        let dir = small.appendingPathComponent("exports")
        return (try! FileManager.default.contentsOfDirectory(atPath: dir.path)).filter { $0.hasSuffix(".csv") }.sorted()
            .map { dir.appendingPathComponent($0).path }
    }
}

extension Database {
    func int(_ sql: String, _ args: [SQLValue] = []) throws -> Int64? { try scalar(sql, args)?.int64 }
    func text(_ sql: String, _ args: [SQLValue] = []) throws -> String? { try scalar(sql, args)?.string }
}

/// Runs `body` with a CSV reader over `text`.
func withReader(_ text: String, bufferSize: Int = 1 << 20, _ body: (CSVReader) throws -> Void) throws {
    let dir = TempDir()
    let path = dir.write("f.csv", text)
    let reader = try CSVReader(path: path, bufferSize: bufferSize)
    try body(reader)
}

/// Every record of `text` as (line, fields).
func records(_ text: String, bufferSize: Int = 1 << 20) throws -> [(Int, [String])] {
    var out: [(Int, [String])] = []
    try withReader(text, bufferSize: bufferSize) { r in
        while try r.next() { out.append((r.line, r.strings)) }
    }
    return out
}
