/// What `scanCache` found, with the same fields as `huggingface_hub`'s `HFCacheInfo`,
/// `CachedRepoInfo`, `CachedRevisionInfo` and `CachedFileInfo`.

/// One file of a cached revision (`CachedFileInfo`).
public struct CachedFile: Sendable, Hashable {
    /// The file's name, without folders (`config.json`).
    public var fileName: String
    /// The entry in `snapshots/<commit>/…` (usually a symlink).
    public var filePath: String
    /// The repo-local blob the entry points to (first symlink hop; itself maybe a link into the shared store).
    public var blobPath: String
    public var sizeOnDisk: Int64
    public var blobLastAccessed: Double
    public var blobLastModified: Double
}

/// One `snapshots/<commit>` folder (`CachedRevisionInfo`).
public struct CachedRevision: Sendable, Hashable {
    public var commitHash: String
    public var snapshotPath: String
    /// Sum of the distinct blobs this revision links to.
    public var sizeOnDisk: Int64
    public var files: [CachedFile]
    /// Refs pointing here, sorted (`main`, `refs/pr/1`). Empty for a detached revision.
    public var refs: [String]
    public var lastModified: Double

    public var fileCount: Int { files.count }
    /// In the snapshot folder, the path of `file` relative to it (`sub/dir/file.txt`).
    public func relativePath(of file: CachedFile) -> String {
        String(file.filePath.dropFirst(snapshotPath.count + 1))
    }
}

/// One `models--org--name` folder (`CachedRepoInfo`).
public struct CachedRepo: Sendable, Hashable {
    public var repoID: String
    /// `model`, `dataset`, `space` or `kernel`.
    public var repoType: String
    public var repoPath: String
    /// Sum of the distinct blobs of every revision.
    public var sizeOnDisk: Int64
    /// Number of distinct blobs.
    public var fileCount: Int
    /// Sorted by commit hash.
    public var revisions: [CachedRevision]
    public var lastAccessed: Double
    public var lastModified: Double

    /// `type/id`, the name `hf cache` uses (`model/gpt2`).
    public var cacheID: String { repoType + "/" + repoID }
    /// Every ref of every revision, sorted.
    public var refs: [String] { revisions.flatMap(\.refs).sorted() }
}

/// An interrupted download (`CachedIncompleteFileInfo`).
public struct IncompleteFile: Sendable, Hashable {
    public var filePath: String
    public var sizeOnDisk: Int64
}

/// Something wrong in the cache that made the scan skip an entry (`CorruptedCacheException`).
/// `message` is word for word what `huggingface_hub` reports.
public struct CacheWarning: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case notADirectory, notARepoFolder, unknownRepoType, missingSnapshots, refsIsAFile
        case unreadableRef, fileInSnapshots, brokenSymlink, refToMissingCommit
    }
    public var kind: Kind
    /// The path the warning is about.
    public var path: String
    public var message: String
    public var description: String { message }
}

/// The whole cache (`HFCacheInfo`).
public struct CacheInfo: Sendable, Equatable {
    /// The scanned folder, with symlinks resolved.
    public var cacheDir: String
    /// Sorted by `type/id`.
    public var repos: [CachedRepo]
    public var incompleteFiles: [IncompleteFile]
    public var warnings: [CacheWarning]
    /// Physical size: each blob once, shared (Xet) payloads once, including store payloads no repo uses.
    public var sizeOnDisk: Int64
    /// Payloads in the shared blob store that no repo links to any more, with their sizes.
    public var unreferencedSharedBlobs: [String: Int64]

    public var incompleteSizeOnDisk: Int64 { incompleteFiles.reduce(0) { $0 + $1.sizeOnDisk } }

    /// The repo whose `type/id` is `cacheID` (case-insensitive, as `hf cache rm` matches).
    public func repo(cacheID: String) -> CachedRepo? {
        let wanted = cacheID.lowercased()
        return repos.first { $0.cacheID.lowercased() == wanted }
    }
}
