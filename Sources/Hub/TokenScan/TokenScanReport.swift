import Foundation

/// What `--check` learnt about a token from `whoami-v2`.
public enum TokenCheck: Sendable, Equatable {
    /// The Hub accepts it: whose it is and what it may do.
    case live(user: String, role: String?)
    /// HTTP 401: invalid or revoked.
    case revoked
    /// No answer (offline, unreachable, another status): the reason.
    case unknown(String)

    public var text: String {
        switch self {
        case .live(let user, let role): return "live: \(user)" + (role.map { " (\($0))" } ?? "")
        case .revoked: return "invalid/revoked"
        case .unknown(let reason): return "not checked: \(reason)"
        }
    }
}

/// One distinct token among the findings, with what HubKernel knows of it.
public struct FoundToken: Sendable, Equatable {
    public var token: String
    public var pattern: TokenPattern
    /// How many places hold it.
    public var places: Int
    /// The `stored_tokens` names that hold it.
    public var storedAs: [String]
    /// It is the token commands use now (`TokenChain.resolve()`).
    public var isInForce: Bool
    public var check: TokenCheck?

    public var masked: String { TokenRedactor.mask(token) }

    /// `stored as 'laptop', the token in force` (empty when HubKernel does not know it).
    public var identity: String {
        (storedAs.map { "stored as '\($0)'" } + (isInForce ? ["the token in force"] : [])).joined(separator: ", ")
    }
}

/// A scan's findings with each distinct token identified (stored tokens, the token in force), optionally checked
/// against the Hub, and the advice that follows.
public struct TokenScanReport: Sendable, Equatable {
    public var result: TokenScanResult
    public var tokens: [FoundToken]
    public let endpoint: String

    /// Identifies the tokens found among the ones `environment` stores and uses (no network).
    public init(result: TokenScanResult, environment: HubEnvironment) {
        self.result = result
        endpoint = environment.endpoint
        let stored = TokenStore(environment: environment).storedTokens()
        let inForce = (try? TokenChain(environment: environment).resolve())??.value
        var counts: [String: Int] = [:], patterns: [String: TokenPattern] = [:]
        for finding in result.findings {
            counts[finding.token, default: 0] += 1
            patterns[finding.token] = finding.pattern
        }
        tokens = result.distinctTokens.map { token in
            FoundToken(token: token, pattern: patterns[token]!, places: counts[token] ?? 0,
                       storedAs: stored.tokens.filter { TokenText.clean($0.token) == token }.map(\.name),
                       isInForce: token == inForce, check: nil)
        }
    }

    /// Asks `{endpoint}/api/whoami-v2` about each distinct token, one request each. Tokens go nowhere else.
    public mutating func check(environment: HubEnvironment, transport: HTTPTransport) {
        let client = WhoAmIClient(environment: environment, transport: transport)
        for index in tokens.indices {
            let token = ResolvedToken(value: tokens[index].token, source: .storedToken(name: "found by token scan"))
            do {
                let info = try client.fetch(token, describeSource: false)
                tokens[index].check = .live(user: info.user, role: info.role?.text)
            } catch AuthError.invalidToken {
                tokens[index].check = .revoked
            } catch let error as UserFacingError {
                tokens[index].check = .unknown(error.message)
            } catch {
                tokens[index].check = .unknown("\(error)")
            }
        }
    }

    /// The token's entry.
    public func token(_ value: String) -> FoundToken? { tokens.first { $0.token == value } }

    /// What to do, most urgent first.
    public var advice: [String] { advice(after: []) }

    /// What is left to do once `fixes` (`--fix`) ran: a notebook already fixed is not sent to `--fix` again.
    public func advice(after fixes: [NotebookFixer.Outcome]) -> [String] {
        guard !tokens.isEmpty else { return [] }
        let fixed = Set(fixes.map(\.path))
        let codeLeft = fixes.contains { $0.leftInCode > 0 }
        var lines: [String] = []
        let settings = endpoint + "/settings/tokens"
        let live = tokens.filter { if case .live = $0.check { return true } else { return false } }
        if !live.isEmpty {
            lines.append("Revoke the live token(s) first, at \(settings): " + live.map(\.masked).joined(separator: ", ") + ".")
        }
        let unchecked = tokens.filter { $0.check == nil || { if case .unknown = $0 { return true } else { return false } }($0.check!) }
        if !unchecked.isEmpty {
            lines.append("Revoke every token found at \(settings) (a token that was committed, shared or printed is compromised); "
                         + "run %token_scan --check to see which ones still work.")
        }
        if tokens.contains(where: { $0.isInForce || !$0.storedAs.isEmpty }) {
            lines.append("A token you use now leaked: create a new one at \(settings), then log in with it (%hf_login --force).")
        }
        let notebookOutputs = result.findings.contains { finding in
            if case .notebook(let place) = finding.place { return !place.isSource && !fixed.contains(finding.path) } else { return false }
        }
        if notebookOutputs {
            lines.append("Clear the outputs that hold tokens: %token_scan --fix masks tokens in notebook outputs and metadata (a backup is kept).")
        }
        let inCode = result.findings.contains { finding in
            if case .notebook(let place) = finding.place { return place.isSource && (!fixed.contains(finding.path) || codeLeft) } else { return false }
        }
        if inCode || result.findings.contains(where: { if case .line = $0.place { return true } else { return false } }) {
            lines.append("Take tokens out of code and files: read them from the environment (os.environ[\"HF_TOKEN\"]) or log in once; "
                         + "--fix-code does this for notebook code cells.")
        }
        if result.findings.contains(where: \.isInHistory) {
            lines.append("Rewrite git history (after revoking): git filter-repo --replace-text FILE, with one line TOKEN==>REMOVED per token in FILE, "
                         + "then force-push; clones and forks keep the old commits, so revoking is what protects you.")
        } else if result.findings.contains(where: { !$0.isGitIgnored }) {
            lines.append("If a file with a token was ever committed, run %token_scan --history to find it in older commits.")
        }
        return lines
    }
}
