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
        let candidates = (FileSystem.entries(in: root) ?? []).filter { entry in
            !(Self.ignoredNames.contains(entry.name) || entry.name == ".locks" || entry.name == "CACHEDIR.TAG"
              || (entry.name == SharedBlobStore.folderName && storeMarked))
        }
        // Repos are independent: scan them on every core, keep the directory order for warnings.
        var results = [Result<CachedRepo, CacheWarning>?](repeating: nil, count: candidates.count)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: candidates.count) { index in
            let result = scanRepo(root + "/" + candidates[index].name, entryKind: candidates[index].kind)
            lock.withLock { results[index] = result }
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

        // Per-repo sizes are logical; the total counts each physical payload once.
        var physical: [String: Int64] = [:]
        for repo in repos {
            for revision in repo.revisions {
                for file in revision.files where !storeMarked || store.target(ofRepoBlob: file.blobPath) == nil {
                    physical[file.blobPath] = file.sizeOnDisk
                }
            }
        }
        for payload in store.payloads() { physical[payload] = FileSystem.status(of: payload)?.size ?? 0 }
        let total = physical.values.reduce(0, +)

        return CacheInfo(cacheDir: root, repos: repos, incompleteFiles: incompleteFiles(in: root), warnings: warnings,
                         sizeOnDisk: total, unreferencedSharedBlobs: store.unreferencedPayloads())
    }

    /// `*/blobs/*.incomplete` under the cache root.
    func incompleteFiles(in root: String) -> [IncompleteFile] {
        var result: [IncompleteFile] = []
        for entry in FileSystem.entries(in: root) ?? [] where entry.kind != .regular {
            let blobs = root + "/" + entry.name + "/blobs"
            for blob in FileSystem.entries(in: blobs) ?? [] where blob.name.hasSuffix(".incomplete") {
                let path = blobs + "/" + blob.name
                if let size = FileSystem.status(of: path)?.size { result.append(IncompleteFile(filePath: path, sizeOnDisk: size)) }
            }
        }
        return result.sorted { $0.filePath < $1.filePath }
    }

    /// `_scan_cached_repo`: a repo, or the first problem that makes it unusable.
    func scanRepo(_ repoPath: String, entryKind: FileSystem.Entry.Kind) -> Result<CachedRepo, CacheWarning> {
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
        let repoID = folderName[separator.upperBound...].replacingOccurrences(of: "--", with: "/")
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

        var blobStats: [String: FileSystem.Status] = [:]
        var revisions: [CachedRevision] = []
        for snapshot in FileSystem.entries(in: snapshotsPath) ?? [] {
            if Self.ignoredNames.contains(snapshot.name) { continue }
            let revisionPath = snapshotsPath + "/" + snapshot.name
            guard let revisionStatus = FileSystem.status(of: revisionPath), revisionStatus.kind == .directory else {
                return fail(.fileInSnapshots, revisionPath, "Snapshots folder corrupted. Found a file: \(revisionPath)")
            }
            var files: [CachedFile] = []
            var revisionBlobs = Set<String>()
            for (relative, kind) in FileSystem.walk(revisionPath) where kind != .directory {
                let filePath = revisionPath + "/" + relative
                let blobPath: String
                if kind == .symlink, let link = FileSystem.readLink(filePath) {
                    blobPath = FileSystem.resolve(link, besideLinkAt: filePath)
                } else {
                    blobPath = filePath
                }
                let status: FileSystem.Status
                if let known = blobStats[blobPath] {
                    status = known
                } else {
                    guard let fresh = FileSystem.status(of: blobPath) else {
                        return fail(.brokenSymlink, blobPath, "Blob missing (broken symlink): \(blobPath)")
                    }
                    if fresh.kind == .directory { continue }  // a link to a folder: Python skips it as a directory
                    status = fresh
                    blobStats[blobPath] = fresh
                }
                revisionBlobs.insert(blobPath)
                files.append(CachedFile(fileName: FileSystem.name(of: filePath), filePath: filePath, blobPath: blobPath,
                                        sizeOnDisk: status.size, blobLastAccessed: status.accessed,
                                        blobLastModified: status.modified))
            }
            let lastModified = files.isEmpty ? revisionStatus.modified : files.map(\.blobLastModified).max()!
            let size = revisionBlobs.reduce(Int64(0)) { $0 + blobStats[$1]!.size }
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

        let lastAccessed = blobStats.isEmpty ? repoStatus.accessed : blobStats.values.map(\.accessed).max()!
        let lastModified = blobStats.isEmpty ? repoStatus.modified : blobStats.values.map(\.modified).max()!
        return .success(CachedRepo(repoID: repoID, repoType: repoType, repoPath: repoPath,
                                   sizeOnDisk: blobStats.values.reduce(0) { $0 + $1.size }, fileCount: blobStats.count,
                                   revisions: revisions.sorted { $0.commitHash < $1.commitHash },
                                   lastAccessed: lastAccessed, lastModified: lastModified))
    }
}
