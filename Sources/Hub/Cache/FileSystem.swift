import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The POSIX file-system calls the cache engine needs, as value-returning functions.
/// This is the one place that handles their C pointers (`DIR*`, `dirent*`, path buffers).
///
/// ```swift
/// for entry in FileSystem.entries(in: "/cache") ?? [] where entry.kind == .directory { … }
/// FileSystem.status(of: "/cache/models--gpt2/blobs/abc")?.size
/// ```
public enum FileSystem {
    /// What `stat(2)` says about a path.
    public struct Status: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case regular, directory, symlink, other }
        public var kind: Kind
        public var size: Int64
        /// `st_atime` / `st_mtime` as seconds since 1970, with nanoseconds, as Python's `os.stat` gives them.
        public var accessed: Double
        public var modified: Double
        /// Permission bits (`st_mode & 0o7777`).
        public var permissions: UInt32
        public var device: UInt64
        public var owner: UInt32
        public var group: UInt32
    }

    /// One name in a directory, with the type `readdir` reports (`unknown` on some file systems).
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case directory, regular, symlink, other, unknown }
        public var name: String
        public var kind: Kind
    }

    /// The entries of `path` (without `.` and `..`), or nil when it cannot be read as a directory.
    public static func entries(in path: String) -> [Entry]? { Directory(path: path)?.entries() }

    /// `stat(2)`: follows symlinks.
    public static func status(of path: String) -> Status? { status(at: AT_FDCWD, path, flags: 0) }

    /// `lstat(2)`: a symlink is described, not followed.
    public static func linkStatus(of path: String) -> Status? { status(at: AT_FDCWD, path, flags: AT_SYMLINK_NOFOLLOW) }

    /// The target a symlink holds, as written (relative or absolute).
    public static func readLink(_ path: String) -> String? { readLink(at: AT_FDCWD, path) }

    /// `fstatat(2)`: `path` relative to the open folder `descriptor` (or the working directory).
    static func status(at descriptor: Int32, _ path: String, flags: Int32) -> Status? {
        var raw = stat()
        guard fstatat(descriptor, path, &raw, flags) == 0 else { return nil }
        return Status(raw)
    }

    /// `readlinkat(2)`: `path` relative to the open folder `descriptor` (or the working directory).
    static func readLink(at descriptor: Int32, _ path: String) -> String? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Int(PATH_MAX) + 1) { buffer -> String? in
            let count = readlinkat(descriptor, path, UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count - 1)
            guard count >= 0 else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// `realpath(3)`: absolute, with every symlink resolved.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Creates a symlink at `path` pointing to `target`.
    @discardableResult
    public static func makeSymlink(at path: String, to target: String) -> Bool { symlink(target, path) == 0 }

    /// Removes a file or a symlink (not what it points to). True when it is gone afterwards.
    @discardableResult
    public static func removeFile(_ path: String) -> Bool { unlink(path) == 0 || errno == ENOENT }

    /// Removes a directory tree without following symlinks inside it (what `shutil.rmtree` does).
    @discardableResult
    public static func removeTree(_ path: String) -> Bool {
        guard let status = linkStatus(of: path) else { return true }
        guard status.kind == .directory else { return removeFile(path) }
        for entry in entries(in: path) ?? [] { removeTree(path + "/" + entry.name) }
        return rmdir(path) == 0
    }

    /// Whether another process (or another open file) holds an exclusive `flock` on `path`,
    /// tested without waiting. Python's `filelock` takes the same kind of lock, so a download
    /// in progress in Python or in HubKernel shows up here. A missing file is not locked.
    public static func isLocked(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_EX | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Takes an exclusive `flock` on `path` (created if missing, as `FileLock` does for downloads) and
    /// runs `body` while holding it. Gives up after `timeout` seconds and returns nil.
    public static func withExclusiveLock<T>(_ path: String, timeout: Double = 10, _ body: () -> T) -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        return try? FileLock.withLock(path, isCancelled: { Date() >= deadline }, body)
    }

    /// Free and total bytes of the file system holding `path` (`statvfs`), for an unprivileged user.
    public static func space(at path: String) -> (available: Int64, total: Int64)? {
        var raw = statvfs()
        guard statvfs(path, &raw) == 0 else { return nil }
        let unit = Int64(raw.f_frsize)
        return (Int64(raw.f_bavail) * unit, Int64(raw.f_blocks) * unit)
    }

    /// Whether the current user may write into `path` (`access(W_OK)`).
    public static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// This process's umask, from `/proc/self/status` (reading it with `umask(2)` would change it for a moment,
    /// under the feet of other threads); where that file has no `Umask:` line, by setting and restoring it.
    public static var currentUmask: mode_t {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Umask:") }),
           let mask = mode_t(line.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) {
            return mask
        }
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    /// The current user's id.
    public static var currentUser: UInt32 { getuid() }

    /// Every entry under `folder` (relative paths), descending into real folders only, not
    /// into symlinked ones — what `Path.glob("**/*")` does.
    public static func walk(_ folder: String) -> [(String, FileSystem.Entry.Kind)] {
        var result: [(String, FileSystem.Entry.Kind)] = []
        if let directory = Directory(path: folder) {
            walk(directory) { _, relative, _, kind in result.append((relative, kind)) }
        }
        return result
    }

    /// `walk(_:)` on an open directory: `visit(holder, relativePath, name, kind)` gets each entry with the
    /// open directory holding it, so callers can look the name up relative to it. Folders are visited too;
    /// `descend` says which folders (by name) to go into.
    public static func walk(_ directory: Directory, descend: (_ name: String) -> Bool = { _ in true },
                            _ visit: (_ holder: Directory, _ relativePath: String, _ name: String, _ kind: Entry.Kind) -> Void) {
        // Folders are opened when their turn comes, so only the chain of parents stays open.
        var pending: [(parent: Directory, name: String?, relative: String)] = [(directory, nil, "")]
        while let (parent, name, relative) = pending.popLast() {
            guard let folder = name.map({ parent.subdirectory($0) }) ?? parent else { continue }
            for entry in folder.entries() ?? [] {
                let path = relative.isEmpty ? entry.name : relative + "/" + entry.name
                var kind = entry.kind
                if kind == .unknown || kind == .other {
                    switch folder.linkStatus(of: entry.name)?.kind {
                    case .directory?: kind = .directory
                    case .symlink?: kind = .symlink
                    default: kind = .regular
                    }
                }
                if kind == .directory, descend(entry.name) { pending.append((folder, entry.name, path)) }
                visit(folder, path, entry.name, kind)
            }
        }
    }

    /// Python's `os.path.abspath` for an absolute path: `.`, `..` and repeated slashes are
    /// removed lexically, without looking at the disk (symlinks are not resolved).
    public static func normalize(_ path: String) -> String {
        if !needsNormalizing(path.utf8[...]) && path.utf8.first == UInt8(ascii: "/") { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `normalize(parent(of: link) + "/" + target)` for the usual `../../blobs/<etag>` targets,
    /// working on bytes: leading `../` climb folders, the rest is appended.
    public static func resolve(_ target: String, besideLinkAt link: String) -> String {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        let targetBytes = Array(target.utf8)
        if targetBytes.first == slash { return normalize(target) }
        let linkBytes = Array(link.utf8)
        guard var end = linkBytes.lastIndex(of: slash) else { return normalize("/" + link + "/../" + target) }
        var start = 0
        while targetBytes.count - start >= 3, targetBytes[start] == dot, targetBytes[start + 1] == dot, targetBytes[start + 2] == slash {
            guard let up = linkBytes[..<end].lastIndex(of: slash) else { return normalize(link + "/../" + target) }
            end = up
            start += 3
        }
        let rest = targetBytes[start...]
        var joined = Array(linkBytes[..<end])
        joined.append(slash)
        joined.append(contentsOf: rest)
        let path = String(decoding: joined, as: UTF8.self)
        return rest.first == dot || needsNormalizing(rest) ? normalize(path) : path
    }

    /// Whether a path holds `//`, `/.` or ends with `/`.
    private static func needsNormalizing<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var previousWasSlash = false
        for byte in bytes {
            if previousWasSlash && (byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".")) { return true }
            previousWasSlash = byte == UInt8(ascii: "/")
        }
        return previousWasSlash
    }

    /// The nearest existing path at or above `path` when it is not a folder (a file where a folder of the cache
    /// must be made, e.g. `HF_HOME` pointing at a file); nil when nothing is in the way.
    public static func fileInTheWay(of path: String) -> String? {
        var current = path
        while status(of: current) == nil && current != "/" && current != "." { current = parent(of: current) }
        guard let found = status(of: current) else { return nil }
        return found.kind == .directory ? nil : current
    }

    /// The folder holding `path` (`os.path.dirname`).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path` (`os.path.basename`).
    public static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension FileSystem.Status {
    init(_ raw: stat) {
        switch raw.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        size = Int64(raw.st_size)
        accessed = Double(raw.st_atim.tv_sec) + Double(raw.st_atim.tv_nsec) / 1e9
        modified = Double(raw.st_mtim.tv_sec) + Double(raw.st_mtim.tv_nsec) / 1e9
        permissions = UInt32(raw.st_mode & 0o7777)
        device = UInt64(raw.st_dev)
        owner = UInt32(raw.st_uid)
        group = UInt32(raw.st_gid)
    }
}
