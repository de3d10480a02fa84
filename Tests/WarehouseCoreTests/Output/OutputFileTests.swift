import Foundation
import Testing
@testable import WarehouseCore
import TestSupport

// Issue 19: a path the user names for output is written to, never replaced: a
// link stays a link, a pipe's reader gets the bytes, a device stays a device.
// Device nodes are made in the test's own folder, never the machine's /dev.

@Suite struct OutputFileTests {
    let dir: TempDir
    init() throws { dir = try TempDir() }

    func written(_ text: String, to path: String, replacing: Bool = false) throws {
        let file = replacing ? try OutputFile.replacing(path: path) : try OutputFile(path: path)
        try file.write(text)
        try file.close()
    }

    @Test func anExistingFileIsOverwrittenInPlaceAndTruncated() throws {
        let path = try dir.write("out.txt", "a longer text that was there before\n")
        chmod(path, 0o640)
        let before = try #require(PathInfo(path))
        try written("new\n", to: path)
        #expect(contents(path) == "new\n")
        #expect(PathInfo(path) == before, "the same file (inode and mode), not a new one")
    }

    @Test(arguments: [false, true]) func aNewFileGetsTheModeAShellGivesIt(replacing: Bool) throws {
        let reference = dir.path("reference")
        close(open(reference, O_WRONLY | O_CREAT, 0o666))  // 0666 less the umask, as `>` makes it
        let path = dir.path("new.txt")
        try written("x", to: path, replacing: replacing)
        #expect(contents(path) == "x")
        #expect(PathInfo(path)?.mode == PathInfo(reference)?.mode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["new.txt", "reference"])
    }

    @Test(arguments: [false, true]) func aSymbolicLinkStaysALinkAndItsTargetGetsTheBytes(replacing: Bool) throws {
        let target = try dir.write("target.txt", "old target text\n")
        let link = dir.path("link.txt")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
        try written("through the link\n", to: link, replacing: replacing)
        #expect(PathInfo(link)?.isSymlink == true)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.txt")
        #expect(contents(target) == "through the link\n")
        #expect(PathInfo(target)?.isRegular == true)
    }

    @Test(arguments: [false, true]) func aNamedPipesReaderGetsTheBytes(replacing: Bool) throws {
        let fifo = dir.path("fifo")
        try #require(mkfifo(fifo, 0o644) == 0)
        let reader = PipeReader(fifo)
        // More than a pipe holds, so that the writer waits on the reader.
        let text = String(repeating: "0123456789abcdef\n", count: 20_000)
        try written(text, to: fifo, replacing: replacing)
        #expect(reader.text() == text)
        #expect(PathInfo(fifo)?.isFIFO == true)
    }

    @Test(.enabled(if: DeviceNodes.available, "needs root (mknod) to make null and full devices in the test's own folder"),
          arguments: [false, true])
    func devicesStayDevices(replacing: Bool) throws {
        let null = dir.path("null"), full = dir.path("full")
        try DeviceNodes.make(null, DeviceNodes.null)
        try DeviceNodes.make(full, DeviceNodes.full)
        try written("gone\n", to: null, replacing: replacing)
        #expect(PathInfo(null)?.isCharacterDevice == true)
        #expect(PathInfo(null)?.device == DeviceNodes.number(DeviceNodes.null))

        let file = replacing ? try OutputFile.replacing(path: full) : try OutputFile(path: full)
        #expect(throws: WriteError.self) { try file.write("no room\n") }
        do { try file.write("no room\n") } catch {
            #expect("\(error)" == "cannot write \(full): No space left on device")
        }
        try file.close()
        #expect(PathInfo(full)?.isCharacterDevice == true)
        #expect(PathInfo(full)?.device == DeviceNodes.number(DeviceNodes.full))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["full", "null"])
    }

