import Foundation

/// When the token in force expires and whether it will be renewed: a browser login's `expires_at` and
/// `refresh_token` in `stored_tokens`, or the OIDC token's lifetime. `nil` for tokens that never expire
/// as far as HubKernel can tell (access tokens pasted or set in `HF_TOKEN`).
///
/// ```swift
/// TokenLifetime.of(token, environment: env)?.summary()   // "expires in 29 days, refreshed automatically"
/// ```
public struct TokenLifetime: Sendable, Equatable {
    public var expiresAt: Date
    /// A refresh token is stored (or the OIDC token is exchanged again).
    public var renewable: Bool
    /// Why the last refresh failed, if it did.
    public var failure: String?

    public init(expiresAt: Date, renewable: Bool, failure: String? = nil) {
        self.expiresAt = expiresAt
        self.renewable = renewable
        self.failure = failure
    }

    public static func of(_ token: ResolvedToken, environment: HubEnvironment) -> TokenLifetime? {
        if case .oidc = token.source {
            return OIDCTokenSource.shared.expiry(of: token.value).map { TokenLifetime(expiresAt: $0, renewable: true) }
        }
        let sections = TokenStore(environment: environment).storedTokens().document.sections
        guard let section = sections.first(where: { $0["hf_token"] == token.value }),
              let expiresAt = section["expires_at"].flatMap({ Int($0) }) else { return nil }
        return TokenLifetime(expiresAt: Date(timeIntervalSince1970: TimeInterval(expiresAt)),
                             renewable: section["refresh_token"] != nil, failure: TokenRefresher.shared.failure(for: token.value))
    }

    /// `expires in 29 days, refreshed automatically`, `expired; refresh failed: log in again` …
    public func summary(now: Date = Date()) -> String {
        let left = expiresAt.timeIntervalSince(now)
        if left <= 0 {
            if let failure { return "expired; \(failure)" }
            return renewable ? "expired; refreshed automatically on next use" : "expired: log in again (%hf_login)"
        }
        let when = "expires in \(Self.span(left))"
        if let failure { return "\(when); \(failure)" }
        return when + (renewable ? ", refreshed automatically" : "; log in again then (%hf_login)")
    }

    /// `29 days`, `5 h`, `12 min`, `40 s` (days and hours to the nearest).
    static func span(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s >= 2 * 86400 { return "\(Int((seconds / 86400).rounded())) days" }
        if s >= 3600 { return "\(Int((seconds / 3600).rounded())) h" }
        if s >= 60 { return "\(s / 60) min" }
        return "\(s) s"
    }
}
