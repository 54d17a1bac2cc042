/// Decides which token is in force, in this order:
///
/// 1. a stored token chosen by name for one command (`--token-name work`);
/// 1b. with `HF_OIDC_RESOURCE` set, the token from the OIDC exchange (`OIDCTokenSource`; its failure is an error);
/// 2. `HF_TOKEN`, else `HUGGING_FACE_HUB_TOKEN`, else the deprecated `HUGGINGFACE_TOKEN`
///    (the first one that is set and not empty; it is then cleaned, and if nothing is left —
///    only spaces or newlines — the later variables are *not* tried, as in Python);
/// 3. the token file (a browser-login token is refreshed first when it is about to expire: `TokenRefresher`).
///
/// Steps 2–3 are `huggingface_hub.get_token()`; `tokenToSend` is `get_token_to_send`
/// (`HF_HUB_DISABLE_IMPLICIT_TOKEN` stops 2–3 but not an explicit choice).
///
/// ```swift
/// let chain = TokenChain(environment: HubEnvironment(variables: ["HF_TOKEN": " \n"]))
/// try chain.resolve()           // the token file's token: a blank HF_TOKEN counts as unset …
/// chain.environmentToken()      // nil … and hides HUGGING_FACE_HUB_TOKEN
/// ```
public struct TokenChain: Sendable {
    /// The variables read, in priority order. `HUGGINGFACE_TOKEN` is HubKernel's addition.
    public static let environmentVariables = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"]
    /// The variables Python `huggingface_hub` reads.
    public static let pythonEnvironmentVariables = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]
    /// Read for compatibility but always flagged: Python ignores it.
    public static let deprecatedVariable = "HUGGINGFACE_TOKEN"

    public let environment: HubEnvironment
    public let store: TokenStore
    /// Carries the OIDC exchange and OAuth refreshes; without one, neither happens (the raw sources only).
    public let transport: HTTPTransport?

    public init(environment: HubEnvironment, transport: HTTPTransport? = nil) {
        self.environment = environment
        store = TokenStore(environment: environment)
        self.transport = transport
    }

    /// The variable whose value the chain looks at: the first one that is set and not empty
    /// (Python's `os.environ.get("HF_TOKEN") or os.environ.get("HUGGING_FACE_HUB_TOKEN")`).
    public func selectedVariable(among variables: [String] = environmentVariables) -> String? {
        variables.first { !(environment.variables[$0] ?? "").isEmpty }
    }

    /// `_get_token_from_environment`, extended with `HUGGINGFACE_TOKEN` last.
    public func environmentToken() -> ResolvedToken? {
        guard let variable = selectedVariable(), let token = TokenText.clean(environment.variables[variable]) else { return nil }
        return ResolvedToken(value: token, source: .environment(variable: variable))
    }

    /// `_get_token_from_file`.
    public func fileToken() throws -> ResolvedToken? {
        try store.activeToken().map { ResolvedToken(value: $0, source: .tokenFile(path: store.tokenPath)) }
    }

    /// `_get_token_from_file_refreshed`: the token file's token, refreshed first when it is a browser-login
    /// token with less than a day left (needs a transport).
    public func refreshedFileToken() throws -> ResolvedToken? {
        guard var token = try fileToken() else { return nil }
        if let transport {
            token.value = try TokenRefresher.shared.resolve(token.value, store: store,
                                                            client: OAuthClient(environment: environment, transport: transport))
        }
        return token
    }

    /// `_get_token_from_oidc`: the exchanged CI token when `HF_OIDC_RESOURCE` is set, else `nil`.
    public func oidcToken() throws -> ResolvedToken? {
        guard let resource = OIDCTokenSource.resource(in: environment) else { return nil }
        guard let transport else {
            throw OAuthError(.oidc, "HF_OIDC_RESOURCE is set but this command cannot exchange an OIDC token.")
        }
        return try OIDCTokenSource.shared.token(environment: environment, transport: transport)
            .map { ResolvedToken(value: $0.token, source: .oidc(resource: resource)) }
    }

    /// The stored token saved under `name`, or `AuthError.unknownTokenName`.
    public func storedToken(named name: String) throws -> ResolvedToken {
        let snapshot = store.storedTokens()
        guard let token = snapshot.token(named: name) else {
            throw AuthError.unknownTokenName(name, known: snapshot.names, storedTokensPath: store.storedTokensPath)
        }
        return ResolvedToken(value: token, source: .storedToken(name: name))
    }

    /// The token in force (`get_token()`), or the stored token `explicitName` when given; a backend client's explicit
    /// token before everything else, its own sources (Colab's secret) after the token file.
    public func resolve(explicitName: String? = nil) throws -> ResolvedToken? {
        if let explicitName { return try storedToken(named: explicitName) }
        if let explicit = explicitClientToken() { return explicit }
        if let oidc = try oidcToken() { return oidc }
        return try environmentToken() ?? refreshedFileToken() ?? clientSourceToken()
    }

    /// The token a backend client passed explicitly, cleaned.
    public func explicitClientToken() -> ResolvedToken? {
        guard let given = environment.explicitToken, let token = TokenText.clean(given.value) else { return nil }
        return ResolvedToken(value: token, source: .explicit(client: given.name))
    }

    /// The first of a backend client's own sources that holds a token (Colab's secret `HF_TOKEN`).
    public func clientSourceToken() -> ResolvedToken? {
        for given in environment.clientTokens {
            if let token = TokenText.clean(given.value) { return ResolvedToken(value: token, source: .client(name: given.name)) }
        }
        return nil
    }

    /// The token to put in an `Authorization` header (`get_token_to_send`): an explicit choice
    /// always; otherwise nothing when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set, else `resolve()`.
    public func tokenToSend(explicitName: String? = nil) throws -> ResolvedToken? {
        if let explicitName { return try storedToken(named: explicitName) }
        if let explicit = explicitClientToken() { return explicit }
        if environment.disablesImplicitToken { return nil }
        return try resolve()
    }

    /// What Python `huggingface_hub.get_token()` returns in this environment (no `HUGGINGFACE_TOKEN`):
    /// used to warn when the two clients would disagree.
    public func pythonToken() throws -> String? {
        if let variable = selectedVariable(among: Self.pythonEnvironmentVariables),
           let token = TokenText.clean(environment.variables[variable]) { return token }
        return try store.activeToken() ?? clientSourceToken()?.value
    }
}
