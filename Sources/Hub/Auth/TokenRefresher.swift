import Foundation

/// Renews a browser-login (OAuth) token before it expires, exactly as `_refresh_oauth_token_if_needed`
/// in huggingface_hub 2.4 does, so HubKernel and Python share one session safely:
///
/// * only the token-file token whose `stored_tokens` section has `refresh_token` and `expires_at` is
///   considered, and only when less than one day is left (or it is already past);
/// * the refresh runs under the cross-process lock `stored_tokens.lock` (`flock`, as Python's `filelock`),
///   re-reads the section under it and adopts another process's fresh token instead of refreshing twice;
/// * a refresh token the Hub does not rotate is kept; the token file is rewritten only if it still holds
///   the old token;
/// * a per-process cache answers repeated calls without reading files until the next check is due.
///
/// Failures: `invalid_grant` (session expired or revoked) → an error telling the user to log in again once
/// the access token is past its expiry (a warning before that); anything else → the old token, one warning,
/// another try after 5 minutes.
public final class TokenRefresher: @unchecked Sendable {
    public static let shared = TokenRefresher()
    /// Refresh when less than this many seconds of validity remain (`_OAUTH_REFRESH_MARGIN`).
    public static let refreshMargin = 24 * 3600
    /// Re-check interval when there is nothing to refresh or a refresh failed (`_OAUTH_RECHECK_INTERVAL`).
    public static let recheckInterval = 300
    /// Seconds to wait for `stored_tokens.lock` (Python's timeout).
    static let lockTimeout: TimeInterval = 30

    private struct Entry {
        var key: String
        var resolved: String
        var recheckAt: Double
        var failure: AuthError?
    }

    private let lock = NSLock()
    private var entry: Entry?
    private var warnedTransient = false
    private var warnings: [String] = []
    private var failures: [String: String] = [:]
    /// Seconds since 1970 (replaceable in tests).
    var clock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    init() {}

    /// The token to use for `token` read from the token file: `token` itself, or a refreshed one.
    public func resolve(_ token: String, store: TokenStore, client: OAuthClient) throws -> String {
        try lock.withLock {
            let now = clock()
            let key = store.tokenPath + "\u{0}" + token
            if let entry, entry.key == key, now < entry.recheckAt {
                if let failure = entry.failure { throw failure }
                return entry.resolved
            }
            let snapshot = store.storedTokens()
            guard let section = snapshot.document.sections.first(where: { $0["hf_token"] == token }),
                  let refreshToken = section["refresh_token"], let expiresAt = section["expires_at"].flatMap({ Int($0) }) else {
                // The token may just have been replaced by a concurrent refresh: serve the new one, uncached.
                if let current = try? store.activeToken(), current != token { return current }
                entry = Entry(key: key, resolved: token, recheckAt: now + Double(Self.recheckInterval))
                return token
            }
            if Double(expiresAt - Self.refreshMargin) > now {
                entry = Entry(key: key, resolved: token, recheckAt: Double(expiresAt - Self.refreshMargin))
                return token
            }
            if client.environment.isOffline { return token }
            do {
                let (fresh, freshExpiry) = try refreshUnderLock(token, name: section.name, refreshToken: refreshToken, store: store, client: client, now: now)
                failures[token] = nil
                let floor = now + Double(Self.recheckInterval)
                entry = Entry(key: store.tokenPath + "\u{0}" + fresh, resolved: fresh,
                              recheckAt: max(floor, freshExpiry.map { Double($0 - Self.refreshMargin) } ?? 0))
                return fresh
            } catch let error as OAuthError where error.isInvalidGrant {
                let expired = Double(expiresAt) <= now
                let failure = AuthError.sessionExpired(name: section.name)
                failures[token] = "refresh failed (session expired or revoked): log in again"
                if !expired {
                    warnings.append("Your login '\(section.name)' could not be refreshed (session expired or revoked); it stops working at \(Self.format(expiresAt)). Log in again with %hf_login.")
                }
                entry = Entry(key: key, resolved: token, recheckAt: .infinity, failure: expired ? failure : nil)
                if expired { throw failure }
                return token
            } catch {
                if !warnedTransient {
                    warnedTransient = true
                    warnings.append("Could not refresh your Hugging Face access token: \((error as? UserFacingError)?.message ?? "\(error)"). Will retry in 5 minutes.")
                }
                failures[token] = "refresh failed for now; retried in 5 minutes"
                entry = Entry(key: key, resolved: token, recheckAt: now + Double(Self.recheckInterval))
                return token
            }
        }
    }

    /// Warnings gathered since the last call (each at most once), for the caller to show.
    public func takeWarnings() -> [String] {
        lock.withLock {
            defer { warnings.removeAll() }
            return warnings
        }
    }

    /// Why the last refresh of `token` failed, if it did.
    public func failure(for token: String) -> String? { lock.withLock { failures[token] } }

    /// Forgets the cache and warnings (tests).
    func reset() {
        lock.withLock {
            entry = nil
            warnedTransient = false
            warnings.removeAll()
            failures.removeAll()
        }
    }

    private func refreshUnderLock(_ token: String, name: String, refreshToken: String, store: TokenStore,
                                  client: OAuthClient, now: Double) throws -> (String, Int?) {
        let deadline = Date().addingTimeInterval(Self.lockTimeout)
        return try FileLock.withLock(store.storedTokensPath + ".lock", isCancelled: { Date() > deadline }) {
            let section = store.storedTokens().document[name]
            if let current = section?["hf_token"], current != token {
                IssuedSecrets.shared.add([current])
                return (current, section?["expires_at"].flatMap { Int($0) })  // another process refreshed: adopt it
            }
            let answer = try client.refresh(refreshToken)
            IssuedSecrets.shared.add([answer.accessToken, answer.refreshToken].compactMap { $0 })
            let expiresAt = answer.expiresIn.map { Int(now) + $0 }
            try store.save(token: answer.accessToken, name: name, refreshToken: answer.refreshToken ?? refreshToken, expiresAt: expiresAt)
            if (try? store.activeToken()) == token {
                do { try SecretFile.write(answer.accessToken, to: store.tokenPath) } catch let failure as SecretFile.Failure { throw AuthError.fileProblem(failure) }
            }
            return (answer.accessToken, expiresAt)
        }
    }

    static func format(_ timestamp: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(timestamp)))
    }
}

/// Tokens this process obtained from the Hub (device login, refresh, OIDC exchange) that may never be in a
/// file the redactor reads: `TokenRedactor.tokens(in:)` includes them.
public final class IssuedSecrets: @unchecked Sendable {
    public static let shared = IssuedSecrets()
    private let lock = NSLock()
    private var tokens: [String] = []

    public func add(_ new: [String]) { lock.withLock { tokens += new.filter { !tokens.contains($0) } } }

    public var all: [String] { lock.withLock { tokens } }
}
