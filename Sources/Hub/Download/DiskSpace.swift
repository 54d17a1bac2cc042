import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Free space checks (statvfs) and the file-size-limit signal.
enum DiskSpace {
    /// Bytes available to this user on the file system holding `folder`.
    static func available(folder: String) -> Int64? { FileSystem.space(at: folder)?.available }

    /// Throws `diskFull` when `folder` has less than `needed` bytes free.
    static func check(folder: String, needed: Int64, path: String, kept: Int64) throws {
        guard needed > 0, let free = available(folder: folder), free < needed else { return }
        throw HubError(.diskFull(path: path, needed: needed, available: free, kept: kept))
    }

    /// `ulimit -f` sends SIGXFSZ, which would end the process; ignored, a write fails with EFBIG instead.
    static let ignoreFileSizeSignal: Void = { signal(SIGXFSZ, SIG_IGN) }()
}
