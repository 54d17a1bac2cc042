import Foundation

/// The cache folder does not exist (`CacheNotFound`).
public struct CacheNotFound: UserFacingError, Equatable {
    public let cacheDir: String
    public var name: String { "CacheNotFound" }
    public var message: String {
        "Cache directory not found: \(cacheDir). Nothing has been downloaded there yet; set HF_HUB_CACHE (or HF_HOME) if your cache lives elsewhere."
    }
}

/// The cache path is a file, not a folder.
public struct CacheIsAFile: UserFacingError, Equatable {
    public let path: String
    public var name: String { "ValueError" }
    public var message: String {
        "Scan cache expects a directory but found a file: \(path). Point HF_HUB_CACHE at the cache folder."
    }
}

/// Scans a `huggingface_hub` cache folder the way `scan_cache_dir` does: same repos,
/// revisions, sizes, refs and warnings (corrupted repos are skipped and reported), plus
/// incomplete downloads and the shared Xet blob store.
///
/// ```swift
/// let info = try CacheScanner(cacheDir: env.hubCache).scan()
/// info.repos.map(\.cacheID)   // ["dataset/org/data", "model/gpt2"]
/// ```
public struct CacheScanner: Sendable {
    /// OS helper files that never count as cache entries.
    static let ignoredNames: Set<String> = [".DS_Store", "Thumbs.db", "desktop.ini"]
    static let repoTypes = ["datasets": "dataset", "kernels": "kernel", "models": "model", "spaces": "space"]

    public let cacheDir: String

    public init(cacheDir: String) { self.cacheDir = cacheDir }

    public func scan() throws -> CacheInfo {
        let expanded = cacheDir.hasPrefix("~") ? NSString(string: cacheDir).expandingTildeInPath : cacheDir
        guard let root = FileSystem.realPath(expanded), let rootStatus = FileSystem.status(of: root) else {
            throw CacheNotFound(cacheDir: FileSystem.normalize(expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded))
        }
        guard rootStatus.kind == .directory else { throw CacheIsAFile(path: root) }

        let store = SharedBlobStore(cacheDir: root)
        let storeMarked = store.isMarked
        let entries = FileSystem.entries(in: root) ?? []
        func isCandidate(_ entry: FileSystem.Entry) -> Bool {
            !(Self.ignoredNames.contains(entry.name) || entry.name == ".locks" || entry.name == "CACHEDIR.TAG"
              || (entry.name == SharedBlobStore.folderName && storeMarked))
        }
        // Top-level entries are independent: scan them on every core, keep the directory order for warnings.
        var results = [Result<CachedRepo, CacheWarning>?](repeating: nil, count: entries.count)
        var incomplete = [[IncompleteFile]](repeating: [], count: entries.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: entries.count) { index in
            let entry = entries[index]
            let path = root + "/" + entry.name
            let blobs = entry.kind == .regular ? nil : FileSystem.Directory(path: path + "/blobs")  // opened once for both
            let blobNames = blobs?.entries() ?? []
            let result = isCandidate(entry) ? scanRepo(path, entryKind: entry.kind, blobs: blobs, blobCount: blobNames.count) : nil
            let partial = blobs.map { incompleteFiles(in: path, blobs: $0, names: blobNames) } ?? []
            lock.withLock {
                results[index] = result
                incomplete[index] = partial
            }
        }
        var repos: [CachedRepo] = []
        var warnings: [CacheWarning] = []
        for result in results {
            switch result {
            case .success(let repo)?: repos.append(repo)
            case .failure(let warning)?: warnings.append(warning)
            case nil: break
            }
        }
        repos.sort { $0.cacheID < $1.cacheID }

        return CacheInfo(cacheDir: root, repos: repos, incompleteFiles: incomplete.joined().sorted { $0.filePath < $1.filePath },
                         warnings: warnings, sizeOnDisk: physicalSize(of: repos, store: storeMarked ? store : nil),
                         unreferencedSharedBlobs: store.unreferencedPayloads())
    }

