/// What `%cache prune` removes (`hf cache prune`): detached revisions (no ref points to
/// them), `.incomplete` leftovers of interrupted downloads, and shared blobs no repo links to.
/// An `.incomplete` file whose download lock is held right now is in progress and is kept.
public struct CachePrunePlan: Sendable, Equatable {
    /// Detached revisions by repo `type/id`.
    public var detachedByRepo: [String: [CachedRevision]]
    public var revisionPlan: CacheDeletionPlan
    public var incompleteFiles: [IncompleteFile]
    /// Incomplete files skipped because a download holds their lock.
    public var inProgress: [IncompleteFile]
    public var sharedBlobs: [String: Int64]

    public var revisionCount: Int { detachedByRepo.values.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { revisionCount == 0 && incompleteFiles.isEmpty && sharedBlobs.isEmpty }
    public var expectedFreedSize: Int64 {
        revisionPlan.expectedFreedSize + incompleteFiles.reduce(0) { $0 + $1.sizeOnDisk } + sharedBlobs.values.reduce(0, +)
    }

    /// "2 unreferenced revision(s), 1 incomplete download(s) and 1 unreferenced shared blob(s)".
    public var summary: String {
        var parts: [String] = []
        if revisionCount > 0 { parts.append("\(revisionCount) unreferenced revision(s)") }
        if !incompleteFiles.isEmpty { parts.append("\(incompleteFiles.count) incomplete download(s)") }
        if !sharedBlobs.isEmpty { parts.append("\(sharedBlobs.count) unreferenced shared blob(s)") }
        guard parts.count > 1 else { return parts.joined() }
        return parts.dropLast().joined(separator: ", ") + " and " + parts.last!
    }

    /// Deletes everything planned; returns the paths that could not be removed.
    @discardableResult
    public func execute() -> [String] {
        var failures = revisionPlan.execute()
        for file in incompleteFiles {
            // Re-check: a download may have started since the plan was made.
            if FileSystem.isLocked(CachePrunePlan.lockPath(of: file.filePath, cacheDir: revisionPlan.cacheDir)) { continue }
            if !FileSystem.removeFile(file.filePath) { failures.append(file.filePath) }
        }
        let store = SharedBlobStore(cacheDir: revisionPlan.cacheDir)
        for payload in sharedBlobs.keys.sorted() { store.sweep(payload) }
        return failures
    }

    /// `<cache>/.locks/<repo folder>/<etag>.lock` for `<cache>/<repo folder>/blobs/<etag>.incomplete`,
    /// the lock `hf_hub_download` holds while it writes the file.
    public static func lockPath(of incompleteFile: String, cacheDir: String) -> String {
        let blobs = FileSystem.parent(of: incompleteFile)
        let repoFolder = FileSystem.name(of: FileSystem.parent(of: blobs))
        let etag = String(FileSystem.name(of: incompleteFile).dropLast(".incomplete".count))
        return cacheDir + "/.locks/" + repoFolder + "/" + etag + ".lock"
    }
}

extension CacheInfo {
    /// The prune plan for this scan.
    public func planPrune() -> CachePrunePlan {
        var detached: [String: [CachedRevision]] = [:]
        for repo in repos {
            let revisions = repo.revisions.filter { $0.refs.isEmpty }
            if !revisions.isEmpty { detached[repo.cacheID] = revisions }
        }
        let hashes = Set(detached.values.flatMap { $0.map(\.commitHash) })
        var idle: [IncompleteFile] = []
        var busy: [IncompleteFile] = []
        for file in incompleteFiles {
            if FileSystem.isLocked(CachePrunePlan.lockPath(of: file.filePath, cacheDir: cacheDir)) {
                busy.append(file)
            } else {
                idle.append(file)
            }
        }
        return CachePrunePlan(detachedByRepo: detached, revisionPlan: planDeletion(revisions: hashes).plan,
                              incompleteFiles: idle, inProgress: busy, sharedBlobs: unreferencedSharedBlobs)
    }
}
