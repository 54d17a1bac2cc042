import Foundation

/// Builds a `RepoReport`: the repo info (files with sizes, card data), the caller's access to a gated repo, the
/// download footprint against the cache, and the safetensors parameters — from the Hub (headers by Range request,
/// never the weights) or, offline, from what an earlier `%info` or download left in the cache.
///
/// ```swift
/// let report = try RepoInspector(environment: env, client: client).inspect(try RepoID("org/model"), revision: "main")
/// report.parameters?.total   // 7_241_732_096
/// ```
public struct RepoInspector: Sendable {
    public let environment: HubEnvironment
    public let client: HubClient
    public let layout: CacheLayout
    /// Where `InfoCacheFile` keeps its entries (outside the hub cache).
    let infoLayout: CacheLayout

    public init(environment: HubEnvironment, client: HubClient, cacheDir: String? = nil) {
        self.environment = environment
        self.client = client
        layout = CacheLayout(root: cacheDir ?? environment.hubCache)
        infoLayout = InfoCacheFile.layout(environment)
    }

    public func inspect(_ repo: RepoID, revision: String) throws -> RepoReport {
        if environment.isOffline {
            return try fromCache(repo, revision: revision, notice: "Offline mode (HF_HUB_OFFLINE): from the local cache.", failure: nil)
        }
        let fetched: (info: RepoInfo, body: Data)
        do {
            fetched = try client.repoInfo(repo, revision: revision)
        } catch let error as HubError {
            if Self.isOutage(error) {
                return try fromCache(repo, revision: revision, notice: "The Hub could not be asked (\(error.message)); from the local cache.", failure: error)
            }
            throw client.addingRepoTypeHint(to: error, for: repo)
        }
        let info = fetched.info
        let access = try client.access(to: repo, gated: info.gated != nil)
        var report = RepoReport(info: info, revision: revision, access: access, page: client.repoPage(repo),
                                footprint: DownloadFootprint(entries: info.files, repo: repo, commit: info.commit, layout: layout),
                                parameters: nil, parametersNote: nil, headerBytesFetched: 0, headerSource: .rangeRequests, offlineNotice: nil)
        let saved = InfoCacheFile.read(infoLayout, repo, commit: info.commit)
        if let parameters = saved?.parameters {
            report.parameters = parameters
            report.headerSource = .cache
        } else if access.mayDownload {
            readParameters(into: &report, revision: revision, offline: false)
        } else {
            report.parametersNote = "The weights' headers cannot be read without access to the repo."
        }
        InfoCacheFile.write(infoLayout, repo, revision: revision, commit: info.commit, repoInfo: fetched.body, parameters: report.parameters)
        return report
    }

    /// No answer, or a server error: the cache may answer instead (as huggingface_hub falls back).
    static func isOutage(_ error: HubError) -> Bool {
        switch error.kind {
        case .unreachable, .clientUnavailable: return true
        case .http(let status, _, _): return status >= 500
        default: return false
        }
    }

    /// The headers from cached weight files or by Range requests; a failure becomes a note, not an error.
    private func readParameters(into report: inout RepoReport, revision: String, offline: Bool) {
        let reader = SafetensorsReader(client: client, layout: layout)
        do {
            if let outcome = try reader.read(report.info.repo, commit: report.info.commit, revision: revision, files: report.info.files, offline: offline) {
                report.parameters = outcome.parameters
                report.headerBytesFetched = outcome.bytesFetched
                report.headerSource = outcome.filesFromCache == outcome.parameters.files.count ? .cache : outcome.source
            } else {
                report.parametersNote = "No model.safetensors or model.safetensors.index.json: parameters are not counted."
            }
        } catch let error as UserFacingError {
            report.parametersNote = "Parameters unknown: \(error.message)"
        } catch {
            report.parametersNote = "Parameters unknown: \(error)"
        }
    }

    /// What the cache knows: a saved `%info` for the revision's commit (else a tree listing a snapshot download
    /// left, with headers read from cached weight files).
    private func fromCache(_ repo: RepoID, revision: String, notice: String, failure: HubError?) throws -> RepoReport {
        guard let commit = InfoCacheFile.commit(infoLayout, cache: layout, repo, revision: revision) else {
            throw failure ?? HubError(.localEntryNotFound(what: "Information on \(repo.id) at '\(revision)'",
                                                          reason: "offline mode is on (HF_HUB_OFFLINE) and no earlier %info or download cached it; unset it to ask the Hub"))
        }
        let saved = InfoCacheFile.read(infoLayout, repo, commit: commit)
        let info: RepoInfo
        if let saved {
            info = try RepoInfo(json: saved.repoInfo, repo: repo)
        } else if let entries = TreeCacheFile.read(in: layout.repoFolder(repo), commit: commit) {
            info = try RepoInfo(json: ["sha": commit, "siblings": entries.map { entry -> [String: Any] in
                var sibling: [String: Any] = ["rfilename": entry.path, "size": entry.size, "blobId": entry.blobID]
                if let sha = entry.lfsSHA256 { sibling["lfs"] = ["sha256": sha, "size": entry.lfsSize ?? entry.size] }
                return sibling
            }], repo: repo)
        } else {
            throw failure ?? HubError(.localEntryNotFound(what: "Information on \(repo.id) at '\(revision)'",
                                                          reason: "offline mode is on (HF_HUB_OFFLINE) and no earlier %info cached it; unset it to ask the Hub"))
        }
        var report = RepoReport(info: info, revision: revision, access: info.gated == nil ? .open : .unknown, page: client.repoPage(repo),
                                footprint: DownloadFootprint(entries: info.files, repo: repo, commit: commit, layout: layout),
                                parameters: saved?.parameters, parametersNote: nil, headerBytesFetched: 0, headerSource: .cache,
                                offlineNotice: notice)
        if report.parameters == nil { readParameters(into: &report, revision: revision, offline: true) }
        return report
    }
}
