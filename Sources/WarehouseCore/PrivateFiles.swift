import Foundation

/// Files only their owner may read. The warehouse holds every customer's
/// messages, and a CSV body waiting to be loaded holds some: neither is left
/// for the other users of the machine to read.
public enum PrivateFiles {
    /// Creates `path` empty with mode 0600 when nothing is there, so that the
    /// database SQLite then opens in it, and its `-wal`, `-shm` and `-journal`
    /// files (which SQLite creates with the database file's mode), are the
    /// owner's alone. An existing file keeps its mode; a path where nothing
    /// can be created is left for SQLite's own open to fail on and explain.
    static func createDatabaseFile(_ path: String) {
        // SQLite's own names for a database that is not a file.
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
    }
}

/// A temporary file of mode 0600 in a folder of its own of mode 0700 (made
/// by `mkdtemp` in the temporary folder, `$TMPDIR` or `/tmp`): what it holds
/// is not for the machine's other users to read, nor its name to be guessed.
/// `remove()` deletes both.
public final class PrivateTemporaryFile {
    public let path: String
    /// The folder made for it.
    public let folder: String

    /// Writes `bytes` to a new file called `name` in a new private folder.
    public init(_ bytes: [UInt8], name: String) throws {
        let base = FileManager.default.temporaryDirectory.path
        var template = Array((base + "/warehouse-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw WriteError(target: base, code: errno)
        }
        folder = String(cString: made)
        path = folder + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let code = errno
            rmdir(folder)
            throw WriteError(target: path, code: code)
        }
        defer { close(fd) }
        do {
            try bytes.withUnsafeBytes { try OutputFile.write($0, to: fd, naming: path) }
        } catch {
            remove()
            throw error
        }
    }

    public func remove() {
        unlink(path)
        rmdir(folder)
    }
}