    /// The cache-wide total: per-repo sizes are logical, this counts each physical payload once.
    /// When every repo's blobs live in its own folder (the usual case) no payload can be shared, so
    /// the repo sizes add up; otherwise (links leaving a repo, a marked Xet store) blob by blob.
    func physicalSize(of repos: [CachedRepo], store: SharedBlobStore?) -> Int64 {
        let selfContained = store == nil && repos.allSatisfy { repo in
            let own = repo.repoPath + "/"
            return repo.revisions.allSatisfy { $0.files.allSatisfy { $0.blobPath.hasPrefix(own) } }
        }
        if selfContained { return repos.reduce(0) { $0 + $1.sizeOnDisk } }
        var physical: [String: Int64] = [:]
        for repo in repos {
            for revision in repo.revisions {
                for file in revision.files where store?.target(ofRepoBlob: file.blobPath) == nil {
                    physical[file.blobPath] = file.sizeOnDisk
                }
            }
        }
        for payload in store?.payloads() ?? [] { physical[payload] = FileSystem.status(of: payload)?.size ?? 0 }
        return physical.values.reduce(0, +)
    }

    /// `<entry>/blobs/*.incomplete` (Python globs `*/blobs/*.incomplete` under the cache root).
    func incompleteFiles(in folder: String, blobs: FileSystem.Directory, names: [FileSystem.Entry]) -> [IncompleteFile] {
        names.compactMap { blob in
            guard blob.name.hasSuffix(".incomplete"), let size = blobs.status(of: blob.name)?.size else { return nil }
            return IncompleteFile(filePath: folder + "/blobs/" + blob.name, sizeOnDisk: size)
        }
    }

