import Foundation

/// Login, logout, switch and list with the same file effects, checks and messages as
/// `huggingface_hub._login` (`login(token)`, `logout`, `auth_switch`, `auth_list`).
///
/// ```swift
/// let auth = AuthService(environment: env, transport: transport)
/// let result = try auth.login(token: entered, name: nil, addToGitCredential: false)
/// result.name        // "work" (the token's displayName on the Hub)
/// result.notes       // ["Token is valid (permission: read).", …]
/// ```
public struct AuthService: Sendable {
    public let environment: HubEnvironment
    public let transport: HTTPTransport
    public let git: GitCredential

    public init(environment: HubEnvironment, transport: HTTPTransport, runner: CommandRunner = ProcessCommandRunner()) {
        self.environment = environment
        self.transport = transport
        git = GitCredential(environment: environment, runner: runner)
    }

    public var chain: TokenChain { TokenChain(environment: environment, transport: transport) }
    public var store: TokenStore { chain.store }
    public var whoAmIClient: WhoAmIClient { WhoAmIClient(environment: environment, transport: transport) }

    /// What a command did: lines to show and lines to warn about.
    public struct Outcome: Sendable, Equatable {
        public var notes: [String] = []
        public var warnings: [String] = []
    }

    /// The result of a successful login.
    public struct LoginResult: Sendable, Equatable {
        public var name: String
        public var info: WhoAmIInfo
        public var outcome: Outcome
    }

    /// `_validate_and_save_token`: checks `token` with whoami-v2, saves it under `name` (default: its
    /// display name on the Hub, `oauth-{user}` for a browser login) with the OAuth `refreshToken` /
    /// `expiresAt` when given, makes it the active token, optionally hands it to git.
    public func login(token entered: String, name: String?, addToGitCredential: Bool,
                      refreshToken: String? = nil, expiresAt: Int? = nil) throws -> LoginResult {
        guard let token = TokenText.clean(entered) else { throw AuthError.emptyToken(endpoint: environment.endpoint) }
        if token.hasPrefix("api_org") { throw AuthError.organizationToken(endpoint: environment.endpoint) }
        let info = try whoAmIClient.fetch(ResolvedToken(value: token, source: .storedToken(name: name ?? "(entered at the prompt)")), describeSource: false)
        WhoAmICache.shared.store(info, for: token, endpoint: environment.endpoint)
        var outcome = Outcome()
        outcome.notes.append(info.role.map { "Token is valid (permission: \($0.text))." } ?? "Token is valid.")
        let tokenName = name ?? info.tokenName
        try store.save(token: token, name: tokenName, refreshToken: refreshToken, expiresAt: expiresAt)
        outcome = outcome.merged(try activate(name: tokenName, addToGitCredential: addToGitCredential))
        outcome.notes.append("Login successful.")
        if let override = chain.environmentToken() {
            outcome.warnings.append("Note: \(override.source) is set and is the current active token independently from the token you've just configured.")
        } else {
            outcome.notes.append("The current active token is: `\(tokenName)`")
        }
        return LoginResult(name: tokenName, info: info, outcome: outcome)
    }

    /// `_save_oauth_token`: validates and saves a device-login answer with its refresh metadata
    /// (`expires_at` = now + `expires_in`), then adds the expiry note Python logs.
    public func login(oauth answer: OAuthClient.TokenAnswer, name: String?, addToGitCredential: Bool,
                      now: Date = Date()) throws -> LoginResult {
        IssuedSecrets.shared.add([answer.accessToken, answer.refreshToken].compactMap { $0 })
        let expiresAt = answer.expiresIn.flatMap { $0 == 0 ? nil : Int(now.timeIntervalSince1970) + $0 }
        var result = try login(token: answer.accessToken, name: name, addToGitCredential: addToGitCredential,
                               refreshToken: answer.refreshToken, expiresAt: expiresAt)
        if let note = Self.expirationNote(answer) { result.outcome.notes.append("Note: \(note)") }
        return result
    }

    /// `_expiration_note`: what a fresh OAuth token's lifetime means for the user.
    public static func expirationNote(_ answer: OAuthClient.TokenAnswer) -> String? {
        guard let expiresIn = answer.expiresIn, expiresIn > 0 else { return nil }
        if answer.refreshToken != nil { return "This token will be refreshed automatically when it expires." }
        return "This token expires in \(max(1, expiresIn / 86400)) days. Log in again to renew it."
    }

    /// `logout(token_name)`: without a name, deletes the token file and every stored token; with one,
    /// removes that token (and the token file if it was active). Then rejects the git credential.
    public func logout(name: String?) throws -> Outcome {
        var outcome = Outcome()
        let snapshot = store.storedTokens()
        if (try? chain.resolve()) == nil, snapshot.names.isEmpty {
            outcome.warnings.append("Not logged in!")
            return outcome
        }
        if let name {
            guard snapshot.names.contains(name) else {
                throw AuthError.unknownTokenName(name, known: snapshot.names, storedTokensPath: store.storedTokensPath)
            }
            let removed = try store.remove(name: name)
            if removed.wasActive { outcome.warnings.append("Active token '\(name)' has been deleted.") }
            outcome.notes.append("Successfully logged out from access token: \(name).")
        } else {
            try store.removeAll()
            outcome.notes.append("Successfully logged out from all access tokens.")
        }
        git.reject()
        if let still = chain.environmentToken() {
            outcome.warnings.append("Token has been deleted from your machine but you are still logged in: \(still.source) is set. To log out, unset it (and restart the kernel if it came from the kernel's environment).")
        }
        return outcome
    }

