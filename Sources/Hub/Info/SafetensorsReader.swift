import Foundation

/// Finds a repo's safetensors weights as `get_safetensors_metadata` does (`model.safetensors`, else the shards
/// named by `model.safetensors.index.json`) and reads their headers: for a sharded model at `main` whose index is not
/// cached, all in one request as `get_sharded_safetensors_metadata` does; else from cached files when the cache has
/// them, and with Range requests, all shards at once.
public struct SafetensorsReader: Sendable {
    public static let singleFile = "model.safetensors"
    public static let indexFile = "model.safetensors.index.json"

    public let client: HubClient
    public let layout: CacheLayout
    public var workers = 8

    public init(client: HubClient, layout: CacheLayout) {
        self.client = client
        self.layout = layout
    }

    /// What was read and what it cost on the network.
    public struct Outcome: Sendable {
        public var parameters: RepoParameters
        public var bytesFetched: Int64
        public var filesFromCache: Int
        public var source: HeaderSource
    }

    /// The weights' headers, or nil when the repo has neither file (not a safetensors repo).
    /// `revision` is the one asked for: only `main` may use the one-request route.
    public func read(_ repo: RepoID, commit: String, revision: String? = nil, files: [RepoFileEntry], offline: Bool = false) throws -> Outcome? {
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let shards: [String]
        var fetched: Int64 = 0
        if byPath[Self.singleFile] != nil {
            shards = [Self.singleFile]
        } else if let index = byPath[Self.indexFile] {
            if !offline, revision == "main", let outcome = headersInOneRequest(repo, commit: commit, index: index, files: byPath) {
                return outcome
            }
            let (data, bytes) = try contents(of: index, repo: repo, commit: commit, offline: offline)
            fetched += bytes
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let map = object["weight_map"] as? [String: String] else {
                throw SafetensorsError(file: Self.indexFile, reason: "it has no weight_map")
            }
            shards = Set(map.values).sorted()
        } else {
            return nil
        }
        let results = try ParallelWork.map(shards, workers: workers, isCancelled: { false }) { shard -> (SafetensorsHeader, Int64, Bool) in
            if let local = localCopy(byPath[shard], repo: repo, commit: commit, path: shard) {
                return (try SafetensorsHeader.read(localFile: local, file: shard), 0, true)
            }
            if offline { throw HubError(.localEntryNotFound(what: "The header of '\(shard)'", reason: "offline mode is on (HF_HUB_OFFLINE)")) }
            let (header, bytes) = try client.safetensorsHeader(repo, commit: commit, path: shard)
            return (header, bytes, false)
        }
        let headers = Dictionary(uniqueKeysWithValues: zip(shards, results.map(\.0)))
        return Outcome(parameters: RepoParameters(files: headers, isSharded: shards != [Self.singleFile]),
                       bytesFetched: fetched + results.reduce(0) { $0 + $1.1 }, filesFromCache: results.filter(\.2).count,
                       source: .rangeRequests)
    }

    /// Every shard header in one `safetensors-metadata` request, for a model whose index is not cached (a cached index
    /// usually means cached shards, read for free). nil, so the headers are read by Range requests, when the Hub does
    /// not serve the route, fails, or answers for another commit or with shards the repo does not have.
    private func headersInOneRequest(_ repo: RepoID, commit: String, index: RepoFileEntry, files: [String: RepoFileEntry]) -> Outcome? {
        guard repo.type == .model, localCopy(index, repo: repo, commit: commit, path: index.path) == nil,
              let answer = try? client.shardedSafetensorsHeaders(repo, indexPath: index.path),
              answer.commit == nil || answer.commit == commit,
              answer.headers.keys.allSatisfy({ files[$0] != nil }) else { return nil }
        return Outcome(parameters: RepoParameters(files: answer.headers, isSharded: true), bytesFetched: answer.bytes,
                       filesFromCache: 0, source: .metadataRequest)
    }

    /// The cached copy of a file at `commit` (snapshot file, or a blob with its etag from another revision).
    func localCopy(_ entry: RepoFileEntry?, repo: RepoID, commit: String, path: String) -> String? {
        let snapshot = layout.snapshotFile(repo, commit: commit, path: path)
        if FileManager.default.fileExists(atPath: snapshot) { return snapshot }
        guard let entry, !entry.etag.isEmpty else { return nil }
        let blob = layout.blob(repo, etag: entry.etag)
        return FileManager.default.fileExists(atPath: blob) ? blob : nil
    }

    /// A small file's bytes (the index): from the cache, else a GET of its `resolve` URL.
    private func contents(of entry: RepoFileEntry, repo: RepoID, commit: String, offline: Bool) throws -> (Data, Int64) {
        if let local = localCopy(entry, repo: repo, commit: commit, path: entry.path), let data = FileManager.default.contents(atPath: local) {
            return (data, 0)
        }
        if offline { throw HubError(.localEntryNotFound(what: "'\(entry.path)'", reason: "offline mode is on (HF_HUB_OFFLINE)")) }
        let url = client.resolveURL(repo, revision: commit, path: entry.path)
        let response = try client.get(url)
        try client.check(response, url: url, repo: repo, path: entry.path, revision: commit)
        return (response.body, Int64(response.body.count))
    }
}
