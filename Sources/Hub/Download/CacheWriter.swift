import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the pieces of the shared cache exactly as `huggingface_hub` 2.4.0 does: refs,
/// relative snapshot symlinks, `.no_exist` markers and `CACHEDIR.TAG`.
public enum CacheWriter {
    /// `CACHEDIR_TAG_CONTENT` from `_local_folder.py`, byte for byte.
    public static let cacheDirTag = "Signature: 8a477f597d28d172789f06886806bc55\n"
        + "# This file is a cache directory tag created by huggingface_hub.\n"
        + "# For information about cache directory tags, see:\n"
        + "#\thttps://bford.info/cachedir/\n"

    /// Creates `CACHEDIR.TAG` in `folder` unless it exists (errors ignored, as in Python).
    public static func ensureCacheDirTag(in folder: String) {
        let path = folder + "/CACHEDIR.TAG"
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? Data(cacheDirTag.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// `_cache_commit_hash_for_specific_revision`: `refs/<revision>` holds `commit` with no
    /// newline, replaced atomically; nothing happens when `revision` is the commit itself.
    public static func writeRef(_ layout: CacheLayout, _ repo: RepoID, revision: String, commit: String) throws {
        guard revision != commit else { return }
        let path = layout.ref(repo, revision: revision)
        if let current = try? String(contentsOfFile: path, encoding: .utf8), current == commit { return }
        try atomicWrite(Data(commit.utf8), to: path)
    }

    /// The commit `refs/<revision>` names, if cached.
    public static func readRef(_ layout: CacheLayout, _ repo: RepoID, revision: String) -> String? {
        var isDirectory: ObjCBool = false
        let path = layout.ref(repo, revision: revision)
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return nil }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// The commit a revision means locally: itself when it is a commit hash, else its ref.
    public static func localCommit(_ layout: CacheLayout, _ repo: RepoID, revision: String) -> String? {
        CommitHash.isValid(revision) ? revision : readRef(layout, repo, revision: revision)
    }

    /// The symlink target from `snapshots/<commit>/<path>` to `blobs/<etag>`:
    /// `../../blobs/<etag>`, one more `../` per folder in `path`.
    public static func symlinkTarget(path: String, etag: String) -> String {
        let depth = path.split(separator: "/").count - 1
        return String(repeating: "../", count: 2 + depth) + "blobs/" + etag
    }

    /// Puts `snapshots/<commit>/<path>` in place for `blobs/<etag>` (replacing whatever was there):
    /// a relative symlink; or, when `symlinks` is false (`HF_HUB_DISABLE_SYMLINKS`) or the file
    /// system refuses symlinks, the file itself, as `huggingface_hub` does: a blob this run
    /// downloaded (`newBlob`) is moved there, an older one copied.
    public static func link(_ layout: CacheLayout, _ repo: RepoID, commit: String, path: String, etag: String,
                            symlinks: Bool = true, newBlob: Bool = false) throws {
        let pointer = layout.snapshotFile(repo, commit: commit, path: path)
        try FileManager.default.createDirectory(atPath: (pointer as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        unlink(pointer)
        if symlinks {
            if symlink(symlinkTarget(path: path, etag: etag), pointer) == 0 || errno == EEXIST { return }
            guard [EPERM, EOPNOTSUPP, ENOSYS].contains(errno) else {
                throw HubError(.io(path: pointer, detail: String(cString: strerror(errno))))
            }
        }
        let blob = layout.blob(repo, etag: etag)
        if newBlob && rename(blob, pointer) == 0 { return }
        let copy = pointer + ".\(getpid()).copy"
        do {
            unlink(copy)
            try FileManager.default.copyItem(atPath: blob, toPath: copy)
        } catch {
            unlink(copy)
            throw HubError(.io(path: pointer, detail: "could not copy \(blob): \(error.localizedDescription)"))
        }
        guard rename(copy, pointer) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(copy)
            throw HubError(.io(path: pointer, detail: reason))
        }
    }

    /// Touches `.no_exist/<commit>/<path>`: the file is known to be missing at that commit.
    public static func markMissing(_ layout: CacheLayout, _ repo: RepoID, commit: String, path: String) {
        let marker = layout.noExistMarker(repo, commit: commit, path: path)
        try? FileManager.default.createDirectory(atPath: (marker as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: marker) {
            FileManager.default.createFile(atPath: marker, contents: Data())
        }
    }

    /// Writes `data` to a `<name>.<8 hex>.tmp` sibling, then renames it over `path`: readers see the old file or the
    /// whole new one. Like huggingface_hub's refs it is not fsynced (Foundation's `Data.write` fsyncs, which cost a
    /// cold `%info` a tenth of its time).
    public static func atomicWrite(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            if access(folder, F_OK) != 0 { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        } catch {
            throw HubError(.io(path: path, detail: error.localizedDescription))
        }
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
        let temporary = path + ".\(suffix).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, newFileMode)
        guard fd >= 0 else { throw HubError(.io(path: path, detail: String(cString: strerror(errno)))) }
        var done = 0
        let failure: Int32? = data.withUnsafeBytes { buffer in
            while done < buffer.count {
                let result = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += result
            }
            return nil
        }
        let closed = close(fd) == 0 ? nil : errno
        if let code = failure ?? closed ?? (rename(temporary, path) == 0 ? nil : errno) {
            unlink(temporary)
            throw HubError(.io(path: path, detail: String(cString: strerror(code))))
        }
    }

    /// The permission bits a new file gets (`0666 & ~umask`; see `TeamCache` for a shared cache).
    public static var newFileMode: mode_t { 0o666 & ~FileSystem.currentUmask }
}
