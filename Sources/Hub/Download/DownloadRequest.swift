/// What to download: one or more files of a repo, or a whole snapshot (filtered).
public struct DownloadRequest: Sendable, Equatable {
    public var repo: RepoID
    /// Repo paths to fetch; empty for the whole repo (then `include`/`exclude` apply).
    public var files: [String]
    /// Branch, tag, commit hash or `refs/pr/N`.
    public var revision: String
    public var include: [String]
    public var exclude: [String]
    /// Overrides `HF_HUB_CACHE`.
    public var cacheDir: String?
    /// Materialise real files in this folder instead of the cache's snapshots.
    public var localDir: String?
    public var dryRun: Bool
    public var forceDownload: Bool
    /// Files downloaded at once (8, as `hf download`); large files never exceed it.
    public var maxWorkers: Int
    /// Small files (not LFS, under `smallFileBytes`) at once: they cost a round trip each, not bandwidth, so on a far
    /// link more of them in flight is what makes a many-file repo fast. Never below `maxWorkers`.
    public var smallFileWorkers: Int
    public static let smallFileBytes: Int64 = 10_000_000

    public init(repo: RepoID, files: [String] = [], revision: String = "main", include: [String] = [], exclude: [String] = [],
                cacheDir: String? = nil, localDir: String? = nil, dryRun: Bool = false, forceDownload: Bool = false, maxWorkers: Int = 8,
                smallFileWorkers: Int = 32) {
        self.repo = repo
        self.files = files
        self.revision = revision
        self.include = include
        self.exclude = exclude
        self.cacheDir = cacheDir
        self.localDir = localDir
        self.dryRun = dryRun
        self.forceDownload = forceDownload
        self.maxWorkers = maxWorkers
        self.smallFileWorkers = max(maxWorkers, smallFileWorkers)
    }
}

/// What happened to one file.
public struct DownloadedFile: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Bytes were transferred.
        case downloaded
        /// Already present; nothing transferred.
        case cached
        /// Dry run: would be transferred.
        case wouldDownload = "would download"
        /// Dry run: already present.
        case wouldReuse = "already cached"
    }

    public var path: String
    public var localPath: String
    public var size: Int64?
    public var status: Status

    public init(path: String, localPath: String, size: Int64?, status: Status) {
        self.path = path
        self.localPath = localPath
        self.size = size
        self.status = status
    }
}

/// The outcome of a download.
public struct DownloadResult: Sendable, Equatable {
    public var repo: RepoID
    public var revision: String
    public var commit: String?
    public var files: [DownloadedFile]
    /// The snapshot folder (or the local dir) for a whole-repo download.
    public var folder: String?
    /// Said when the cache answered because the Hub could not be asked.
    public var notice: String?
    /// Bytes that arrived over the network in this run.
    public var bytesDownloaded: Int64
    /// Bytes an earlier, interrupted run had left, which this run went on from.
    public var bytesResumed: Int64 = 0
    public var isDryRun: Bool

    /// The local path(s) to hand to the user: the folder, else each file.
    public var paths: [String] { folder.map { [$0] } ?? files.map(\.localPath) }
}
