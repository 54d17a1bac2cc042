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
    /// Marks every request with `X-HF-Download-Counter: 1`, as `flag_as_download_call` does for downloads (that is
    /// how the Hub counts a repo's downloads).
    public var countsAsDownload = false
    /// Waits on 429s and the backoff between tries.
    public var retry = RetryPolicy()
    /// Told when a request waits before its next try ("rate limited by the Hub: waiting 41 s"), and with nil when
    /// the wait is over.
    public var onWait: @Sendable (String?) -> Void = { _ in }
    /// Stops a wait early (the user interrupted).
    public var isCancelled: @Sendable () -> Bool = { false }

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

    /// Headers for a request to `url`: the token only when `url` is on the endpoint's origin; a fresh request id
    /// (`X-Amzn-Trace-Id`, as `hf_request_event_hook` adds) and the download counter on every request.
    public func headers(for url: String) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("X-Amzn-Trace-Id", UUID().uuidString.lowercased())]
        if countsAsDownload { fields.append(("X-HF-Download-Counter", "1")) }
        if let token, !token.isEmpty, AuthorizationPolicy.isSameOrigin(url, endpoint) { fields.append(("Authorization", "Bearer \(token)")) }
        return fields
    }

    /// This client for a download: every request it makes is counted as one (`X-HF-Download-Counter`), waits are
    /// reported to `onWait` and end early when `isCancelled`.
    public func forDownload(isCancelled: @escaping @Sendable () -> Bool, onWait: @escaping @Sendable (String?) -> Void) -> HubClient {
        var copy = self
        copy.countsAsDownload = true
        copy.isCancelled = isCancelled
        copy.onWait = onWait
        return copy
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

    /// HEAD on `resolve`, following redirects on the same origin; the metadata of a cross-origin redirect (to a
    /// CDN) is read from the redirect itself, unless it carries none (a mirror sending clients on to the Hub: then
    /// the next hop answers, without the token). `retrying` and `timeout` as `_get_metadata_or_catch_error` uses
    /// them: the first try fails fast (the cache may answer), the retry backs off with a longer timeout.
    public func fileMetadata(_ repo: RepoID, path: String, revision: String, retrying: Retrying = .never,
                             timeout: Int? = nil) throws -> FileMetadata {
        var url = resolveURL(repo, revision: revision, path: path)
        for _ in 0..<20 {
            let request = HTTPRequest(method: "HEAD", url: url, headers: headers(for: url), timeout: timeout ?? metadataTimeout)
            let response = try send(request, retrying: retrying)
            if response.headers["x-error-code"] == "EntryNotFound", let commit = response.headers["x-repo-commit"] {
                throw HubMissingEntry(repo: repo.id, path: path, revision: revision, commit: commit,
                                      requestID: RequestID(headers: response.headers))
            }
            try check(response, url: url, repo: repo, path: path, revision: revision)
            let location = response.headers["location"].map { URLText.join(url, $0) }
            if (300..<400).contains(response.status), let location,
               AuthorizationPolicy.isSameOrigin(location, url) || response.headers["x-repo-commit"] == nil {
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
            // A compressed answer's Content-Length is the compressed size: the size is then unknown, as
            // `_get_file_length_from_http_response` decides (the download verifies the git blob id instead).
            let encoded = (response.headers["content-encoding"] ?? "identity").lowercased() != "identity"
            let sizeText = response.headers["x-linked-size"] ?? (isRedirect || encoded ? nil : response.headers["content-length"])
            return FileMetadata(commit: commit, etag: etag, location: location ?? url, size: sizeText.flatMap { Int64($0) },
                                xetHash: response.headers["x-xet-hash"])
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }

    // MARK: helpers

    /// GET following redirects (a renamed repo answers 307 with a relative Location), as
    /// Python's session does; the token goes only to the endpoint's origin. A 429 that names its window is
    /// waited for.
    func get(_ url: String) throws -> HTTPResponse {
        var url = url
        for _ in 0..<20 {
            let response = try send(HTTPRequest(method: "GET", url: url, headers: headers(for: url), timeout: metadataTimeout),
                                    retrying: .rateLimits)
            guard [301, 302, 303, 307, 308].contains(response.status), let location = response.headers["location"] else { return response }
            url = URLText.join(url, location)
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }

    /// How a request is tried again.
    public enum Retrying: Sendable {
        /// One try.
        case never
        /// A 429 is tried again after the window it names (`RateLimit` or `Retry-After`).
        case rateLimits
        /// As `http_backoff`: also connection trouble, 408, 429 and 5xx, backing off 1, 2, 4, 8, 8 s.
        case transient
    }

    /// Sends `request`, trying again as `retrying` says, and shows the Hub's `X-HF-Warning`s (once per topic).
    /// A response that still fails comes back as it is (`check` turns it into an error).
    func send(_ request: HTTPRequest, retrying: Retrying = .never) throws -> HTTPResponse {
        var attempt = 0
        while true {
            let wait: Double
            let reason: String
            do {
                let response = try transport.send(request)
                ServerWarnings.shared.note(response.headers)
                let limit = response.status == 429 ? RateLimit(headers: response.headers) : nil
                guard attempt < retry.maxRetries else { return response }
                if let limit, limit.wait > retry.maxRateLimitWait {
                    return response  // not worth waiting for: the error says when it resets
                } else if let limit, retrying != .never {
                    wait = limit.wait
                    reason = "rate limited by the Hub (\(limit.quotaDescription)): waiting \(Int(wait)) s"
                } else if retrying == .transient, [408, 429, 500, 502, 503, 504].contains(response.status) {
                    wait = retry.delay(attempt: attempt, rateLimit: nil)
                    reason = "HTTP \(response.status) from the Hub: retrying in \(Int(wait)) s"
                } else {
                    return response
                }
            } catch let error as HTTPTransportError {
                guard retrying == .transient, attempt < retry.maxRetries, error.isWorthRetrying else { throw HubError.from(error) }
                wait = retry.delay(attempt: attempt, rateLimit: nil)
                reason = "no answer from \(URLText.host(of: request.url)): retrying in \(Int(wait)) s"
            }
            attempt += 1
            onWait(reason)
            defer { onWait(nil) }
            guard RetryPolicy.sleep(wait, isCancelled: isCancelled) else { throw HubError(.cancelled(kept: 0)) }
        }
    }

    /// Throws the `HubError` an error status means (as `hf_raise_for_status` classifies it).
    public func check(_ response: HTTPResponse, url: String, repo: RepoID, path: String?, revision: String) throws {
        guard response.status >= 400 else { return }
        do { try classify(response, url: url, repo: repo, path: path, revision: revision) } catch let error as HubError {
            throw error.withRequestID(RequestID(headers: response.headers))
        }
    }

    private func classify(_ response: HTTPResponse, url: String, repo: RepoID, path: String?, revision: String) throws {
        if response.status == 429 {
            throw HubError(.rateLimited(url: url, limit: RateLimit(headers: response.headers)))
        }
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
    public var requestID: RequestID? = nil
    public var name: String { "RemoteEntryNotFoundError" }
    public var message: String { HubError(.entryNotFound(repo: repo, path: path, revision: revision), requestID: requestID).message }
}
