import Foundation

/// What `GET {endpoint}/api/whoami-v2` says about a token's owner (the fields HubKernel shows).
public struct WhoAmIInfo: Sendable, Equatable {
    /// What the token may do, from `auth.accessToken.role`.
    public enum Role: Sendable, Equatable {
        case read, write, fineGrained, other(String)

        init(_ text: String) {
            switch text {
            case "read": self = .read
            case "write": self = .write
            case "fineGrained": self = .fineGrained
            default: self = .other(text)
            }
        }

        /// The Hub's spelling (`read`, `write`, `fineGrained`).
        public var text: String {
            switch self {
            case .read: return "read"
            case .write: return "write"
            case .fineGrained: return "fineGrained"
            case .other(let text): return text
            }
        }
    }

    /// The account name (`name`).
    public var user: String
    /// `fullname`, when the account has one.
    public var fullName: String?
    /// `type`: `user` (or `org` for organisation tokens).
    public var accountType: String?
    /// Names of the organisations the user belongs to.
    public var organizations: [String]
    /// `auth.accessToken.displayName`; nil for OAuth tokens.
    public var tokenDisplayName: String?
    public var role: Role?

    public init(user: String, fullName: String? = nil, accountType: String? = nil, organizations: [String] = [],
                tokenDisplayName: String? = nil, role: Role? = nil) {
        self.user = user
        self.fullName = fullName
        self.accountType = accountType
        self.organizations = organizations
        self.tokenDisplayName = tokenDisplayName
        self.role = role
    }

    /// The name `login` stores the token under: `displayName`, else `oauth-{user}` (as `_validate_and_save_token`).
    public var tokenName: String {
        if let tokenDisplayName, !tokenDisplayName.isEmpty { return tokenDisplayName }
        return "oauth-\(user)"
    }

    /// Parses the whoami-v2 JSON; `nil` when it has no `name`.
    public static func parse(_ data: Data) -> WhoAmIInfo? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let user = object["name"] as? String else { return nil }
        let orgs = (object["orgs"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        let accessToken = (object["auth"] as? [String: Any])?["accessToken"] as? [String: Any]
        let fullName = (object["fullname"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        return WhoAmIInfo(user: user, fullName: fullName, accountType: object["type"] as? String, organizations: orgs,
                          tokenDisplayName: accessToken?["displayName"] as? String,
                          role: (accessToken?["role"] as? String).map(Role.init))
    }
}

/// Asks the Hub who owns a token: `GET {endpoint}/api/whoami-v2` with `authorization: Bearer …`,
/// errors mapped to `AuthError`s that say what to do.
public struct WhoAmIClient: Sendable {
    public let environment: HubEnvironment
    public let transport: HTTPTransport

    public init(environment: HubEnvironment, transport: HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public var url: String { environment.endpoint + "/api/whoami-v2" }

    /// The owner of `token`. Never sends the token anywhere but the configured endpoint.
    /// With `describeSource: false`, a 401 does not name the source (a token just typed at a prompt).
    public func fetch(_ token: ResolvedToken, describeSource: Bool = true) throws -> WhoAmIInfo {
        if environment.isOffline { throw AuthError.offline }
        var request = HTTPRequest(method: "GET", url: url, timeout: environment.etagTimeout)
        request.headers = [("user-agent", AuthorizationPolicy.userAgent)]
        if let header = AuthorizationPolicy.header(for: token.value, url: url, endpoint: environment.endpoint) {
            request.headers.append(header)
        }
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch let error as HTTPTransportError {
            throw AuthError.unreachable(url: url, detail: error.detail)
        } catch {
            throw AuthError.unreachable(url: url, detail: "\(error)")
        }
        switch response.status {
        case 200..<300:
            guard let info = WhoAmIInfo.parse(response.body) else { throw AuthError.unexpectedResponse(url: url) }
            return info
        case 401:
            if let name = expiredBrowserLogin(token.value) { throw AuthError.sessionExpired(name: name) }
            throw AuthError.invalidToken(source: describeSource ? token.source : nil, endpoint: environment.endpoint)
        case 429:
            throw AuthError.rateLimited(endpoint: environment.endpoint)
        default:
            throw AuthError.serverError(status: response.status, url: url, detail: Self.errorDetail(response))
        }
    }

    /// The name of the browser login `token` belongs to when its stored `expires_at` is past: a new token
    /// is not what the user needs then, a new login is.
    func expiredBrowserLogin(_ token: String) -> String? {
        let section = TokenStore(environment: environment).storedTokens().document.sections.first { $0["hf_token"] == token }
        guard let section, let expiresAt = section["expires_at"].flatMap({ Int($0) }),
              TimeInterval(expiresAt) <= Date().timeIntervalSince1970 else { return nil }
        return section.name
    }

    /// The Hub's own explanation: the `X-Error-Message` header, else `{"error": …}` in the body.
    static func errorDetail(_ response: HTTPResponse) -> String {
        if let message = response.headers["X-Error-Message"] { return message }
        if let object = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any],
           let error = object["error"] as? String { return error }
        return ""
    }
}