    /// `_scan_cached_repo`: a repo, or the first problem that makes it unusable.
    /// `blobs` is the repo's open `blobs` folder, if any, holding `blobCount` entries.
    func scanRepo(_ repoPath: String, entryKind: FileSystem.Entry.Kind, blobs: FileSystem.Directory?, blobCount: Int) -> Result<CachedRepo, CacheWarning> {
        func fail(_ kind: CacheWarning.Kind, _ path: String, _ message: String) -> Result<CachedRepo, CacheWarning> {
            .failure(CacheWarning(kind: kind, path: path, message: message))
        }
        guard let repoStatus = FileSystem.status(of: repoPath), repoStatus.kind == .directory else {
            return fail(.notADirectory, repoPath, "Repo path is not a directory: \(repoPath)")
        }
        let folderName = FileSystem.name(of: repoPath)
        guard let separator = folderName.range(of: "--") else {
            return fail(.notARepoFolder, repoPath, "Repo path is not a valid HuggingFace cache directory: \(repoPath)")
        }
        let prefix = String(folderName[..<separator.lowerBound])
        let repoID = Self.repoID(fromFolderName: folderName[separator.upperBound...])
        guard let repoType = Self.repoTypes[prefix] else {
            let known = Self.repoTypes.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return fail(.unknownRepoType, repoPath, "Repo type must be one of [\(known)], found `\(prefix)` (\(repoPath)).")
        }

        let snapshotsPath = repoPath + "/snapshots"
        let refsPath = repoPath + "/refs"
        guard FileSystem.status(of: snapshotsPath)?.kind == .directory else {
            return fail(.missingSnapshots, snapshotsPath, "Snapshots dir doesn't exist in cached repo: \(snapshotsPath)")
        }

        // refs: commit hash -> ref names (content read as is, like Python: a trailing newline makes it unknown)
        var refsByHash: [String: Set<String>] = [:]
        if let refsStatus = FileSystem.status(of: refsPath) {
            guard refsStatus.kind == .directory else {
                return fail(.refsIsAFile, refsPath, "Refs directory cannot be a file: \(refsPath)")
            }
            for (relative, kind) in FileSystem.walk(refsPath) where kind != .directory {
                let refPath = refsPath + "/" + relative
                if Self.ignoredNames.contains(FileSystem.name(of: relative)) { continue }
                if kind == .symlink, FileSystem.status(of: refPath)?.kind == .directory { continue }
                guard let data = FileManager.default.contents(atPath: refPath) else {
                    return fail(.unreadableRef, refPath, "Ref file cannot be read: \(refPath)")
                }
                refsByHash[String(decoding: data, as: UTF8.self), default: []].insert(relative)
            }
        }

        // Names are looked up relative to open folders (snapshot folders, the repo's blobs), not as full paths.
        let snapshots = FileSystem.Directory(path: snapshotsPath)
        let blobsPrefix = repoPath + "/blobs/"
        func blobStatus(_ blobPath: String) -> FileSystem.Status? {
            if let blobs, blobPath.hasPrefix(blobsPrefix) {
                let name = blobPath.utf8.dropFirst(blobsPrefix.utf8.count)
                if !name.contains(UInt8(ascii: "/")) { return blobs.status(of: String(Substring(name))) }
            }
            return FileSystem.status(of: blobPath)
        }

        // Each blob once per repo, with the last revision that counted it (one hash lookup per file).
        var blobStats: [String: (status: FileSystem.Status, revision: Int)] = [:]
        blobStats.reserveCapacity(blobCount)
        var revisions: [CachedRevision] = []
        for snapshot in snapshots?.entries() ?? [] {
            if Self.ignoredNames.contains(snapshot.name) { continue }
            let revisionPath = snapshotsPath + "/" + snapshot.name
            guard let revisionStatus = snapshots?.status(of: snapshot.name), revisionStatus.kind == .directory else {
                return fail(.fileInSnapshots, revisionPath, "Snapshots folder corrupted. Found a file: \(revisionPath)")
            }
            var files: [CachedFile] = []
            var size: Int64 = 0
            var broken: String?
            if let revision = snapshots?.subdirectory(snapshot.name) {
                FileSystem.walk(revision) { holder, relative, name, kind in
                    guard kind != .directory, broken == nil else { return }
                    let filePath = revisionPath + "/" + relative
                    var blobPath = filePath
                    var ownStatus: FileSystem.Status?
                    if kind == .symlink, let link = holder.readLink(name) {
                        blobPath = FileSystem.resolve(link, besideLinkAt: filePath)
                    } else {
                        ownStatus = holder.status(of: name)
                    }
                    let status: FileSystem.Status
                    if let known = blobStats.index(forKey: blobPath) {
                        status = blobStats.values[known].status
                        if blobStats.values[known].revision != revisions.count {
                            blobStats.values[known].revision = revisions.count
                            size += status.size
                        }
                    } else {
                        guard let fresh = ownStatus ?? blobStatus(blobPath) else {
                            broken = blobPath
                            return
                        }
                        if fresh.kind == .directory { return }  // a link to a folder: Python skips it as a directory
                        status = fresh
                        blobStats[blobPath] = (fresh, revisions.count)
                        size += fresh.size
                    }
                    files.append(CachedFile(fileName: name, filePath: filePath, blobPath: blobPath,
                                            sizeOnDisk: status.size, blobLastAccessed: status.accessed,
                                            blobLastModified: status.modified))
                }
            }
            if let broken { return fail(.brokenSymlink, broken, "Blob missing (broken symlink): \(broken)") }
            let lastModified = files.isEmpty ? revisionStatus.modified : files.map(\.blobLastModified).max()!
            let refs = refsByHash.removeValue(forKey: snapshot.name) ?? []
            revisions.append(CachedRevision(commitHash: snapshot.name, snapshotPath: revisionPath, sizeOnDisk: size,
                                            files: files, refs: refs.sorted(),
                                            lastModified: lastModified))
        }

        if !refsByHash.isEmpty {
            let described = refsByHash.keys.sorted().map { hash in
                "'\(hash)': {" + refsByHash[hash]!.sorted().map { "'\($0)'" }.joined(separator: ", ") + "}"
            }.joined(separator: ", ")
            return fail(.refToMissingCommit, repoPath, "Reference(s) refer to missing commit hashes: {\(described)} (\(repoPath)).")
        }

        let lastAccessed = blobStats.isEmpty ? repoStatus.accessed : blobStats.values.map(\.status.accessed).max()!
        let lastModified = blobStats.isEmpty ? repoStatus.modified : blobStats.values.map(\.status.modified).max()!
        return .success(CachedRepo(repoID: repoID, repoType: repoType, repoPath: repoPath,
                                   sizeOnDisk: blobStats.values.reduce(0) { $0 + $1.status.size }, fileCount: blobStats.count,
                                   revisions: revisions.sorted { $0.commitHash < $1.commitHash },
                                   lastAccessed: lastAccessed, lastModified: lastModified))
    }

    /// `org--name` → `org/name`: Python's `repo_name.replace("--", "/")` (left to right, no overlaps).
    static func repoID(fromFolderName name: Substring) -> String {
        let dash = UInt8(ascii: "-")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        var previousWasDash = false
        for byte in name.utf8 {
            if byte == dash && previousWasDash {
                bytes[bytes.count - 1] = UInt8(ascii: "/")
                previousWasDash = false
            } else {
                bytes.append(byte)
                previousWasDash = byte == dash
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