    @Test(arguments: [false, true]) func whatCannotBeOpenedIsOneLineWithThePathAndTheReason(replacing: Bool) throws {
        let missing = dir.path("no/such/folder/out.txt")
        #expect(throws: WriteError.self) { try written("x", to: missing, replacing: replacing) }
        do { try written("x", to: missing, replacing: replacing) } catch {
            #expect("\(error)" == "cannot write \(missing): No such file or directory")
        }
        let folder = dir.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        do { try written("x", to: folder, replacing: replacing) } catch {
            #expect("\(error)" == "cannot write \(folder): Is a directory")
        }
        #expect(PathInfo(folder)?.kind == S_IFDIR)
    }

    /// Root may write a file of mode 0444, so as root this case runs again as
    /// nobody, in a test process of its own (`AsNobody`), and passes only if
    /// it passes there.
    @Test(.enabled(if: AsNobody.available, "as root, needs setpriv to run this case as nobody"),
          arguments: [false, true])
    func aReadOnlyFileIsRefusedAndLeftAlone(replacing: Bool) throws {
        if AsNobody.isRoot {
            let run = try AsNobody.runTests(matching: "OutputFileTests/aReadOnlyFileIsRefusedAndLeftAlone")
            #expect(run.status == 0, "as nobody: \(run.output)")
            #expect(run.output.contains("aReadOnlyFileIsRefusedAndLeftAlone") && run.output.contains("passed"), "as nobody: \(run.output)")
            return
        }
        let path = try dir.write("ro.txt", "kept\n")
        chmod(path, 0o444)
        let before = try #require(PathInfo(path))
        do {
            try written("x", to: path, replacing: replacing)
            Issue.record("writing a read-only file should fail")
        } catch {
            #expect("\(error)" == "cannot write \(path): Permission denied")
        }
        #expect(contents(path) == "kept\n")
        #expect(PathInfo(path) == before)
    }

    // MARK: Replacing a regular file whole

    @Test func aReplacedFileIsWholeForItsReadersAndKeepsItsMode() throws {
        let path = try dir.write("page.html", "old page\n")
        chmod(path, 0o640)
        let before = try #require(PathInfo(path))
        let reader = try #require(FileHandle(forReadingAtPath: path))  // a reader that has the old page open
        let file = try OutputFile.replacing(path: path)
        try file.write("new page, ")
        #expect(contents(path) == "old page\n", "nothing of the new page shows before close")
        try file.write("whole\n")
        try file.close()
        #expect(contents(path) == "new page, whole\n")
        let after = try #require(PathInfo(path))
        #expect(after.inode != before.inode && after.mode == 0o640 && after.isRegular)
        #expect(String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) == "old page\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["page.html"], "no temporary file left")
    }

    @Test func aNewPageAppearsOnlyWhenClosed() throws {
        let path = dir.path("page.html")
        let file = try OutputFile.replacing(path: path)
        try file.write("page\n")
        #expect(PathInfo(path) == nil)
        try file.close()
        #expect(contents(path) == "page\n")
    }

    @Test func aPageNotFinishedLeavesTheOldOneAndNoTemporaryFile() throws {
        let path = try dir.write("page.html", "old page\n")
        do {
            let file = try OutputFile.replacing(path: path)
            try file.write("half a pa")
            // Dropped without close: a write failed, or the command stopped.
        }
        #expect(contents(path) == "old page\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["page.html"])
    }

    @Test func aFileWithOtherHardLinksIsWrittenThrough() throws {
        let path = try dir.write("page.html", "old page\n")
        let other = dir.path("other.html")
        try #require(link(path, other) == 0)
        let before = try #require(PathInfo(path))
        try written("new page\n", to: path, replacing: true)
        #expect(PathInfo(path) == before)
        #expect(contents(other) == "new page\n")
    }

    @Test func theWriteLoopSaysWhatFailedInsteadOfTrapping() throws {
        let path = try dir.write("in.txt", "x")
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        do {
            try [UInt8]("x".utf8).withUnsafeBytes { try OutputFile.write($0, to: fd, naming: "the output") }
            Issue.record("a write to a descriptor open for reading should fail")
        } catch {
            #expect("\(error)" == "cannot write the output: Bad file descriptor")
        }
    }
}
