import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Downloads files and snapshots into the shared cache (or a `--local-dir`), matching
/// `huggingface_hub` 2.4.0's `hf_hub_download` / `snapshot_download` layout and fallbacks.
///
/// ```swift
/// let downloader = Downloader(environment: env, client: HubClient(environment: env, token: token, transport: CurlTransport()))
/// let result = try downloader.run(DownloadRequest(repo: try RepoID("gpt2"), files: ["config.json"]))
/// result.paths   // ["<cache>/models--gpt2/snapshots/<commit>/config.json"]
/// ```
public final class Downloader: @unchecked Sendable {
    public let environment: HubEnvironment
    public let client: HubClient
    public var retry = RetryPolicy()
    /// Files at least this large are fetched as parallel byte ranges when the server allows: as many as
    /// `parallelRanges`, each at least `minimumRangeBytes` long. 32 streams of 8 MiB or more: measured over a 40 ms,
    /// 25 MB/s-per-connection link (Benchmarks/slow_link_bench.py), 4 used a third of what the link carried, 16 about
    /// half, 32 most of it; `HUBKERNEL_DOWNLOAD_RANGES` sets the count exactly.
    public var parallelRangeThreshold: Int64 = 64 << 20
    public var parallelRanges = 32
    public var minimumRangeBytes: Int64 = 8 << 20
    private let isCancelled: @Sendable () -> Bool
    private let onProgress: @Sendable (DownloadProgress) -> Void

    public init(environment: HubEnvironment, client: HubClient,
                isCancelled: @escaping @Sendable () -> Bool = { false },
                progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) {
        self.environment = environment
        self.client = client
        self.isCancelled = isCancelled
        self.onProgress = progress
        if let ranges = environment.downloadRanges { (parallelRanges, minimumRangeBytes) = (ranges, 0) }
    }

    public func run(_ request: DownloadRequest) throws -> DownloadResult {
        for path in request.files { try RepoPath.validate(path) }
        let root = request.cacheDir ?? environment.hubCache
        if let file = FileSystem.fileInTheWay(of: root) { throw HubError(.cacheBlocked(cache: root, file: file)) }
        // Into a team's shared cache the group keeps access whatever the umask; real files in --local-dir follow it.
        guard request.localDir == nil else { return try runInCache(request) }
        return try TeamCache.withGroupAccess(root) { try runInCache(request) }
    }

    private func runInCache(_ request: DownloadRequest) throws -> DownloadResult {
        let tracker = ProgressTracker(report: onProgress)
        let context = RunContext(request: request, layout: CacheLayout(root: request.cacheDir ?? environment.hubCache),
                                 local: request.localDir.map(LocalDirLayout.init(root:)), tracker: tracker,
                                 client: client.forDownload(isCancelled: isCancelled, onWait: { tracker.waiting($0) }))
        defer { context.tracker.stop() }
        let result: DownloadResult
        do {
            result = request.files.isEmpty ? try snapshot(context) : try files(context)
        } catch let error as HubError {
            throw client.addingRepoTypeHint(to: error, for: request.repo)
        }
        context.tracker.finish()
        return result
    }

    /// Per-run state shared by the workers.
    struct RunContext {
        let request: DownloadRequest
        let layout: CacheLayout
        let local: LocalDirLayout?
        let tracker: ProgressTracker
        /// Counts its requests as a download and reports its waits to `tracker`.
        let client: HubClient
        /// How many large files may be fetched at once in this run: they share the run's `parallelRanges`.
        var largeFilesAtOnce = 1
        var repo: RepoID { request.repo }
    }

    // MARK: single files (hf_hub_download)