    /// `auth_switch`: makes the stored token `name` the active one (writes the token file).
    public func switchTo(name: String, addToGitCredential: Bool) throws -> Outcome {
        var outcome = try activate(name: name, addToGitCredential: addToGitCredential)
        outcome.notes.append("The current active token is: \(name)")
        let token = store.storedTokens().token(named: name)
        if let override = chain.environmentToken(), override.value != token {
            outcome.warnings.append("\(override.source) is set and will override the access token you've just switched to.")
        }
        return outcome
    }

    /// `_set_active_token`: git credential (if asked), then the token file.
    func activate(name: String, addToGitCredential: Bool) throws -> Outcome {
        var outcome = Outcome()
        guard let token = store.storedTokens().token(named: name) else {
            throw AuthError.unknownTokenName(name, known: store.storedTokens().names, storedTokensPath: store.storedTokensPath)
        }
        if addToGitCredential {
            let helpers = git.helpers()
            if helpers.isEmpty {
                outcome.warnings.append(GitCredential.noHelperWarning)
            } else {
                git.approve(token: token)
                outcome.notes.append("Your token has been saved in your configured git credential helpers (\(helpers.joined(separator: ","))).")
            }
        }
        try store.activate(name: name)
        outcome.notes.append("Your token has been saved to \(store.tokenPath)")
        return outcome
    }

    /// One row of `auth list`.
    public struct ListedToken: Sendable, Equatable {
        public var isActive: Bool
        public var name: String
        /// `hf_****abcd`, or `<not set>`.
        public var masked: String
        /// `2026-05-01`, `2026-05-01 (expired)`, or empty.
        public var expires: String
    }

    /// `auth_list`: stored tokens with the active one marked, and the notes Python prints after the table.
    public func list(now: Date = Date()) -> (tokens: [ListedToken], showsExpiry: Bool, outcome: Outcome) {
        let current = try? chain.resolve()
        let snapshot = store.storedTokens()
        var outcome = Outcome()
        if let problem = snapshot.problem { outcome.warnings.append(problem) }
        let environmentToken = chain.environmentToken()
        guard !snapshot.document.sections.isEmpty else {
            if let environmentToken {
                outcome.notes.append("No stored access tokens found.")
                outcome.warnings.append("Note: \(environmentToken.source) is set and is the current active token.")
            } else {
                outcome.notes.append("No access tokens found.")
            }
            return ([], false, outcome)
        }
        let showsExpiry = snapshot.document.sections.contains { $0["expires_at"] != nil }
        let rows = snapshot.document.sections.map { section -> ListedToken in
            let token = section["hf_token"]
            return ListedToken(isActive: token != nil && token == current?.value, name: section.name,
                               masked: token.map(TokenText.mask) ?? "<not set>",
                               expires: Self.formatExpiration(section["expires_at"], now: now))
        }
        if let environmentToken {
            outcome.warnings.append("Note: \(environmentToken.source) is set and is the current active token independently from the stored tokens listed above.")
        } else if !rows.contains(where: \.isActive) {
            outcome.warnings.append("Note: No active token is set and no environment variable HF_TOKEN is found. Use %hf_login to log in.")
        }
        return (rows, showsExpiry, outcome)
    }

    /// `_format_expiration`: the local date of a unix timestamp, `(expired)` when past.
    static func formatExpiration(_ text: String?, now: Date) -> String {
        guard let text, !text.isEmpty, let timestamp = Int(text) else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        let date = Date(timeIntervalSince1970: TimeInterval(timestamp))
        let formatted = formatter.string(from: date)
        return date < now ? "\(formatted) (expired)" : formatted
    }

    /// Who owns the token in force (or the stored token `explicitName`), and where that token came from.
    public func whoami(explicitName: String? = nil) throws -> (token: ResolvedToken, info: WhoAmIInfo) {
        guard let token = try chain.resolve(explicitName: explicitName) else { throw AuthError.notLoggedIn(endpoint: environment.endpoint) }
        let info = try whoAmIClient.fetch(token)
        WhoAmICache.shared.store(info, for: token.value, endpoint: environment.endpoint)
        return (token, info)
    }
}

extension AuthService.Outcome {
    func merged(_ other: Self) -> Self { Self(notes: notes + other.notes, warnings: warnings + other.warnings) }
}

/// Whoami answers seen in this process, by token fingerprint and endpoint, so `%token_source` can
/// warn about a write token without asking the Hub again.
public final class WhoAmICache: @unchecked Sendable {
    public static let shared = WhoAmICache()
    private let lock = NSLock()
    private var entries: [String: WhoAmIInfo] = [:]

    public func store(_ info: WhoAmIInfo, for token: String, endpoint: String) {
        lock.withLock { entries[endpoint + " " + TokenSourceReport.fingerprint(token)] = info }
    }

    public func info(for token: String, endpoint: String) -> WhoAmIInfo? {
        lock.withLock { entries[endpoint + " " + TokenSourceReport.fingerprint(token)] }
    }
}
