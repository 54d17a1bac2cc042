import Foundation

/// What deleting some revisions or files will remove, and how many bytes that frees
/// (`DeleteCacheStrategy`). Build one with `CacheInfo.planDeletion(revisions:)` or
/// `CacheInfo.planDeletion(files:)`, show it, then `execute()` it.
public struct CacheDeletionPlan: Sendable, Equatable {
    public var expectedFreedSize: Int64
    /// Repo-local blobs to delete (no remaining revision links to them).
    public var blobs: Set<String>
    public var refs: Set<String>
    /// Whole repo folders (every revision goes).
    public var repos: Set<String>
    public var snapshots: Set<String>
    /// Single snapshot entries (file deletions).
    public var files: Set<String>
    public var cacheDir: String

    public var isEmpty: Bool { blobs.isEmpty && refs.isEmpty && repos.isEmpty && snapshots.isEmpty && files.isEmpty }

    /// Deletes in the order that keeps the cache consistent if interrupted: snapshot entries,
    /// repos, snapshots, refs, then blobs; finally collects shared payloads left without references.
    /// Returns the paths that could not be removed.
    @discardableResult
    public func execute() -> [String] {
        let store = SharedBlobStore(cacheDir: cacheDir)
        var payloads = Set<String>()
        if store.isMarked {
            var repoBlobs = blobs
            for repo in repos {
                for entry in FileSystem.entries(in: repo + "/blobs") ?? [] { repoBlobs.insert(repo + "/blobs/" + entry.name) }
            }
            for blob in repoBlobs { if let payload = store.target(ofRepoBlob: blob) { payloads.insert(payload) } }
        }
        var failures: [String] = []
        for path in files.sorted() where !FileSystem.removeFile(path) { failures.append(path) }
        for path in (repos.sorted() + snapshots.sorted()) where !FileSystem.removeTree(path) { failures.append(path) }
        for path in (refs.sorted() + blobs.sorted()) where !FileSystem.removeTree(path) { failures.append(path) }
        for payload in payloads.sorted() { store.sweep(payload) }
        return failures
    }
}

extension CacheInfo {
    /// The plan to delete these revisions (`HFCacheInfo.delete_revisions`): a repo whose every
    /// revision goes is deleted whole; otherwise its snapshots and refs go, and only blobs no
    /// remaining revision links to. Hashes not in the cache are returned in `missing`.
    public func planDeletion(revisions hashes: Set<String>) -> (plan: CacheDeletionPlan, missing: [String]) {
        var wanted = Set(hashes.map { $0.lowercased() })
        var plan = emptyPlan
        var unlinked: [String: Int64] = [:]
        for repo in repos {
            let selected = repo.revisions.filter { wanted.contains($0.commitHash.lowercased()) }
            guard !selected.isEmpty else { continue }
            selected.forEach { wanted.remove($0.commitHash.lowercased()) }
            if selected.count == repo.revisions.count {
                plan.repos.insert(repo.repoPath)
                for revision in repo.revisions { for file in revision.files { unlinked[file.blobPath] = file.sizeOnDisk } }
                continue
            }
            let selectedHashes = Set(selected.map(\.commitHash))
            let kept = Set(repo.revisions.filter { !selectedHashes.contains($0.commitHash) }.flatMap { $0.files.map(\.blobPath) })
            for revision in selected {
                plan.snapshots.insert(revision.snapshotPath)
                for ref in revision.refs { plan.refs.insert(repo.repoPath + "/refs/" + ref) }
                for file in revision.files {
                    if file.blobPath.hasPrefix(revision.snapshotPath + "/") {  // a plain file in the snapshot
                        unlinked[file.blobPath] = file.sizeOnDisk
                    } else if !kept.contains(file.blobPath) {
                        plan.blobs.insert(file.blobPath)
                        unlinked[file.blobPath] = file.sizeOnDisk
                    }
                }
            }
        }
        plan.expectedFreedSize = freedSize(unlinking: unlinked)
        return (plan, hashes.filter { wanted.contains($0.lowercased()) }.sorted())
    }

    /// The plan to delete single snapshot entries (`HFCacheInfo.delete_files`): their blobs go
    /// only when no other cached file links to them; refs and snapshot folders stay.
    public func planDeletion(files selected: Set<String>) -> CacheDeletionPlan {
        var retained = Set<String>()
        var unlinked: [String: Int64] = [:]
        for repo in repos {
            for revision in repo.revisions {
                for file in revision.files where !selected.contains(file.filePath) { retained.insert(file.blobPath) }
            }
        }
        for repo in repos {
            for revision in repo.revisions {
                for file in revision.files where selected.contains(file.filePath) && !retained.contains(file.blobPath) {
                    unlinked[file.blobPath] = file.sizeOnDisk
                }
            }
        }
        var plan = emptyPlan
        plan.files = selected
        plan.blobs = Set(unlinked.keys).subtracting(selected)
        plan.expectedFreedSize = freedSize(unlinking: unlinked)
        return plan
    }

    private var emptyPlan: CacheDeletionPlan {
        CacheDeletionPlan(expectedFreedSize: 0, blobs: [], refs: [], repos: [], snapshots: [], files: [], cacheDir: cacheDir)
    }

    /// `_expected_freed_size`: plain blobs count their size; a shared payload counts once, and
    /// only when every live reference to it is among the unlinked blobs.
    func freedSize(unlinking blobs: [String: Int64]) -> Int64 {
        let store = SharedBlobStore(cacheDir: cacheDir)
        guard store.isMarked else { return blobs.values.reduce(0, +) }
        var total: Int64 = 0
        var payloads = Set<String>()
        for (blob, size) in blobs {
            if let payload = store.target(ofRepoBlob: blob) { payloads.insert(payload) } else { total += size }
        }
        let deleting = Set(blobs.keys)
        for payload in payloads { total += store.freedSize(of: payload, deleting: deleting) }
        return total
    }
}
