import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads and writes owner-only files (the token file, `stored_tokens`) the way
/// `huggingface_hub`'s `_write_secret` leaves them: file mode 0600, its folder 0700.
///
/// Unlike Python (which truncates the existing file, writes, then chmods), the content goes
/// to a new 0600 file in the same folder that then replaces the old one, so there is no moment
/// where the new secret sits in a file others can read. A symlinked path is written through.
/// Python also chmods the folder 0700 even when it is a team's setgid, group-writable folder (a shared `HF_HOME`), which locks the
/// team out of the cache in it; here such a folder keeps its mode (the 0600 file is still private, and `%doctor`
/// says the token should not live there).
public enum SecretFile {
    public static let fileMode: mode_t = 0o600
    public static let folderMode: mode_t = 0o700

    /// Why a secret file could not be written or read.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Writes `content` (UTF-8) to `path` with mode 0600 and sets its folder to 0700 (unless it is a team folder, see `TeamCache`).
    public static func write(_ content: String, to path: String) throws {
        let target = resolvingSymlink(path)
        let folder = (target as NSString).deletingLastPathComponent
        try createFolder(folder)
        let temporary = folder + "/." + (target as NSString).lastPathComponent + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        guard descriptor >= 0 else {
            // A folder we may not create files in (a mounted secret): rewrite the file in place,
            // restricting its mode before the new content goes in.
            let reason = errnoText()
            if (try? writeInPlace(content, to: target)) != nil { return }
            throw Failure(path: target, reason: "cannot create a file next to it (\(reason))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(content.utf8))
            fchmod(descriptor, fileMode)
            try handle.close()
        } catch {
            unlink(temporary)
            throw Failure(path: target, reason: "cannot write (\(error.localizedDescription))")
        }
        guard rename(temporary, target) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw Failure(path: target, reason: "cannot replace the file (\(reason))")
        }
        if !TeamCache.isTeamFolder(folder) { chmod(folder, folderMode) }
    }

    private static func writeInPlace(_ content: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(path: path, reason: errnoText()) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard fchmod(descriptor, fileMode) == 0, ftruncate(descriptor, 0) == 0 else { throw Failure(path: path, reason: errnoText()) }
        try handle.write(contentsOf: Data(content.utf8))
        try handle.close()
    }

    /// The file's text, `nil` when it does not exist. Throws when it exists but cannot be read.
    public static func read(_ path: String) throws -> String? {
        guard let data = try readData(path) else { return nil }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(path: path, reason: "is not valid UTF-8")
        }
        return text
    }

    /// The file's bytes, `nil` when it does not exist.
    public static func readData(_ path: String) throws -> Data? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw Failure(path: path, reason: errnoText())
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw Failure(path: path, reason: "is a folder, not a file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(path: path, reason: "cannot be read (permission denied?)")
        }
        return data
    }

    /// Deletes the file; a missing file is fine.
    public static func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw Failure(path: path, reason: "cannot delete (\(errnoText()))") }
    }

    /// The permission bits of `path` (`0o600` …), `nil` when it does not exist.
    public static func permissions(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// Creates `folder` like `Path.mkdir(parents=True, exist_ok=True, mode=0o700)`: missing
    /// parents with the default mode (0777 less the umask), the folder itself 0700.
    static func createFolder(_ folder: String, mode: mode_t = folderMode) throws {
        var info = stat()
        if stat(folder, &info) == 0 { return }
        let parent = (folder as NSString).deletingLastPathComponent
        if parent != folder, !parent.isEmpty { try createFolder(parent, mode: 0o777) }
        if mkdir(folder, mode) != 0, errno != EEXIST {
            throw Failure(path: folder, reason: "cannot create the folder (\(errnoText()))")
        }
    }

    private static func resolvingSymlink(_ path: String) -> String {
        guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return path }
        if destination.hasPrefix("/") { return destination }
        return ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(destination)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
