import Foundation

/// Talks to the Hub's HTTP API (`HF_ENDPOINT`): commit of a revision, tree listings,
/// file metadata (HEAD on `resolve`). The token goes only to the endpoint's origin, never
/// to a CDN a redirect points to.
public struct HubClient: Sendable {
    public let endpoint: String
    public let token: String?
    public let transport: HTTPTransport
    /// Seconds for metadata requests (`HF_HUB_ETAG_TIMEOUT`).
    public let metadataTimeout: Int
    /// Seconds without a byte before a file transfer is abandoned (`HF_HUB_DOWNLOAD_TIMEOUT`).
    public let downloadTimeout: Int

    public init(endpoint: String, token: String?, transport: HTTPTransport, metadataTimeout: Int = 10, downloadTimeout: Int = 10) {
        self.endpoint = endpoint
        self.token = token
        self.transport = transport
        self.metadataTimeout = metadataTimeout
        self.downloadTimeout = downloadTimeout
    }

    public init(environment: HubEnvironment, token: String?, transport: HTTPTransport) {
        self.init(endpoint: environment.endpoint, token: token, transport: transport,
                  metadataTimeout: environment.etagTimeout, downloadTimeout: environment.downloadTimeout)
    }

    // MARK: URLs

    /// `{endpoint}/{prefix}{repo}/resolve/{revision}/{path}` as `hf_hub_url` builds it.
    public func resolveURL(_ repo: RepoID, revision: String, path: String) -> String {
        "\(endpoint)/\(repo.type.urlPrefix)\(repo.id)/resolve/\(URLText.quote(revision, safe: ""))/\(URLText.quote(path))"
    }

    /// The page a person opens to see the repo (and accept a gated repo's licence).
    public func repoPage(_ repo: RepoID) -> String { "\(endpoint)/\(repo.type.urlPrefix)\(repo.id)" }

    /// Headers for a request to `url`: the token only when `url` is on the endpoint's origin.
    public func headers(for url: String) -> [(name: String, value: String)] {
        guard let token, !token.isEmpty, AuthorizationPolicy.isSameOrigin(url, endpoint) else { return [] }
        return [("Authorization", "Bearer \(token)")]
    }

    // MARK: API calls

    /// The commit a revision (branch, tag, commit, `refs/pr/N`) points to.
    public func commit(of repo: RepoID, revision: String) throws -> String {
        let url = "\(endpoint)/api/\(repo.type.apiCollection)/\(repo.id)/revision/\(URLText.quote(revision, safe: ""))"
        let response = try get(url)
        try check(response, url: url, repo: repo, path: nil, revision: revision)
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let sha = object["sha"] as? String, CommitHash.isValid(sha) else {
            throw HubError(.badResponse(url: url, detail: "no commit 'sha' in the repo info"))
        }
        return sha
    }

    /// Every file of the repo at `commit`, following `Link: <…>; rel="next"` pages.
    public func listFiles(of repo: RepoID, commit: String) throws -> [RepoFileEntry] {
        var url: String? = "\(endpoint)/api/\(repo.type.apiCollection)/\(repo.id)/tree/\(URLText.quote(commit, safe: ""))?recursive=true&expand=false"
        var files: [RepoFileEntry] = []
        var pages = 0
        while let pageURL = url, pages < 10_000 {
            pages += 1
            let response = try get(pageURL)
            try check(response, url: pageURL, repo: repo, path: nil, revision: commit)
            guard let items = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else {
                throw HubError(.badResponse(url: pageURL, detail: "the tree listing is not a JSON list"))
            }
            for item in items where item["type"] as? String == "file" {
                guard let path = item["path"] as? String, let oid = item["oid"] as? String,
                      let size = (item["size"] as? NSNumber)?.int64Value else {
                    throw HubError(.badResponse(url: pageURL, detail: "a tree entry lacks path, oid or size"))
                }
                let lfs = item["lfs"] as? [String: Any]
                files.append(RepoFileEntry(path: path, size: size, blobID: oid, lfsSHA256: lfs?["oid"] as? String,
                                           lfsSize: (lfs?["size"] as? NSNumber)?.int64Value, xetHash: item["xetHash"] as? String))
            }
            url = Self.nextPage(response.headers["link"]).map { URLText.join(pageURL, $0) }
        }
        return files
    }