    private func files(_ context: RunContext) throws -> DownloadResult {
        let request = context.request
        var context = context
        context.largeFilesAtOnce = min(request.files.count, request.maxWorkers)
        context.tracker.start(files: request.files.count, bytes: 0)
        let notices = LockedList<String>()
        let commits = LockedList<String>()
        let outcomes = try ParallelWork.map(request.files, workers: request.maxWorkers, isCancelled: isCancelled) { path in
            let (file, commit, notice) = try self.file(path, context: context)
            if let notice { notices.append(notice) }
            if let commit { commits.append(commit) }
            context.tracker.fileDone()
            return file
        }
        return DownloadResult(repo: request.repo, revision: request.revision, commit: commits.items.first, files: outcomes, folder: nil,
                              notice: notices.items.first, bytesDownloaded: context.tracker.counts.transferred,
                              bytesResumed: context.tracker.counts.resumed, isDryRun: request.dryRun)
    }

    /// One file: from the cache when the revision is a commit already there, else HEAD for
    /// its etag and commit, falling back to the cache when the Hub cannot be asked.
    private func file(_ path: String, context: RunContext) throws -> (DownloadedFile, String?, String?) {
        let request = context.request, layout = context.layout, repo = context.repo
        if context.local == nil, CommitHash.isValid(request.revision) {
            let pointer = layout.snapshotFile(repo, commit: request.revision, path: path)
            if FileManager.default.fileExists(atPath: pointer) && (!request.forceDownload || request.dryRun) {
                return (cachedFile(path, pointer, dryRun: request.dryRun, forced: request.forceDownload), request.revision, nil)
            }
        }
        if let local = context.local, CommitHash.isValid(request.revision), !request.forceDownload,
           local.readMetadata(path)?.commit == request.revision {
            return (cachedFile(path, local.file(path), dryRun: request.dryRun, forced: false), request.revision, nil)
        }

        let metadata: FileMetadata
        do {
            metadata = try headWithFallbackRetry(path, context: context)
        } catch let error as HubError where error.allowsCacheFallback || environment.isOffline {
            return try fromCacheAfterFailure(path, context: context, error: error)
        }
        let entry = RepoFileEntry(path: path, size: metadata.size ?? -1, blobID: metadata.etag)
        let file = try fetch(entry, etag: metadata.etag, size: metadata.size, commit: metadata.commit, url: metadata.location,
                             xetHash: metadata.xetHash, context: context)
        return (file, metadata.commit, nil)
    }

    /// HEAD without retry; when that fails on connection trouble, a timeout, a 429 or a 5xx and the cache cannot
    /// answer, again with backoff and a timeout of at least 60 s (as `huggingface_hub` does: `_ETAG_RETRY_TIMEOUT`).
    private func headWithFallbackRetry(_ path: String, context: RunContext) throws -> FileMetadata {
        let request = context.request
        if environment.isOffline {
            throw HubError(.localEntryNotFound(what: "'\(path)' of \(request.repo.id)", reason: "offline mode is on (HF_HUB_OFFLINE); unset it to download"))
        }
        do {
            return try head(path, context: context)
        } catch let error as HubError where Self.isTransient(error) && cachedPointer(path, context: context) == nil {
            return try head(path, context: context, retrying: .transient, timeout: max(Self.etagRetryTimeout, context.client.metadataTimeout))
        }
    }

    /// `_ETAG_RETRY_TIMEOUT`: the HEAD's timeout once the first, fast try failed.
    static let etagRetryTimeout = 60

    private func head(_ path: String, context: RunContext, retrying: HubClient.Retrying = .never, timeout: Int? = nil) throws -> FileMetadata {
        let request = context.request
        do {
            return try context.client.fileMetadata(request.repo, path: path, revision: request.revision, retrying: retrying, timeout: timeout)
        } catch let error as HubMissingEntry {
            if context.local == nil {
                CacheWriter.markMissing(context.layout, request.repo, commit: error.commit, path: path)
                try? CacheWriter.writeRef(context.layout, request.repo, revision: request.revision, commit: error.commit)
            }
            throw error
        }
    }

    private static func isTransient(_ error: HubError) -> Bool {
        switch error.kind {
        case .unreachable, .rateLimited: return true
        case .http(let status, _, _): return RetryPolicy.isRetryable(status: status)
        default: return false
        }
    }

