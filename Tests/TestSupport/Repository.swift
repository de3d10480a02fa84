import Foundation

/// Where the tests find what they read: the repository's own files only
/// (`Tests/Fixtures`, see its README), and the built binary. A fixture that
/// is missing or unreadable is an error naming its path, for the test that
/// needs it to fail with; never a crash of the test process.
public enum Repository {
    /// The repository's root (this file is `Tests/TestSupport/Repository.swift`).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    /// The conformance fixtures: `exports/` and `expected/`.
    public static let sample = fixtures.appendingPathComponent("small")
    /// The sample's export files.
    public static let sampleExports = sample.appendingPathComponent("exports")
    /// The signed sample webhook bodies and their key.
    public static let webhooks = fixtures.appendingPathComponent("webhooks")

    /// A fixture could not be read.
    public struct MissingFixture: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot read the fixture \(path): \(reason)" }
    }

    /// The bytes of a fixture.
    public static func data(_ url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch {
            throw MissingFixture(path: url.path, reason: FileManager.default.fileExists(atPath: url.path) ? "\(error)" : "no such file")
        }
    }

    /// A fixture as UTF-8 text.
    public static func text(_ url: URL) throws -> String { String(decoding: try data(url), as: UTF8.self) }

    /// The `.csv` files of a folder, sorted by name, as paths; an error when the folder cannot be listed or has none.
    public static func csvFiles(in folder: URL) throws -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path) } catch {
            throw MissingFixture(path: folder.path, reason: "the folder cannot be listed")
        }
        let files = names.filter { $0.hasSuffix(".csv") }.sorted().map { folder.appendingPathComponent($0).path }
        if files.isEmpty { throw MissingFixture(path: folder.path, reason: "no .csv file in it") }
        return files
    }

    /// The built `warehouse` binary: beside the test bundle, or in `.build/debug`.
    public static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [beside, beside.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")] {
            let url = candidate.appendingPathComponent("warehouse")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return root.appendingPathComponent(".build/debug/warehouse")
    }
}

/// A temporary folder of one test's, removed when released.
public final class TemporaryFolder {
    public let url: URL

    public init(prefix: String = "warehouse-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `text` to the file `name` in the folder; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }
}
