import Foundation

// Helpers for tests of what a path is before and after it is written:
// WarehouseCoreTests (OutputFile) and WarehouseCLITests (the shell's files).

/// What `lstat` says of a path: its kind, inode, mode and (for a device) number.
public struct PathInfo: Equatable {
    public let kind: mode_t
    public let inode: UInt64
    public let mode: mode_t
    public let device: UInt64

    public init?(_ path: String) {
        var s = stat()
        guard lstat(path, &s) == 0 else { return nil }
        kind = s.st_mode & S_IFMT
        inode = UInt64(s.st_ino)
        mode = s.st_mode & 0o7777
        device = UInt64(s.st_rdev)
    }

    public var isSymlink: Bool { kind == S_IFLNK }
    public var isFIFO: Bool { kind == S_IFIFO }
    public var isRegular: Bool { kind == S_IFREG }
    public var isCharacterDevice: Bool { kind == S_IFCHR }
}

/// Character devices made with mknod(2) in a test's folder: Linux's null (1, 3)
/// and full (1, 7). Needs root and a file system that allows device nodes.
public enum DeviceNodes {
    public static let null = (major: UInt64(1), minor: UInt64(3))
    public static let full = (major: UInt64(1), minor: UInt64(7))

    /// Linux's dev_t of a major and minor number (glibc's makedev).
    public static func number(_ device: (major: UInt64, minor: UInt64)) -> UInt64 {
        ((device.major & 0xfffff000) << 32) | ((device.major & 0xfff) << 8)
            | ((device.minor & 0xffffff00) << 12) | (device.minor & 0xff)
    }

    public static func make(_ path: String, _ device: (major: UInt64, minor: UInt64)) throws {
        guard mknod(path, S_IFCHR | 0o666, dev_t(number(device))) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EPERM)
        }
    }

    /// Whether device nodes can be made here (as root, on a file system that allows them).
    public static let available: Bool = {
        #if os(Linux)
        guard geteuid() == 0 else { return false }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("warehouse-mknod-probe-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        return (try? make(dir.appendingPathComponent("null").path, null)) != nil
        #else
        return false
        #endif
    }()
}

/// Reads a named pipe on another thread, as a reader waiting on it would.
///
/// The read end is opened at once (without waiting for a writer) and a write
/// end of its own is held until `text()`, so a writer's open does not wait, and
/// the reader sees the end only when the test says the writer is done: a writer
/// that never comes, or writes somewhere else, cannot leave the test waiting.
public final class PipeReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var bytes: [UInt8] = []
    private var holder: Int32

    public init(_ path: String) {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        holder = fd >= 0 ? open(path, O_WRONLY) : -1
        if fd >= 0 { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        DispatchQueue.global().async { [self] in
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while fd >= 0 {
                let n = read(fd, &chunk, chunk.count)
                if n <= 0 { break }
                bytes += chunk[0..<n]
            }
            if fd >= 0 { close(fd) }
            done.signal()
        }
    }

    /// What the reader got; call it once the writer is done.
    public func text() -> String {
        if holder >= 0 { close(holder) }
        holder = -1
        done.wait()
        return String(decoding: bytes, as: UTF8.self)
    }
}

public func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }
