/// Whether the account of the token in force may download a gated repo's files, from the Hub's
/// `auth-check` answer (what `huggingface_hub.auth_check` asks).
public enum RepoAccess: String, Sendable, Equatable {
    /// The repo is not gated: anyone who can see it can download it.
    case open = "not gated"
    case granted
    /// An access request was sent and awaits the authors' review.
    case pending
    /// Logged in, but this account has not asked for access (or was refused).
    case notRequested = "not requested"
    /// No token was sent, so the Hub cannot tell.
    case notLoggedIn = "not logged in"
    /// Not asked (offline).
    case unknown

    public var mayDownload: Bool { self == .open || self == .granted }

    /// Whether a gated repo's 403 message says an access request awaits review.
    public static func isPendingRequest(_ serverMessage: String?) -> Bool {
        let message = (serverMessage ?? "").lowercased()
        return message.contains("awaiting") || message.contains("pending")
    }

    /// What to do about it, with the page where access is requested.
    public func advice(page: String) -> String? {
        switch self {
        case .open, .granted, .unknown: return nil
        case .pending: return "Your access request awaits the authors' review; you can download once it is accepted (\(page))."
        case .notRequested: return "Request access at \(page) (accept the licence with this account), then retry."
        case .notLoggedIn: return "Log in (%hf_login, or set HF_TOKEN) with an account that has access; request it at \(page)."
        }
    }
}

extension HubClient {
    /// `GET /api/{type}s/{id}/auth-check`: granted (200), pending (403 whose message says the request awaits
    /// review), not requested (403), not logged in (401 without a token). Other errors are thrown.
    public func access(to repo: RepoID, gated: Bool) throws -> RepoAccess {
        guard gated else { return .open }
        let url = "\(endpoint)/api/\(repo.type.apiCollection)/\(repo.id)/auth-check"
        let response = try get(url)
        if response.status == 200 { return .granted }
        if response.headers["x-error-code"] == "GatedRepo" {
            if response.status == 401 || headers(for: url).isEmpty { return .notLoggedIn }
            return RepoAccess.isPendingRequest(response.headers["x-error-message"]) ? .pending : .notRequested
        }
        try check(response, url: url, repo: repo, path: nil, revision: "main")
        return .granted
    }
}
