import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A cache folder a team shares: setgid and group-writable (`install -d -m 2775 -g team`). Whatever HubKernel writes
/// there must stay usable by the group (folders and lock and partial files group-writable), even for a user whose
/// umask is the usual 022, which would leave folders 0755 that nobody else can add a file to. huggingface_hub 2.4
/// follows the umask (it mirrors the cache root's mode only in its Xet blob store), so one such user locks the rest
/// of the team out of every repo folder they created first.
public enum TeamCache {
    /// Whether `cacheDir` is a team folder: setgid and group-writable.
    public static func isTeamFolder(_ cacheDir: String) -> Bool {
        guard let status = FileSystem.status(of: cacheDir), status.kind == .directory else { return false }
        return status.permissions & UInt32(S_ISGID) != 0 && status.permissions & 0o070 == 0o070
    }

    /// Runs `body` with the group's read and write bits cleared from the umask when `cacheDir` is a team folder.
    /// The umask is the process's: a secret file is still private (created 0600 and chmodded), and the hosted
    /// Python is a process of its own.
    public static func withGroupAccess<T>(_ cacheDir: String, _ body: () throws -> T) rethrows -> T {
        let mask = FileSystem.currentUmask
        guard mask & 0o070 != 0, isTeamFolder(cacheDir) else { return try body() }
        umask(mask & ~0o070)
        defer { umask(mask) }
        return try body()
    }
}
