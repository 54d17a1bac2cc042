import Foundation

/// What went wrong talking to the Hub or writing the cache, with what to do next.
/// Names follow `huggingface_hub`'s exception classes.
public struct HubError: UserFacingError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `authenticated` is false when the Hub saw no token (401), true when the account has no access (403).
        /// `serverMessage`: what the Hub said (e.g. that an access request awaits review), if anything.
        case gatedRepo(repo: String, page: String, authenticated: Bool, serverMessage: String? = nil)
        case invalidToken
        /// `existingTypes`: other repo types under which the id exists (a hint for `--repo-type`).
        case repoNotFound(repo: String, requested: RepoType = .model, existingTypes: [RepoType] = [])
        case entryNotFound(repo: String, path: String, revision: String)
        case revisionNotFound(repo: String, revision: String)
        case notAHubEndpoint(url: String, missing: String)
        case http(status: Int, url: String, detail: String)
        case unreachable(detail: String)
        /// No request can be made at all (libcurl cannot be loaded): not retried, the cache still answers.
        case clientUnavailable(detail: String)
        case localEntryNotFound(what: String, reason: String)
        case checksumMismatch(path: String, expected: String, actual: String)
        case sizeMismatch(path: String, expected: Int64, actual: Int64)
        case diskFull(path: String, needed: Int64, available: Int64?, kept: Int64)
        case unsafePath(path: String)
        case cancelled(kept: Int64)
        case badResponse(url: String, detail: String)
        case io(path: String, detail: String)
        case transferFailed(path: String, detail: String, kept: Int64)
        /// A 429: `limit` is what the Hub said about the quota, nil when it said nothing.
        case rateLimited(url: String, limit: RateLimit?)
        /// TLS verification failed (or no CA bundle could be read): `detail` says which host and what to set.
        case untrustedCertificate(detail: String)
        /// A file stands where a folder of the cache must be (`HF_HOME` set to a file).
        case cacheBlocked(cache: String, file: String)
        /// The forward proxy refused (407, 403) or is not there: `detail` names it (host:port only) and the fix.
        case proxy(detail: String)
    }

    public let kind: Kind
    /// The server's id for the failed request, shown in the message for support tickets.
    public private(set) var requestID: RequestID?

    public init(_ kind: Kind, requestID: RequestID? = nil) {
        self.kind = kind
        self.requestID = requestID
    }

    /// This error with the server's request id (kept when it has one already).
    public func withRequestID(_ id: RequestID?) -> HubError {
        var copy = self
        copy.requestID = requestID ?? id
        return copy
    }

    public var name: String {
        switch kind {
        case .gatedRepo: return "GatedRepoError"
        case .invalidToken, .http: return "HfHubHTTPError"
        case .repoNotFound: return "RepositoryNotFoundError"
        case .entryNotFound: return "RemoteEntryNotFoundError"
        case .revisionNotFound: return "RevisionNotFoundError"
        case .notAHubEndpoint, .badResponse: return "FileMetadataError"
        case .unreachable, .localEntryNotFound: return "LocalEntryNotFoundError"
        case .checksumMismatch, .sizeMismatch: return "ChecksumMismatchError"
        case .diskFull: return "DiskFullError"
        case .unsafePath: return "UnsafePathError"
        case .cancelled: return "KeyboardInterrupt"
        case .io: return "OSError"
        case .transferFailed: return "ConnectionError"
        case .clientUnavailable: return "ImportError"
        case .rateLimited: return "HfHubHTTPError"
        case .untrustedCertificate: return "SSLError"
        case .cacheBlocked: return "NotADirectoryError"
        case .proxy: return "ProxyError"
        }
    }

    public var message: String {
        guard let requestID else { return text }
        return text + " " + requestID.text
    }

    private var text: String {
        switch kind {
        case .gatedRepo(let repo, let page, let authenticated, let serverMessage):
            if authenticated, RepoAccess.isPendingRequest(serverMessage) {
                return "\(repo) is gated and your access request is pending: there is nothing to do but wait for the authors' review "
                    + "(\(page)); retry once it is accepted."
            }
            let advice = authenticated
                ? "\(repo) is gated: open \(page) and accept the licence, then retry."
                : "\(repo) is gated and no token was sent: log in (%hf_login, or set HF_TOKEN) with an account that accepted the licence at \(page), then retry."
            return advice + (serverMessage.map { " The Hub says: \($0)" } ?? "")
        case .invalidToken:
            return "401 Unauthorized: the token sent is invalid or expired. Log in again with a new token (%hf_login, or hubkernel auth login)."
        case .repoNotFound(let repo, let requested, let existing) where !existing.isEmpty:
            let found = existing.map { "a \($0.rawValue)" }.joined(separator: " and ")
            let options = existing.map { "--repo-type \($0.rawValue)" }.joined(separator: " or ")
            return "There is no \(requested.rawValue) '\(repo)', but \(found) with this id \(existing.count > 1 ? "exist" : "exists"): add \(options)."
        case .repoNotFound(let repo, _, _):
            return "Repository '\(repo)' was not found. Check the id and --repo-type; if it is private, log in with a token that can read it."
        case .entryNotFound(let repo, let path, let revision):
            return "'\(path)' does not exist in \(repo) at revision '\(revision)'. Check the file name (and --revision)."
        case .revisionNotFound(let repo, let revision):
            return "Revision '\(revision)' does not exist in \(repo). Use a branch, tag, commit hash or refs/pr/N."
        case .notAHubEndpoint(let url, let missing):
            return "The response from \(url) has no \(missing) header, so it does not seem to come from a Hugging Face Hub endpoint. Check HF_ENDPOINT, your proxy and firewall."
        case .http(let status, let url, let detail):
            return "HTTP \(status) from \(url)\(detail.isEmpty ? "" : ": " + detail). Retry later."
        case .unreachable(let detail):
            return "The Hub could not be reached (\(detail)) and the file is not in the local cache. Check your connection and HF_ENDPOINT, then retry."
        case .localEntryNotFound(let what, let reason):
            return "\(what) is not in the local cache and \(reason)."
        case .clientUnavailable(let detail):
            return "HubKernel cannot make HTTP requests: \(detail). Files already in the cache are still served."
        case .checksumMismatch(let path, let expected, let actual):
            return "'\(path)' arrived corrupted (expected hash \(expected), got \(actual)); nothing was saved. Retry the download."
        case .sizeMismatch(let path, let expected, let actual):
            let arrived = actual > expected && expected > 0 ? "more than \(expected) bytes" : "\(actual) bytes instead of \(expected)"
            return "'\(path)' arrived with \(arrived); nothing was saved. Retry the download."
        case .diskFull(let path, let needed, let available, let kept):
            let free = available.map { ", \(ByteCount.format($0)) free" } ?? ""
            let partial = kept > 0 ? " The \(ByteCount.format(kept)) already downloaded were kept and the next attempt resumes from there." : ""
            return "Not enough disk space for '\(path)': \(ByteCount.format(needed)) needed\(free). Free some space (e.g. %cache rm) or choose another --cache-dir.\(partial)"
        case .unsafePath(let path):
            return "The server listed a file named '\(path)', which would be written outside the repo folder; it was refused. Ask the repository owner to rename it."
        case .cancelled(let kept):
            return kept > 0 ? "Interrupted. \(ByteCount.format(kept)) of partial data were kept; run the same download again to resume."
                            : "Interrupted."
        case .badResponse(let url, let detail):
            return "Unexpected response from \(url): \(detail). Check HF_ENDPOINT."
        case .io(let path, let detail):
            return "Could not write \(path): \(detail). Check permissions and free space."
        case .transferFailed(let path, let detail, let kept):
            let partial = kept > 0 ? " \(ByteCount.format(kept)) were kept; run the same download again to resume." : " Retry later."
            return "Downloading '\(path)' failed after several attempts: \(detail).\(partial)"
        case .rateLimited(let url, let limit?):
            let reset = Date().addingTimeInterval(Double(limit.resetIn))
            return "Rate limited by the Hub: \(limit.quotaDescription) is used up for \(URLText.host(of: url)); it resets in \(limit.resetIn) s "
                + "(at \(Self.clock(reset)) UTC). Wait until then and retry; logged-in users and paid plans get larger quotas."
        case .rateLimited(let url, nil):
            return "Rate limited by the Hub (HTTP 429 from \(url)), with no word on when the limit resets. Wait a few minutes and retry."
        case .proxy(let detail):
            return detail
        case .untrustedCertificate(let detail):
            return detail
        case .cacheBlocked(let cache, let file):
            return "\(file) is a file, not a folder, so the cache \(cache) cannot be made there. Point HF_HOME (or HF_HUB_CACHE) at a folder, or move that file away."
        }
    }

    public var helpURL: String? {
        switch kind {
        case .gatedRepo(_, let page, _, _): return page
        case .invalidToken: return "https://huggingface.co/settings/tokens"
        default: return nil
        }
    }

    /// A request that got no response: `unreachable` (retried where retries apply), or `clientUnavailable`.
    public static func from(_ error: HTTPTransportError) -> HubError {
        switch error.kind {
        case .clientUnavailable: return HubError(.clientUnavailable(detail: error.detail))
        case .untrustedCertificate: return HubError(.untrustedCertificate(detail: error.description))
        case .proxyRefused, .proxyUnreachable: return HubError(.proxy(detail: error.detail))
        default: return HubError(.unreachable(detail: error.description))
        }
    }

    /// `14:05:31`.
    private static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }

    /// Whether the cache may answer instead (the Hub could not be asked, or answered with a
    /// server error), as `huggingface_hub` falls back on connection errors and 5xx.
    public var allowsCacheFallback: Bool {
        switch kind {
        case .unreachable, .clientUnavailable, .notAHubEndpoint, .badResponse, .untrustedCertificate, .rateLimited, .proxy: return true
        case .http: return true
        case .repoNotFound, .gatedRepo, .invalidToken: return true
        default: return false
        }
    }
}