    private func cachedPointer(_ path: String, context: RunContext) -> String? {
        if let local = context.local {
            let file = local.file(path)
            return FileManager.default.fileExists(atPath: file) ? file : nil
        }
        guard let commit = CacheWriter.localCommit(context.layout, context.repo, revision: context.request.revision) else { return nil }
        let pointer = context.layout.snapshotFile(context.repo, commit: commit, path: path)
        return FileManager.default.fileExists(atPath: pointer) ? pointer : nil
    }

    private func fromCacheAfterFailure(_ path: String, context: RunContext, error: HubError) throws -> (DownloadedFile, String?, String?) {
        let request = context.request
        if !request.forceDownload || request.dryRun, let pointer = cachedPointer(path, context: context) {
            let notice = environment.isOffline
                ? "Offline mode (HF_HUB_OFFLINE): served from the local cache."
                : "The Hub could not be asked (\(error.message)); served '\(path)' from the local cache."
            let commit = context.local == nil ? CacheWriter.localCommit(context.layout, context.repo, revision: request.revision) : nil
            return (cachedFile(path, pointer, dryRun: request.dryRun, forced: false), commit, notice)
        }
        switch error.kind {
        case .repoNotFound, .gatedRepo, .invalidToken, .notAHubEndpoint, .localEntryNotFound: throw error
        case .unreachable, .clientUnavailable, .untrustedCertificate, .rateLimited, .cancelled, .proxy: throw error
        default: throw HubError(.unreachable(detail: error.message))
        }
    }

    private func cachedFile(_ path: String, _ local: String, dryRun: Bool, forced: Bool) -> DownloadedFile {
        DownloadedFile(path: path, localPath: local, size: Self.fileSize(local), status: dryRun ? (forced ? .wouldDownload : .wouldReuse) : .cached)
    }

    // MARK: snapshots (snapshot_download)

    private func snapshot(_ context: RunContext) throws -> DownloadResult {
        let request = context.request, layout = context.layout, repo = context.repo
        let treeFolder = context.local?.huggingfaceFolder ?? layout.repoFolder(repo)
        var commit: String? = CommitHash.isValid(request.revision) ? request.revision : nil
        var entries: [RepoFileEntry]?
        var failure: HubError?

        if environment.isOffline {
            failure = HubError(.localEntryNotFound(what: "\(repo.id) at '\(request.revision)'", reason: "offline mode is on (HF_HUB_OFFLINE); unset it to download"))
        } else {
            do {
                if commit == nil { commit = try context.client.commit(of: repo, revision: request.revision) }
                entries = TreeCacheFile.read(in: treeFolder, commit: commit!)
                if entries == nil {
                    let listed = try context.client.listFiles(of: repo, commit: commit!)
                    for entry in listed { try RepoPath.validate(entry.path) }
                    if !request.dryRun { TreeCacheFile.write(listed, in: treeFolder, commit: commit!) }
                    entries = listed
                }
            } catch let error as HubError where error.allowsCacheFallback {
                failure = error
            }
        }

        guard let entries, let commit else {
            return try snapshotFromCache(context, commit: commit, failure: failure ?? HubError(.unreachable(detail: "no listing")))
        }
        for entry in entries { try RepoPath.validate(entry.path) }
        let filter = PatternFilter(include: request.include, exclude: request.exclude)
        let selected = entries.filter { filter.keeps($0.path) }
        if !request.dryRun {
            // As snapshot_download does, also for --local-dir (the ref goes to the cache folder).
            try? CacheWriter.writeRef(layout, repo, revision: request.revision, commit: commit)
            // The snapshot folder before any file, so that a run stopped half way leaves a repo scan_cache_dir() lists.
            if context.local == nil { try? FileManager.default.createDirectory(atPath: layout.snapshotFolder(repo, commit: commit), withIntermediateDirectories: true) }
        }
        context.tracker.start(files: selected.count, bytes: 0)
        let isLarge = { (entry: RepoFileEntry) in entry.lfsSHA256 != nil || entry.size >= DownloadRequest.smallFileBytes }
        var context = context
        context.largeFilesAtOnce = min(selected.filter(isLarge).count, request.maxWorkers)
        let outcomes = try ParallelWork.map(selected, workers: request.smallFileWorkers, heavyWorkers: request.maxWorkers,
                                            isHeavy: isLarge, isCancelled: isCancelled) { entry in
            let url = context.client.resolveURL(repo, revision: commit, path: entry.path)
            let file = try self.fetch(entry, etag: entry.etag, size: entry.size, commit: commit, url: url, xetHash: entry.xetHash,
                                      context: context)
            context.tracker.fileDone()
            return file
        }
        let folder = context.local.map { URL(fileURLWithPath: $0.root).standardizedFileURL.resolvingSymlinksInPath().path }
            ?? layout.snapshotFolder(repo, commit: commit)
        let notice = selected.isEmpty && !filter.isEmpty ? "No files matched the --include/--exclude patterns." : nil
        return DownloadResult(repo: repo, revision: request.revision, commit: commit, files: outcomes, folder: folder,
                              notice: notice, bytesDownloaded: context.tracker.counts.transferred,
                              bytesResumed: context.tracker.counts.resumed, isDryRun: request.dryRun)
    }

