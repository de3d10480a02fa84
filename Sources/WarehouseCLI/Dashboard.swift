import ArgumentParser
import Foundation
import WarehouseCore
import WarehouseDashboard

extension WarehouseCommand {
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the dashboard: the reports' charts and numbers on one self-contained HTML page.",
            discussion: """
                The overview KPIs against the previous period, the busiest hours, conversations opened and closed, \
                new and returning contacts, messages by channel and source, both leaderboards, both time breakdowns, \
                user performance, agents opening conversations, and the long and busy conversations: each report run with \
                the same parameters as `warehouse report`. The page fetches nothing (it opens offline and from an e-mail \
                attachment), reflows on a phone and prints on A4.
                """
        )

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var period: PeriodOptions

        @Option(name: .long, help: ArgumentHelp("The page's file; - for standard output.", valueName: "file"))
        var out = "dashboard.html"

        func validate() throws {
            if out.isEmpty { throw ValidationError("--out takes a file name, or - for standard output.") }
        }

        func run() throws {
            let warehouse = try Warehouse.openExisting(path: database.path)
            let page = try WarehouseDashboard.Dashboard.page(of: warehouse, period.arguments)
            try write(Array(page.utf8), to: out)
        }

        /// Where the page goes: standard output (`-`) or the file named. The one
        /// place the page is written: a shared helper for user-named outputs can
        /// take PageFile's place here.
        func write(_ bytes: [UInt8], to path: String) throws {
            if path == "-" { return Terminal.write(bytes: bytes) }
            try PageFile.write(bytes, to: path)
        }
    }
}

/// Writes a file the user named, never trapping: errors are one line,
/// `cannot write PATH: <reason>`.
///
/// A regular file (or a new one) is replaced whole: the bytes go to a
/// temporary file in the same folder, renamed over it, so a reader never sees
/// half a page. Anything else the path names (a symbolic link, a FIFO, a
/// device) is opened with truncation and written through, so that the link
/// keeps pointing where it did and a pipe gets the bytes.
enum PageFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw failure(path) }
            return try replace(path, with: bytes, mode: 0o666 & ~currentUmask())
        }
        if info.st_mode & S_IFMT == S_IFREG { return try replace(path, with: bytes, mode: info.st_mode & 0o7777) }
        let fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        try writeAll(bytes, to: fd, path: path)
    }

    private static func replace(_ path: String, with bytes: [UInt8], mode: mode_t) throws {
        let url = URL(fileURLWithPath: path)
        var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).XXXXXX").path.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failure(path) }
        let temporary = String(cString: template)
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw failure(path) }
            try writeAll(bytes, to: fd, path: path)
            guard fsync(fd) == 0 else { throw failure(path) }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = failure(path)
            unlink(temporary)
            throw error
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno != EINTR {
                    throw failure(path)
                }
            }
        }
    }

    private static func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    private static func failure(_ path: String) -> WarehouseError {
        WarehouseError("cannot write \(path): \(String(cString: strerror(errno)))")
    }
}
