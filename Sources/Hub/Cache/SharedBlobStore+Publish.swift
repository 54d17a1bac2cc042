import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writing into the shared Xet blob store as `huggingface_hub` 2.4 does after a Xet download
/// (`try_link_from_shared_store`, `publish_blob_to_shared_store`): the payload moves to
/// `<cache>/blobs/<hh>/<xet hash>`, the repo blob becomes a relative symlink to it, and the
/// manifest line is flushed before the symlink appears. Best effort, like Python: any failure
/// leaves (or restores) the repo blob as a regular file and returns false.
extension SharedBlobStore {
    /// Makes `blobPath` a link to the store's payload for `xetHash` when one of `expectedSize`
    /// bytes is there (another repo or revision downloaded the same file): no download needed.
    public func linkExisting(repoBlob blobPath: String, xetHash: String, expectedSize: Int64) -> Bool {
        guard Self.isXetHash(Substring(xetHash)), isMarked, let relative = relativeRepoBlobPath(blobPath) else { return false }
        let payload = payloadPath(xetHash)
        return withPayloadLock(payload) { () -> Bool in
            guard isUsable(payload, size: expectedSize), let link = temporaryLink(beside: blobPath, to: payload) else { return false }
            defer { unlink(link) }
            return appendReference(relative, to: payload) && rename(link, blobPath) == 0
        } ?? false
    }

    /// Moves a freshly downloaded and verified `blobPath` into the store and links it back.
    /// `replacing`: a forced download replaces a payload already there.
    public func publish(repoBlob blobPath: String, xetHash: String, expectedSize: Int64, replacing: Bool = false) -> Bool {
        guard Self.isXetHash(Substring(xetHash)), let relative = relativeRepoBlobPath(blobPath),
              preparePrefixFolder(for: xetHash) else { return false }
        let payload = payloadPath(xetHash)
        return withPayloadLock(payload) { () -> Bool in
            guard let link = temporaryLink(beside: blobPath, to: payload) else { return false }
            defer { unlink(link) }
            let reuse = !replacing && isUsable(payload, size: expectedSize)
            guard appendReference(relative, to: payload) else { return false }
            if !reuse {
                chmod(blobPath, payloadMode)
                guard rename(blobPath, payload) == 0 else { return false }
            }
            if rename(link, blobPath) == 0 { return true }
            if !reuse && (try? FileManager.default.copyItem(atPath: payload, toPath: blobPath)) == nil { rename(payload, blobPath) }
            return false
        } ?? false
    }

    /// Whether a usable payload for `xetHash` of `expectedSize` bytes is in the store (`has_shared_blob`).
    public func hasPayload(xetHash: String, expectedSize: Int64) -> Bool {
        Self.isXetHash(Substring(xetHash)) && isMarked && isUsable(payloadPath(xetHash), size: expectedSize)
    }

    /// `<cache>/blobs/<hh>/<hash>`.
    func payloadPath(_ xetHash: String) -> String { directory + "/" + xetHash.prefix(2) + "/" + xetHash }

    /// `<type>s--…/blobs/<name>`, the manifest's form of a repo blob path.
    private func relativeRepoBlobPath(_ blobPath: String) -> String? {
        isRepoBlobPath(blobPath) ? String(blobPath.dropFirst(cacheDir.count + 1)) : nil
    }

    private func isUsable(_ payload: String, size: Int64) -> Bool {
        guard let status = FileSystem.linkStatus(of: payload), status.kind == .regular, status.size == size else { return false }
        return access(payload, R_OK) == 0
    }

    /// Read-only, readable by whoever can traverse the cache root (`_shared_blob_mode`).
    private var payloadMode: mode_t {
        guard let cacheMode = cacheRootMode else { return 0o400 }
        return 0o400 | (cacheMode & 0o010 != 0 ? 0o040 : 0) | (cacheMode & 0o001 != 0 ? 0o004 : 0)
    }

    /// The cache root's permission bits, for the store's folders (`_shared_directory_mode`).
    private var folderMode: mode_t {
        (cacheRootMode ?? 0o700) & 0o7777 & ~mode_t(0o4000)
    }

    private var cacheRootMode: mode_t? {
        var info = stat()
        return stat(cacheDir, &info) == 0 ? info.st_mode : nil
    }

    /// Creates and marks `<cache>/blobs` (refusing an unmarked folder with other content) and the
    /// hash's prefix folder (`_ensure_shared_blobs_dir`, `_ensure_prefix_dir`).
    private func preparePrefixFolder(for xetHash: String) -> Bool {
        mkdir(directory, 0o777)
        if !isMarked {
            guard FileSystem.linkStatus(of: directory)?.kind == .directory,
                  FileSystem.entries(in: directory)?.isEmpty == true else { return false }
            chmod(directory, folderMode)
            let marker = directory + "/" + Self.markerName
            let temporary = marker + "." + String(format: "%08x", UInt32.random(in: 0...UInt32.max)) + ".tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data("1\n".utf8)) else { return false }
            chmod(temporary, payloadMode)
            guard rename(temporary, marker) == 0 else { unlink(temporary); return false }
            guard isMarked else { return false }
        }
        let prefix = directory + "/" + xetHash.prefix(2)
        mkdir(prefix, 0o777)
        guard FileSystem.linkStatus(of: prefix)?.kind == .directory else { return false }
        chmod(prefix, folderMode)
        return true
    }

    /// Runs `body` holding `<payload>.lock` (a regular file of mode 0666, never a symlink).
    private func withPayloadLock<T>(_ payload: String, _ body: () -> T) -> T? {
        let lock = payload + ".lock"
        let fd = open(lock, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return nil }
        var info = stat()
        let isRegular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        if isRegular { fchmod(fd, 0o666) }
        close(fd)
        guard isRegular else { return nil }
        return FileSystem.withExclusiveLock(lock, body)
    }

    /// `.<name>.<8 hex>.shared` beside the repo blob: a relative symlink to `payload`.
    private func temporaryLink(beside blobPath: String, to payload: String) -> String? {
        let folder = (blobPath as NSString).deletingLastPathComponent
        let name = (blobPath as NSString).lastPathComponent
        let link = folder + "/." + name + "." + String(format: "%08x", UInt32.random(in: 0...UInt32.max)) + ".shared"
        let target = "../../" + Self.folderName + "/" + payload.dropFirst(directory.count + 1)
        return symlink(target, link) == 0 ? link : nil
    }

    /// Appends `relative` to the payload's `.refs` manifest and flushes it (`_append_manifest_reference`).
    private func appendReference(_ relative: String, to payload: String) -> Bool {
        let fd = open(payload + ".refs", O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o666)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        fchmod(fd, 0o666)
        let line = Array((relative + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, line.count) }
        return written == line.count && fsync(fd) == 0
    }
}
