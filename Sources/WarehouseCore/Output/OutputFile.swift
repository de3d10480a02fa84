import Foundation

/// A write that failed: what could not be written (a path, or words such as
/// "the output") and the system's reason.
public struct WriteError: Error, CustomStringConvertible {
    public let target: String
    /// The `errno` of the failed call.
    public let code: Int32

    public init(target: String, code: Int32) {
        self.target = target
        self.code = code
    }

    public var reason: String { String(cString: strerror(code)) }
    public var description: String { "cannot write \(target): \(reason)" }
}

/// A file the user named for output (the shell's `.once` and `.output`, a
/// command's `--out`), opened as sqlite3 and a shell's `>` open one: for
/// writing, created when missing (mode 0666 less the umask) and truncated,
/// through a symbolic link, into a named pipe or a device. Nothing is renamed
/// or removed, so a link stays a link and its target gets the bytes, a pipe's
/// reader gets them, an existing file keeps its inode, owner and mode, and
/// `/dev/null` stays a device. A failed write throws a `WriteError`; nothing
/// traps (`FileHandle.write` does).
///
/// A path that names the file standard output or error already writes to
/// (`/dev/stdout`, or the file output is redirected to) is written through a
/// copy of that descriptor: opened again, the file would be truncated and
/// written over from its start while the stream goes on writing at its end.
///
/// `replacing(path:)` is the variant for a page readers may be reading while
/// it is written.
public final class OutputFile {
    /// The path as named.
    public let path: String
    private var descriptor: Int32
    private var replacement: Replacement?
    private var failed = false

    /// A temporary file beside `target`, renamed over it by `close()`.
    private struct Replacement {
        let temporary: String
        let target: String
        /// The mode the replaced file had (nil: a new file, whose mode came from the umask).
        let mode: mode_t?
    }

    /// Opens `path` for writing, truncated (see the type's comment).
    public init(path: String) throws {
        self.path = path
        descriptor = Self.standardStream(at: path).map { fcntl($0, F_DUPFD_CLOEXEC, 0) }
            ?? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw WriteError(target: path, code: errno) }
    }

    /// Standard output or error, when `path` names the file it writes to.
    private static func standardStream(at path: String) -> Int32? {
        var named = stat()
        guard stat(path, &named) == 0 else { return nil }
        for stream in [STDOUT_FILENO, STDERR_FILENO] {
            var info = stat()
            if fstat(stream, &info) == 0, info.st_dev == named.st_dev, info.st_ino == named.st_ino { return stream }
        }
        return nil
    }

    private init(path: String, descriptor: Int32, replacement: Replacement) {
        self.path = path
        self.descriptor = descriptor
        self.replacement = replacement
    }

    /// Opens `path` so that a reader sees the old file or the new one whole,
    /// never a part: when `path` is a regular file, or nothing, the bytes go to
    /// a temporary file beside it (`.NAME.RANDOM`) that `close()` renames over
    /// it. A symbolic link is followed, and a regular file at its end is
    /// replaced the same way: the link stays a link. Everything else is written
    /// through as `init(path:)` writes, because replacing it would lose what it
    /// is: a named pipe or a device; a file with other hard links (they would
    /// keep the old bytes); a file owned by another user (the new one would be
    /// ours) or one this user may not write (renaming would get around its
    /// mode); standard output's or error's file; a link whose target is
    /// missing; a folder where no temporary file can be made. The new file gets
    /// the old one's mode.
    public static func replacing(path: String) throws -> OutputFile {
        var target = path
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else { return try OutputFile(path: path) }
            target = String(cString: resolved)
            free(resolved)
        }
        var mode: mode_t?
        if stat(target, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1, info.st_uid == geteuid(),
                  access(target, W_OK) == 0, standardStream(at: target) == nil else { return try OutputFile(path: path) }
            mode = info.st_mode & 0o7777
        } else if errno != ENOENT {
            return try OutputFile(path: path)
        }
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        for _ in 0..<100 {
            let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 {
                return OutputFile(path: path, descriptor: fd,
                                  replacement: Replacement(temporary: temporary, target: target, mode: mode))
            }
            if errno != EEXIST { break }
        }
        return try OutputFile(path: path)
    }

    deinit {
        if descriptor >= 0 { Foundation.close(descriptor) }
        if let replacement { unlink(replacement.temporary) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard descriptor >= 0 else { throw WriteError(target: path, code: EBADF) }
        do {
            try Self.write(bytes, to: descriptor, naming: path)
        } catch {
            failed = true
            throw error
        }
    }

    /// Finishes the file. A replacing file whose writes all succeeded is
    /// renamed over its target; after a failed write its temporary file is
    /// removed and the old file stays as it was.
    public func close() throws {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        descriptor = -1
        let closed = Foundation.close(fd) == 0
        let closeError = errno
        guard let replacement else {
            if !closed && closeError != EINTR { throw WriteError(target: path, code: closeError) }
            return
        }
        self.replacement = nil
        var failure: Int32?
        if failed {
            failure = nil
        } else if !closed && closeError != EINTR {
            failure = closeError
        } else if let mode = replacement.mode, chmod(replacement.temporary, mode) != 0 {
            failure = errno
        } else if rename(replacement.temporary, replacement.target) == 0 {
            return
        } else {
            failure = errno
        }
        unlink(replacement.temporary)
        if let failure { throw WriteError(target: path, code: failure) }
    }

    /// Writes all of `bytes` to `descriptor`, again after a signal or a short
    /// write: the one loop every output goes through, standard output
    /// included. `target` names what is written in the error.
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32, naming target: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written > 0 {
                offset += written
            } else if written == 0 {
                throw WriteError(target: target, code: EIO)
            } else if errno != EINTR {
                throw WriteError(target: target, code: errno)
            }
        }
    }
}
