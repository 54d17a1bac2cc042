import Foundation

/// Replaces every known token in text with its mask (`hf_****abcd`), so a token that reaches
/// an output, a log line or the history by accident is not disclosed. Known tokens only: `TokenMasker`
/// (from `TokenGuard`) also masks every string of a Hub token's shape.
///
/// ```swift
/// let redactor = TokenRedactor(tokens: ["hf_exampleToken0123"])
/// redactor.redact("Bearer hf_exampleToken0123")   // "Bearer hf_****0123"
/// ```
public struct TokenRedactor: Sendable, Equatable {
    /// Shorter strings are not treated as secrets (masking them would garble ordinary text).
    public static let minimumLength = TokenMasker.minimumKnownLength

    /// Known tokens, longest first (so a token that contains another is masked whole).
    public private(set) var tokens: [String]

    public init(tokens: some Sequence<String> = []) {
        self.tokens = []
        add(tokens)
    }

    /// Every token HubKernel can see in `environment`: each token variable (raw and cleaned), the token file,
    /// every `hf_token` / `refresh_token` in `stored_tokens`, the OIDC id token variables (`TokenSources`), and
    /// every token this process got from the Hub (`IssuedSecrets`: refreshed, OIDC-exchanged).
    public static func tokens(in environment: HubEnvironment) -> [String] {
        let raw = TokenSources.secrets(variables: environment.variables, userHome: environment.userHome)
        let given = ([environment.explicitToken].compactMap { $0 } + environment.clientTokens).map(\.value)
        return raw + raw.compactMap { TokenText.clean($0) } + given + IssuedSecrets.shared.all
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
        TokenMasker(knownOnly: tokens).mask(text)
    }

    /// The mask used in redacted text: `hf_****abcd`, or `****` for tokens too short to show any part of.
    public static func mask(_ token: String) -> String { TokenMask.inText(token) }
}

/// A masker that keeps itself current: before each use it checks (cheaply, with `stat`) whether the
/// token file, `stored_tokens` or the token variables changed, and learns the new tokens. It never
/// forgets a token it has seen, so a token removed by logout stays masked.
public final class LiveTokenRedactor: @unchecked Sendable {
    private let lock = NSLock()
    private var masker = TokenMasker()
    private var seen: (sources: TokenSources.Fingerprint, issued: Int, given: Int)?

    public init() {}

    /// Masks every token known in `environment` (and every token seen before), and every string of a token's
    /// shape, in `text`.
    public func redact(_ text: String, environment: HubEnvironment) -> String {
        masker(for: environment).mask(text)
    }

    /// The masker as it is now for `environment` (re-reading the token sources if any of them changed).
    public func masker(for environment: HubEnvironment) -> TokenMasker {
        // The environment already knows its token files: no path is worked out again for each message.
        let key = (sources: TokenSources.fingerprint(variables: environment.variables,
                                                     files: [environment.tokenPath, environment.storedTokensPath]),
                   issued: IssuedSecrets.shared.all.count,
                   given: environment.clientTokens.count + (environment.explicitToken == nil ? 0 : 1))
        if let current = lock.withLock({ seen.map { $0 == key } == true ? masker : nil }) { return current }
        let found = TokenRedactor.tokens(in: environment).compactMap { TokenText.clean($0) }
        return lock.withLock {
            masker.add(found)
            seen = key
            return masker
        }
    }

    /// Masks `token` from now on, whatever the files say (a token typed at a prompt).
    public func remember(_ token: String) {
        guard let clean = TokenText.clean(token) else { return }
        lock.withLock { masker.add([clean]) }
    }

    /// The tokens currently known (for tests and diagnostics).
    public var knownTokens: [String] { lock.withLock { masker.known.map { String(decoding: $0, as: UTF8.self) } } }
}
