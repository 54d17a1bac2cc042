import Foundation

/// Replaces every known token in text with its mask (`hf_****abcd`), so a token that reaches
/// an output, a log line or the history by accident is not disclosed.
///
/// ```swift
/// let redactor = TokenRedactor(tokens: ["hf_exampleToken0123"])
/// redactor.redact("Bearer hf_exampleToken0123")   // "Bearer hf_****0123"
/// ```
public struct TokenRedactor: Sendable, Equatable {
    /// Shorter strings are not treated as secrets (masking them would garble ordinary text).
    public static let minimumLength = 6

    /// Known tokens, longest first (so a token that contains another is masked whole).
    public private(set) var tokens: [String]

    public init(tokens: some Sequence<String> = []) {
        self.tokens = []
        add(tokens)
    }

    /// Every token HubKernel can see in `environment`: each token variable (raw and cleaned),
    /// the token file, every `hf_token` / `refresh_token` in `stored_tokens`, the OIDC id token variables,
    /// and every token this process got from the Hub (`IssuedSecrets`: refreshed, OIDC-exchanged).
    public static func tokens(in environment: HubEnvironment) -> [String] {
        var found: [String] = []
        for variable in TokenChain.environmentVariables {
            guard let raw = environment.variables[variable] else { continue }
            found.append(raw)
            if let clean = TokenText.clean(raw) { found.append(clean) }
        }
        let store = TokenStore(environment: environment)
        if let raw = try? SecretFile.read(store.tokenPath) {
            found.append(raw)
            if let clean = TokenText.clean(raw) { found.append(clean) }
        }
        for variable in [OIDCTokenSource.idTokenVariable, "ACTIONS_ID_TOKEN_REQUEST_TOKEN"] {
            if let raw = environment.variables[variable] { found.append(raw) }
        }
        found += IssuedSecrets.shared.all
        for section in store.storedTokens().document.sections {
            for field in section.fields where field.key == "hf_token" || field.key == "refresh_token" {
                found.append(field.value)
            }
        }
        return found
    }

    /// Adds tokens (blank and too-short strings are ignored).
    public mutating func add(_ newTokens: some Sequence<String>) {
        var set = Set(tokens)
        for token in newTokens {
            let trimmed = TokenText.clean(token) ?? ""
            if trimmed.unicodeScalars.count >= Self.minimumLength { set.insert(trimmed) }
        }
        tokens = set.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// `text` with each known token replaced by its mask.
    public func redact(_ text: String) -> String {
        var result = text
        for token in tokens where result.contains(token) {
            result = result.replacingOccurrences(of: token, with: Self.mask(token))
        }
        return result
    }

    /// The mask used in redacted text: `hf_****abcd`, or `****` for tokens too short to show any part of.
    public static func mask(_ token: String) -> String {
        token.unicodeScalars.count >= 12 ? TokenText.mask(token) : "****"
    }
}

/// A redactor that keeps itself current: before each use it checks (cheaply, with `stat`) whether the
/// token file, `stored_tokens` or the token variables changed, and learns the new tokens. It never
/// forgets a token it has seen, so a token removed by logout stays masked.
public final class LiveTokenRedactor: @unchecked Sendable {
    private let lock = NSLock()
    private var redactor = TokenRedactor()
    private var seen: [String] = []

    public init() {}

    /// Masks every token known in `environment` (and every token seen before) in `text`.
    public func redact(_ text: String, environment: HubEnvironment) -> String {
        refresh(environment)
        return lock.withLock { redactor }.redact(text)
    }

    /// Re-reads the token sources now if any of them changed since the last look.
    public func refresh(_ environment: HubEnvironment) {
        let key = Self.fingerprint(environment)
        let stale = lock.withLock { key != seen }
        guard stale else { return }
        let found = TokenRedactor.tokens(in: environment)
        lock.withLock {
            redactor.add(found)
            seen = key
        }
    }

    /// Masks `token` from now on, whatever the files say (a token typed at a prompt).
    public func remember(_ token: String) {
        lock.withLock { redactor.add([token]) }
    }

    /// The tokens currently known (for tests and diagnostics).
    public var knownTokens: [String] { lock.withLock { redactor.tokens } }

    private static func fingerprint(_ environment: HubEnvironment) -> [String] {
        let variables = (TokenChain.environmentVariables + [OIDCTokenSource.idTokenVariable, "ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
            .map { environment.variables[$0] ?? "\u{0}unset" } + [String(IssuedSecrets.shared.all.count)]
        let files = [environment.tokenPath, environment.storedTokensPath].map {
            $0 + ":" + SecretFile.fingerprint(of: $0).map(String.init).joined(separator: ",")
        }
        return variables + files
    }
}
