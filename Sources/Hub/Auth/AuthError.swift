/// Everything that can go wrong while logging in, out, switching or asking who you are,
/// each with a message that says what to do next. Messages never contain a token.
public enum AuthError: UserFacingError, Equatable {
    /// No token from any source.
    case notLoggedIn(endpoint: String)
    /// The Hub answered 401 for the token from `source`.
    case invalidToken(source: TokenSource?, endpoint: String)
    /// `--token-name` names no stored token.
    case unknownTokenName(String, known: [String], storedTokensPath: String)
    /// The Hub answered 429 on `whoami-v2`.
    case rateLimited(endpoint: String)
    /// The Hub answered another error status.
    case serverError(status: Int, url: String, detail: String)
    /// No HTTP answer at all (refused, timed out …).
    case unreachable(url: String, detail: String)
    /// The Hub answered 200 with something that is not a whoami document.
    case unexpectedResponse(url: String)
    /// An empty answer at the token prompt.
    case emptyToken(endpoint: String)
    /// An `api_org…` token: organisation tokens cannot log in.
    case organizationToken(endpoint: String)
    /// A name `stored_tokens` cannot hold.
    case invalidTokenName(String, reason: String)
    /// The token file or `stored_tokens` could not be read or written.
    case fileProblem(SecretFile.Failure)
    /// `HF_HUB_OFFLINE` is set, so no request may go to the Hub.
    case offline
    /// The browser-login token `name` expired and its refresh token was refused (`invalid_grant`).
    case sessionExpired(name: String)

    public var name: String {
        switch self {
        case .notLoggedIn: return "LocalTokenNotFoundError"
        case .invalidToken, .rateLimited, .serverError: return "HfHubHTTPError"
        case .unknownTokenName: return "TokenNotFoundError"
        case .unreachable: return "ConnectionError"
        case .unexpectedResponse: return "UnexpectedResponseError"
        case .emptyToken, .organizationToken, .invalidTokenName: return "ValueError"
        case .fileProblem: return "OSError"
        case .offline: return "OfflineModeIsEnabled"
        case .sessionExpired: return "DeviceCodeError"
        }
    }

    public var message: String {
        switch self {
        case .notLoggedIn(let endpoint):
            return "No token found: not logged in to \(endpoint). Run %hf_login (or `hubkernel auth login` in a terminal), or start the kernel with HF_TOKEN set."
        case .invalidToken(let source, let endpoint):
            let origin = source.map { " (from \($0))" } ?? ""
            var text = "The token\(origin) is invalid or expired: create a new one at \(endpoint)/settings/tokens, then %hf_login."
            if case .environment(let variable)? = source {
                text += " Note that \(variable) takes precedence over the saved token: unset it or update it."
            }
            return text
        case .unknownTokenName(let name, let known, let path):
            let list = known.isEmpty ? "There are no stored tokens yet: run %hf_login first." : "Stored tokens: \(known.joined(separator: ", "))."
            return "Access token '\(name)' not found in \(path). \(list)"
        case .rateLimited(let endpoint):
            return "\(endpoint) rate-limits /api/whoami-v2 on purpose. Wait a minute, then retry."
        case .serverError(let status, let url, let detail):
            return "\(url) answered HTTP \(status)\(detail.isEmpty ? "" : ": \(detail)"). Retry later, or check HF_ENDPOINT."
        case .unreachable(let url, let detail):
            return "Could not reach \(url) (\(detail)). Check HF_ENDPOINT and your network, then retry."
        case .unexpectedResponse(let url):
            return "\(url) did not answer with a whoami document. Check that HF_ENDPOINT points at a Hugging Face Hub."
        case .emptyToken(let endpoint):
            return "No token was entered. Copy a token from \(endpoint)/settings/tokens and run %hf_login again."
        case .organizationToken(let endpoint):
            return "You must use your personal account token, not an organization token (api_org…). Create one at \(endpoint)/settings/tokens."
        case .invalidTokenName(let name, let reason):
            return "'\(name)' cannot be used as a token name: \(reason). Pick another with --name."
        case .fileProblem(let failure):
            return "\(failure.description). Check the folder's owner and permissions (HF_HOME / HF_TOKEN_PATH)."
        case .offline:
            return "HF_HUB_OFFLINE is set, so HubKernel does not contact the Hub. Unset it (or set it to 0) to log in or run %whoami."
        case .sessionExpired(let name):
            return "Your browser login '\(name)' has expired and could not be refreshed (the session expired or was revoked). Log in again with %hf_login."
        }
    }

    public var helpURL: String? {
        switch self {
        case .invalidToken(_, let endpoint), .notLoggedIn(let endpoint), .emptyToken(let endpoint), .organizationToken(let endpoint):
            return endpoint + "/settings/tokens"
        default: return nil
        }
    }
}