    private func snapshotFromCache(_ context: RunContext, commit known: String?, failure: HubError) throws -> DownloadResult {
        let request = context.request, layout = context.layout, repo = context.repo
        if request.dryRun { throw failure }
        let commit = known ?? CacheWriter.readRef(layout, repo, revision: request.revision)
        let notice = environment.isOffline ? "Offline mode (HF_HUB_OFFLINE): served from the local cache."
                                           : "The Hub could not be asked (\(failure.message)); served from the local cache."
        let filter = PatternFilter(include: request.include, exclude: request.exclude)
        if let local = context.local {
            let contents = (try? FileManager.default.contentsOfDirectory(atPath: local.root)) ?? []
            if !contents.isEmpty {
                if let commit { try checkComplete(folder: local.root, treeFolder: local.huggingfaceFolder, commit: commit, filter: filter, failure: failure) }
                return DownloadResult(repo: repo, revision: request.revision, commit: commit, files: [], folder: local.root,
                                      notice: notice, bytesDownloaded: 0, isDryRun: false)
            }
        } else if let commit, FileManager.default.fileExists(atPath: layout.snapshotFolder(repo, commit: commit)) {
            let folder = layout.snapshotFolder(repo, commit: commit)
            try checkComplete(folder: folder, treeFolder: layout.repoFolder(repo), commit: commit, filter: filter, failure: failure)
            return DownloadResult(repo: repo, revision: request.revision, commit: commit, files: [], folder: folder,
                                  notice: notice, bytesDownloaded: 0, isDryRun: false)
        }
        switch failure.kind {
        case .repoNotFound, .gatedRepo, .invalidToken, .localEntryNotFound, .unreachable, .clientUnavailable, .notAHubEndpoint,
             .untrustedCertificate, .rateLimited, .cancelled, .proxy: throw failure
        default: throw HubError(.unreachable(detail: failure.message))
        }
    }

    /// `_raise_if_incomplete_snapshot`: with a cached listing, every selected file must be there.
    private func checkComplete(folder: String, treeFolder: String, commit: String, filter: PatternFilter, failure: HubError) throws {
        guard let entries = TreeCacheFile.read(in: treeFolder, commit: commit) else { return }
        let missing = entries.map(\.path).filter { filter.keeps($0) && !FileManager.default.fileExists(atPath: folder + "/" + $0) }
        guard missing.isEmpty else {
            throw HubError(.localEntryNotFound(what: "\(missing.count) file(s) of the snapshot (e.g. '\(missing[0])')",
                                               reason: "the Hub could not be asked: \(failure.message)"))
        }
    }

