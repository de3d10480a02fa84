import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

/// The warehouse holds every customer's messages: a file the program creates
/// is its owner's alone, and so are the files beside it and the temporary
/// files that hold a request's records.
@Suite struct PrivateFilesTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func mode(_ path: String) -> mode_t? { PathInfo(path)?.mode }

    /// A new warehouse is 0600, and its write-ahead log and shared memory
    /// (which SQLite creates with the database file's mode) too.
    @Test func aNewWarehouseAndItsLogAreTheOwnersAlone() throws {
        let path = dir.path("w.db")
        let w = try Warehouse.openForWriting(path: path)
        try w.db.execute("INSERT INTO settings(key, value) VALUES ('t', 'x')")
        #expect(mode(path) == 0o600)
        #expect(mode(path + "-wal") == 0o600)
        #expect(mode(path + "-shm") == 0o600)
    }

    /// A warehouse made without the log (a first load) has a rollback journal
    /// while it writes: 0600 as well.
    @Test func aFirstLoadsJournalIsTheOwnersAlone() throws {
        let path = dir.path("first.db")
        let w = try Warehouse.openForWriting(path: path, newFileWithoutLog: true)
        #expect(w.writesWithoutLog)
        try w.db.execute("BEGIN IMMEDIATE; INSERT INTO settings(key, value) VALUES ('t', 'x')")
        #expect(mode(path + "-journal") == 0o600, "the journal is there while the transaction writes")
        try w.db.execute("ROLLBACK")
        #expect(mode(path) == 0o600)
    }

    /// An existing file keeps its mode (shared with a group on purpose, say),
    /// and the files SQLite makes beside it take that mode.
    @Test func anExistingWarehouseKeepsItsMode() throws {
        let path = dir.path("shared.db")
        do { _ = try Warehouse.openForWriting(path: path) }
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        #expect(chmod(path, 0o640) == 0)
        let w = try Warehouse.openForWriting(path: path)
        try w.db.execute("INSERT INTO settings(key, value) VALUES ('t', 'x')")
        #expect(mode(path) == 0o640)
        #expect(mode(path + "-wal") == 0o640)
    }

    /// A file that is not the warehouse's is not made: a folder that cannot
    /// be written is still SQLite's error to give.
    @Test func nothingIsMadeWhereTheWarehouseCannotBe() throws {
        let path = dir.path("no/such/folder/w.db")
        #expect(throws: (any Error).self) { try Warehouse.openForWriting(path: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// A temporary file (a CSV body being loaded) is 0600, in a folder of its
    /// own of mode 0700; `remove()` deletes both.
    @Test func aTemporaryFileIsPrivateAndRemovedWithItsFolder() throws {
        let file = try PrivateTemporaryFile(Array("a,b\n1,2\n".utf8), name: "body.csv")
        #expect((file.path as NSString).deletingLastPathComponent == file.folder)
        #expect(file.folder.hasPrefix(FileManager.default.temporaryDirectory.path))
        #expect(mode(file.path) == 0o600)
        #expect(mode(file.folder) == 0o700)
        #expect(contents(file.path) == "a,b\n1,2\n")
        let other = try PrivateTemporaryFile([], name: "body.csv")
        #expect(other.folder != file.folder)
        file.remove()
        other.remove()
        #expect(!FileManager.default.fileExists(atPath: file.path) && !FileManager.default.fileExists(atPath: file.folder))
        #expect(!FileManager.default.fileExists(atPath: other.folder))
    }
}
