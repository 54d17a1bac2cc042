import Foundation

/// The CI identity (Trusted Publishers) as `_get_token_from_oidc` finds it: when `HF_OIDC_RESOURCE` is set,
/// an OIDC id token — `HF_OIDC_ID_TOKEN`, else one minted by GitHub Actions (`ACTIONS_ID_TOKEN_REQUEST_URL` /
/// `_TOKEN`, audience = the endpoint) — is exchanged at `{endpoint}/oauth/token` for a short-lived Hub token.
/// Cached per process until it expires (5 minutes early when it can be re-minted). Any failure is an
/// `OAuthError` of kind `.oidc` naming the cause; there is never a silent fallback to `HF_TOKEN`.
public final class OIDCTokenSource: @unchecked Sendable {
    public static let shared = OIDCTokenSource()
    public static let resourceVariable = "HF_OIDC_RESOURCE"
    public static let idTokenVariable = "HF_OIDC_ID_TOKEN"
    /// Re-exchange this many seconds before expiry when the id token can be minted again.
    static let refreshMargin = 300

    private struct Cached {
        var key: String
        var token: String
        var expiresAt: Date
    }

    private let lock = NSLock()
    private var cached: Cached?

    init() {}

    /// The resource the token is scoped to, when OIDC is enabled.
    public static func resource(in environment: HubEnvironment) -> String? {
        environment.variables[resourceVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The exchanged token and when it expires, or `nil` when `HF_OIDC_RESOURCE` is not set.
    public func token(environment: HubEnvironment, transport: HTTPTransport) throws -> (token: String, expiresAt: Date)? {
        guard let resource = Self.resource(in: environment) else { return nil }
        return try lock.withLock {
            let key = environment.endpoint + "\u{0}" + resource
            if let cached, cached.key == key, Date() < cached.expiresAt { return (cached.token, cached.expiresAt) }
            if environment.isOffline {
                throw OAuthError(.oidc, "HF_OIDC_RESOURCE is set but HF_HUB_OFFLINE forbids the token exchange. Unset one of them.")
            }
            let given = environment.variables[Self.idTokenVariable].flatMap { $0.isEmpty ? nil : $0 }
            let idToken = try given ?? mintFromGitHubActions(environment: environment, transport: transport)
            IssuedSecrets.shared.add([idToken])
            let answer = try OAuthClient(environment: environment, transport: transport).exchange(idToken: idToken, resource: resource)
            IssuedSecrets.shared.add([answer.accessToken])
            let lifetime = answer.expiresIn ?? 3600
            let margin = given == nil ? Self.refreshMargin : 0
            let expiresAt = Date().addingTimeInterval(TimeInterval(max(lifetime - margin, 0)))
            cached = Cached(key: key, token: answer.accessToken, expiresAt: expiresAt)
            return (answer.accessToken, expiresAt)
        }
    }

    /// `_get_github_oidc_token`: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the request token.
    func mintFromGitHubActions(environment: HubEnvironment, transport: HTTPTransport) throws -> String {
        guard environment.variables["GITHUB_ACTIONS"] == "true" else {
            throw OAuthError(.oidc, "HF_OIDC_RESOURCE is set but no OIDC id token is available: not running in a supported CI provider (github) and HF_OIDC_ID_TOKEN is not set. Set HF_OIDC_ID_TOKEN to the id token minted by your CI provider, or unset HF_OIDC_RESOURCE.")
        }
        guard let base = environment.variables["ACTIONS_ID_TOKEN_REQUEST_URL"], !base.isEmpty,
              let requestToken = environment.variables["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], !requestToken.isEmpty else {
            throw OAuthError(.oidc, "Cannot request an OIDC id token from GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set. Make sure the workflow job sets `permissions: id-token: write`.")
        }
        IssuedSecrets.shared.add([requestToken])
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let audience = environment.endpoint.addingPercentEncoding(withAllowedCharacters: allowed) ?? environment.endpoint
        let url = base + (base.contains("?") ? "&" : "?") + "audience=" + audience
        var request = HTTPRequest(method: "GET", url: url, timeout: environment.downloadTimeout)
        request.headers = [("user-agent", AuthorizationPolicy.userAgent), ("authorization", "Bearer " + requestToken)]
        let response: HTTPResponse
        do { response = try transport.send(request) } catch {
            throw OAuthError(.oidc, "Could not mint an OIDC id token from GitHub Actions (\(OAuthClient.detail(error))).")
        }
        guard (200..<300).contains(response.status), let value = OAuthClient.object(response.body)?["value"] as? String, !value.isEmpty else {
            throw OAuthError(.oidc, "GitHub Actions did not mint an OIDC id token (HTTP \(response.status)). Check `permissions: id-token: write` in the workflow.")
        }
        return value
    }

    /// When the cached token `token` must be exchanged again, if it is the cached one.
    public func expiry(of token: String) -> Date? { lock.withLock { cached?.token == token ? cached?.expiresAt : nil } }

    /// Forgets the cached token (tests).
    func reset() { lock.withLock { cached = nil } }
}
