import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock on a file with `flock(2)`, the call Python's `filelock` uses, so a
/// download here and one in `huggingface_hub` never write the same blob at once. The
/// lock file is created with mode 0664 (as `WeakFileLock` does) and never deleted.
///
/// In a cache shared by a group, a lock file another user left read-only (an older client, umask 022) is still
/// usable: `flock` needs no write access on a local file system, so it is opened read-only (`filelock` raises
/// PermissionError there). Where the lock needs write access (NFS emulates `flock` with POSIX locks), the error
/// names the file's owner and the `chmod` that fixes it.
public enum FileLock {
    /// Runs `body` while holding the lock on `path`, polling every 50 ms so a wait can be cancelled.
    public static func withLock<T>(_ path: String, isCancelled: () -> Bool = { false }, _ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = try acquire(path, isCancelled: isCancelled)
        defer { flock(fd, LOCK_UN); close(fd) }
        return try body()
    }

    /// Opens and locks `path`; starts over when the file was replaced or unlinked meanwhile
    /// (newer `filelock` versions may remove lock files on release).
    private static func acquire(_ path: String, isCancelled: () -> Bool) throws -> Int32 {
        while true {
            var created = true
            var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o664)
            var readOnly = false
            if fd < 0 && errno == EEXIST {
                created = false
                fd = open(path, O_RDWR | O_CLOEXEC)
                if fd < 0 && errno == EACCES {
                    readOnly = true
                    fd = open(path, O_RDONLY | O_CLOEXEC)
                }
            }
            guard fd >= 0 else { throw HubError(.io(path: path, detail: String(cString: strerror(errno)))) }
            if created { fchmod(fd, 0o664) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    let reason = readOnly ? notWritable(fd) : String(cString: strerror(errno))
                    close(fd)
                    throw HubError(.io(path: path, detail: reason))
                }
                if isCancelled() { close(fd); throw HubError(.cancelled(kept: 0)) }
                usleep(50_000)
            }
            var held = stat(), named = stat()
            if fstat(fd, &held) == 0, held.st_nlink > 0, stat(path, &named) == 0, named.st_ino == held.st_ino, named.st_dev == held.st_dev {
                return fd
            }
            flock(fd, LOCK_UN)
            close(fd)
        }
    }

    /// Why a lock file opened read-only cannot be locked, and the fix.
    private static func notWritable(_ fd: Int32) -> String {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "cannot lock a file you may not write" }
        let owner = SharedCacheSurvey.userName(UInt32(info.st_uid))
        return "this file system needs write access to lock it, and it belongs to \(owner) (mode \(String(info.st_mode & 0o777, radix: 8))): "
            + "ask \(owner) to run `chmod g+w` on it, or delete it when no download runs"
    }
}