    // MARK: one file's bytes

    /// Puts `entry` in place (cache blob + snapshot link, or local-dir file), downloading it
    /// unless an equal copy exists.
    private func fetch(_ entry: RepoFileEntry, etag: String, size: Int64?, commit: String, url: String, xetHash: String? = nil,
                       context: RunContext) throws -> DownloadedFile {
        if let local = context.local { return try fetchToLocalDir(local, entry, etag: etag, size: size, commit: commit, url: url, context: context) }
        let request = context.request, layout = context.layout, repo = context.repo
        let pointer = layout.snapshotFile(repo, commit: commit, path: entry.path)
        let blob = layout.blob(repo, etag: etag)
        let fm = FileManager.default
        let shared = xetHash.flatMap { hash in sharedStore(layout).map { ($0, hash) } }
        if request.dryRun {
            // As Python's dry run: a usable shared-store payload counts as cached (the real run links it).
            let inStore = shared.map { store, hash in size.map { store.hasPayload(xetHash: hash, expectedSize: $0) } ?? false } ?? false
            let cached = fm.fileExists(atPath: pointer) || fm.fileExists(atPath: blob) || inStore
            return DownloadedFile(path: entry.path, localPath: pointer, size: size,
                                  status: cached && !request.forceDownload ? .wouldReuse : .wouldDownload)
        }
        if !request.forceDownload && fm.fileExists(atPath: pointer) {
            try? CacheWriter.writeRef(layout, repo, revision: request.revision, commit: commit)
            return DownloadedFile(path: entry.path, localPath: pointer, size: size, status: .cached)
        }
        CacheWriter.ensureCacheDirTag(in: layout.root)
        // As hf_hub_download: blobs/ and the snapshot folder first, then the ref (see `snapshot`).
        try fm.createDirectory(atPath: (blob as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: (pointer as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try CacheWriter.writeRef(layout, repo, revision: request.revision, commit: commit)
        var status = DownloadedFile.Status.cached
        // As hf_hub_download: a Xet file goes through the cache-wide shared blob store (linked from it when
        // another repo or revision has it, published to it once downloaded and verified).
        try FileLock.withLock(layout.lock(repo, etag: etag), isCancelled: isCancelled) {
            var blobIsShared = false
            if !request.forceDownload, !fm.fileExists(atPath: blob), let (store, hash) = shared, let size {
                blobIsShared = store.linkExisting(repoBlob: blob, xetHash: hash, expectedSize: size)
            }
            if !blobIsShared && (request.forceDownload || !fm.fileExists(atPath: blob)) {
                if let size { context.tracker.add(expected: size) }
                let job = BlobFetcher.Job(url: url, repo: context.repo, revision: commit, displayPath: entry.path, etag: etag, expectedSize: size,
                                          incomplete: layout.incompleteBlob(repo, etag: etag), destination: blob,
                                          forceDownload: request.forceDownload)
                try fetcher(context).fetch(job, progress: { context.tracker.add(bytes: $0) }, resumed: { context.tracker.add(resumed: $0) })
                status = .downloaded
                if let (store, hash) = shared, let size {
                    blobIsShared = store.publish(repoBlob: blob, xetHash: hash, expectedSize: size, replacing: request.forceDownload)
                }
            }
            if request.forceDownload || !fm.fileExists(atPath: pointer) {
                try CacheWriter.link(layout, repo, commit: commit, path: entry.path, etag: etag,
                                     symlinks: !environment.disablesSymlinks, newBlob: status == .downloaded && !blobIsShared)
            }
        }
        return DownloadedFile(path: entry.path, localPath: pointer, size: size ?? Self.fileSize(pointer), status: status)
    }

    private func fetchToLocalDir(_ local: LocalDirLayout, _ entry: RepoFileEntry, etag: String, size: Int64?, commit: String, url: String,
                                 context: RunContext) throws -> DownloadedFile {
        let request = context.request
        let target = local.file(entry.path)
        let fm = FileManager.default
        local.prepare()
        let metadata = local.readMetadata(entry.path)
        var isFile: ObjCBool = false
        let exists = fm.fileExists(atPath: target, isDirectory: &isFile) && !isFile.boolValue
        if !request.forceDownload && exists {
            if metadata?.etag == etag || (metadata == nil && ETag.isSHA256(etag) && Self.sha256(ofFile: target) == etag) {
                if !request.dryRun { try local.writeMetadata(entry.path, commit: commit, etag: etag) }
                return DownloadedFile(path: entry.path, localPath: target, size: size, status: request.dryRun ? .wouldReuse : .cached)
            }
        }
        let cachedPointer = context.layout.snapshotFile(context.repo, commit: commit, path: entry.path)
        if !request.forceDownload && fm.fileExists(atPath: cachedPointer) {
            if request.dryRun { return DownloadedFile(path: entry.path, localPath: target, size: size, status: .wouldReuse) }
            try FileLock.withLock(local.lock(entry.path), isCancelled: isCancelled) {
                try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try? fm.removeItem(atPath: target)
                try fm.copyItem(atPath: cachedPointer, toPath: target)
            }
            try local.writeMetadata(entry.path, commit: commit, etag: etag)
            return DownloadedFile(path: entry.path, localPath: target, size: size, status: .cached)
        }
        if request.dryRun { return DownloadedFile(path: entry.path, localPath: target, size: size, status: .wouldDownload) }
        try FileLock.withLock(local.lock(entry.path), isCancelled: isCancelled) {
            if let size { context.tracker.add(expected: size) }
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let job = BlobFetcher.Job(url: url, repo: context.repo, revision: commit, displayPath: entry.path, etag: etag, expectedSize: size,
                                      incomplete: local.incomplete(entry.path, etag: etag), destination: target,
                                      forceDownload: request.forceDownload)
            try fetcher(context).fetch(job, progress: { context.tracker.add(bytes: $0) }, resumed: { context.tracker.add(resumed: $0) })
        }
        try local.writeMetadata(entry.path, commit: commit, etag: etag)
        return DownloadedFile(path: entry.path, localPath: target, size: size, status: .downloaded)
    }

    /// The shared Xet blob store of the cache, when Python would use it (`shared_blobs_enabled()` and symlinks).
    private func sharedStore(_ layout: CacheLayout) -> SharedBlobStore? {
        environment.usesSharedBlobs && !environment.disablesSymlinks ? SharedBlobStore(cacheDir: layout.root) : nil
    }

    private func fetcher(_ context: RunContext) -> BlobFetcher {
        BlobFetcher(client: context.client, retry: retry, isCancelled: isCancelled, rangeThreshold: parallelRangeThreshold,
                    rangeCount: rangesPerFile(largeFilesAtOnce: context.largeFilesAtOnce), minimumRangeBytes: minimumRangeBytes)
    }

    /// The ranges each large file gets when `largeFilesAtOnce` are fetched together: they share `parallelRanges`
    /// (8 files at once: 4 each, not 32 each and 256 connections), at least 2 each; a count set by
    /// `HUBKERNEL_DOWNLOAD_RANGES` is each file's.
    func rangesPerFile(largeFilesAtOnce: Int) -> Int {
        guard environment.downloadRanges == nil, largeFilesAtOnce > 1 else { return parallelRanges }
        return max(min(2, parallelRanges), parallelRanges / largeFilesAtOnce)
    }

    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : nil
    }

    static func sha256(ofFile path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var digest = Digest(.sha256)
        while let chunk = try? handle.read(upToCount: 4 << 20), !chunk.isEmpty { digest.update(chunk) }
        return digest.finalize()
    }
}

/// A list several threads append to.
final class LockedList<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [T] = []
    func append(_ item: T) { lock.withLock { storage.append(item) } }
    var items: [T] { lock.withLock { storage } }
}