    /// HEAD on `resolve`, following redirects on the same origin only; the metadata of a
    /// cross-origin redirect (to a CDN) is read from the redirect itself.
    public func fileMetadata(_ repo: RepoID, path: String, revision: String) throws -> FileMetadata {
        var url = resolveURL(repo, revision: revision, path: path)
        for _ in 0..<10 {
            let response = try send(HTTPRequest(method: "HEAD", url: url, headers: headers(for: url), timeout: metadataTimeout))
            if response.headers["x-error-code"] == "EntryNotFound", let commit = response.headers["x-repo-commit"] {
                throw HubMissingEntry(repo: repo.id, path: path, revision: revision, commit: commit)
            }
            try check(response, url: url, repo: repo, path: path, revision: revision)
            let location = response.headers["location"].map { URLText.join(url, $0) }
            if (300..<400).contains(response.status), let location, AuthorizationPolicy.isSameOrigin(location, url) {
                url = location
                continue
            }
            guard let commit = response.headers["x-repo-commit"] else {
                throw HubError(.notAHubEndpoint(url: url, missing: "X-Repo-Commit"))
            }
            guard let etag = ETag.normalize(response.headers["x-linked-etag"] ?? response.headers["etag"]) else {
                throw HubError(.notAHubEndpoint(url: url, missing: "ETag"))
            }
            let isRedirect = (300..<400).contains(response.status)
            let sizeText = response.headers["x-linked-size"] ?? (isRedirect ? nil : response.headers["content-length"])
            return FileMetadata(commit: commit, etag: etag, location: location ?? url, size: sizeText.flatMap { Int64($0) })
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }

    // MARK: helpers

    /// GET following redirects (a renamed repo answers 307 with a relative Location), as
    /// Python's session does; the token goes only to the endpoint's origin.
    func get(_ url: String) throws -> HTTPResponse {
        var url = url
        for _ in 0..<10 {
            let response = try send(HTTPRequest(method: "GET", url: url, headers: headers(for: url), timeout: metadataTimeout))
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"] else { return response }
            url = URLText.join(url, location)
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        do { return try transport.send(request) } catch let error as HTTPTransportError {
            throw HubError.from(error)
        }
    }

    /// Throws the `HubError` an error status means (as `hf_raise_for_status` classifies it).
    public func check(_ response: HTTPResponse, url: String, repo: RepoID, path: String?, revision: String) throws {
        guard response.status >= 400 else { return }
        let code = response.headers["x-error-code"]
        let serverMessage = response.headers["x-error-message"]
        switch code {
        case "RevisionNotFound": throw HubError(.revisionNotFound(repo: repo.id, revision: revision))
        case "EntryNotFound": throw HubError(.entryNotFound(repo: repo.id, path: path ?? "?", revision: revision))
        case "GatedRepo": throw HubError(.gatedRepo(repo: repo.id, page: repoPage(repo), authenticated: response.status != 401,
                                                    serverMessage: serverMessage))
        case "RepoNotFound": throw HubError(.repoNotFound(repo: repo.id, requested: repo.type))
        default: break
        }
        if response.status == 401 {
            if serverMessage == "Invalid credentials in Authorization header" || (token != nil && !(headers(for: url).isEmpty)) {
                throw HubError(.invalidToken)
            }
            throw HubError(.repoNotFound(repo: repo.id, requested: repo.type))
        }
        let detail = serverMessage ?? String(decoding: response.body.prefix(200), as: UTF8.self)
        throw HubError(.http(status: response.status, url: url, detail: detail))
    }

    /// The `next` URL of a `Link` header (`<url>; rel="next", …`).
    static func nextPage(_ link: String?) -> String? {
        guard let link else { return nil }
        for part in link.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let target = pieces.first, target.hasPrefix("<"), target.hasSuffix(">"),
                  pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" || $0 == "rel=next" }) else { continue }
            return String(target.dropFirst().dropLast())
        }
        return nil
    }
}

/// A full 40-hex commit hash (`REGEX_COMMIT_HASH`).
public enum CommitHash {
    public static func isValid(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

/// A file the Hub says does not exist at a revision, with the commit it checked
/// (so the cache can remember it in `.no_exist/<commit>/<path>`).
public struct HubMissingEntry: UserFacingError, Equatable {
    public let repo: String
    public let path: String
    public let revision: String
    public let commit: String
    public var name: String { "RemoteEntryNotFoundError" }
    public var message: String { HubError(.entryNotFound(repo: repo, path: path, revision: revision)).message }
}
