import Foundation

/// What the Hub's repo info answer (`model_info` / `repo_info` with `files_metadata=True`) says about a repo
/// at one commit, with the Hub's field names read as `huggingface_hub` reads them.
public struct RepoInfo: Sendable, Equatable {
    public var repo: RepoID
    /// The commit (`sha`).
    public var commit: String
    public var lastModified: String?
    public var isPrivate: Bool
    /// `gated`: nil when not gated, else `"auto"` or `"manual"`.
    public var gated: String?
    /// From the card metadata (`cardData`).
    public var license: String?
    public var cardTags: [String]
    /// The Hub's tags (the card's plus the ones it computes, e.g. `license:mit`).
    public var tags: [String]
    public var libraryName: String?
    public var pipelineTag: String?
    public var downloads: Int?
    public var likes: Int?
    /// `safetensors.total` as the Hub computed it, when it did.
    public var hubParameterTotal: Int64?
    /// Every file (`siblings`) with its size and LFS id.
    public var files: [RepoFileEntry]

    /// Parses the JSON object of `GET /api/{type}s/{id}/revision/{rev}?blobs=true`.
    public init(json object: [String: Any], repo: RepoID) throws {
        guard let sha = object["sha"] as? String, CommitHash.isValid(sha) else {
            throw HubError(.badResponse(url: repo.id, detail: "no commit 'sha' in the repo info"))
        }
        self.repo = repo
        commit = sha
        lastModified = object["lastModified"] as? String
        isPrivate = object["private"] as? Bool ?? false
        gated = (object["gated"] as? String).flatMap { $0 == "false" ? nil : $0 } ?? ((object["gated"] as? Bool) == true ? "auto" : nil)
        let card = object["cardData"] as? [String: Any] ?? [:]
        license = (card["license"] as? String) ?? (card["license"] as? [String])?.joined(separator: ", ")
        cardTags = Self.strings(card["tags"])
        tags = Self.strings(object["tags"])
        libraryName = object["library_name"] as? String ?? card["library_name"] as? String
        pipelineTag = object["pipeline_tag"] as? String ?? card["pipeline_tag"] as? String
        downloads = (object["downloads"] as? NSNumber)?.intValue
        likes = (object["likes"] as? NSNumber)?.intValue
        hubParameterTotal = ((object["safetensors"] as? [String: Any])?["total"] as? NSNumber)?.int64Value
        files = try (object["siblings"] as? [[String: Any]] ?? []).map { sibling in
            guard let path = sibling["rfilename"] as? String else {
                throw HubError(.badResponse(url: repo.id, detail: "a sibling has no 'rfilename'"))
            }
            try RepoPath.validate(path)
            let lfs = sibling["lfs"] as? [String: Any]
            return RepoFileEntry(path: path, size: (sibling["size"] as? NSNumber)?.int64Value ?? -1, blobID: sibling["blobId"] as? String ?? "",
                                 lfsSHA256: lfs?["sha256"] as? String, lfsSize: (lfs?["size"] as? NSNumber)?.int64Value)
        }.sorted { $0.path < $1.path }
    }

    private static func strings(_ value: Any?) -> [String] {
        if let list = value as? [String] { return list }
        return (value as? String).map { [$0] } ?? []
    }
}

extension HubClient {
    /// The repo info JSON at `revision` with file sizes (`blobs=true`, as `files_metadata=True` asks), and the raw
    /// body (kept in the cache for offline use).
    public func repoInfo(_ repo: RepoID, revision: String) throws -> (info: RepoInfo, body: Data) {
        let url = "\(endpoint)/api/\(repo.type.apiCollection)/\(repo.id)/revision/\(URLText.quote(revision, safe: ""))?blobs=true"
        let response = try get(url)
        try check(response, url: url, repo: repo, path: nil, revision: revision)
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw HubError(.badResponse(url: url, detail: "the repo info is not a JSON object"))
        }
        return (try RepoInfo(json: object, repo: repo), response.body)
    }
}
