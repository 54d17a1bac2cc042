import Foundation

/// Every place a token can come from, which one wins and why, and what looks wrong —
/// what `%token_source` shows.
///
/// ```swift
/// let report = TokenSourceReport.inspect(environment: env, workingDirectory: cwd)
/// report.winner?.source     // .environment(variable: "HF_TOKEN")
/// report.reason             // "HF_TOKEN is set; environment variables come before the token file."
/// report.warnings           // ["HF_TOKEN overrides the token saved in …"]
/// ```
public struct TokenSourceReport: Sendable, Equatable {
    /// One candidate source.
    public struct Candidate: Sendable, Equatable {
        /// `HF_TOKEN`, `token file`, `stored_tokens`, `.env`.
        public var name: String
        /// A path, or what the variable is.
        public var detail: String
        public var isSet: Bool
        /// The masked value (`hf_****abcd`), when there is one.
        public var masked: String?
        /// `in force`, `shadowed`, `blank`, `ignored by Python` …
        public var status: String
        /// A short fingerprint of the value (first 16 hex digits of its SHA-256), to compare sources without showing them.
        public var fingerprint: String?
    }

    public var candidates: [Candidate]
    /// The token in force (`nil`: not logged in).
    public var winner: ResolvedToken?
    /// Whether the winner is actually sent (not when `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set).
    public var isSent: Bool
    /// Why the winner wins, in one or two sentences.
    public var reason: String
    public var warnings: [String]
    /// The fingerprint of what Python `huggingface_hub.get_token()` would return here.
    public var pythonFingerprint: String?

    /// First 16 hex digits of the SHA-256 of `token`.
    public static func fingerprint(_ token: String) -> String {
        String(Digest.hex(.sha256, of: Data(token.utf8)).prefix(16))
    }

    /// Looks at every source. `whoami` (when known) enables the role warning; `runner` asks git about `.env`.
    /// With a `transport`, the OIDC exchange runs when `HF_OIDC_RESOURCE` is set (its result is cached).
    public static func inspect(environment: HubEnvironment, workingDirectory: String, whoami: WhoAmIInfo? = nil,
                               runner: CommandRunner = ProcessCommandRunner(), transport: HTTPTransport? = nil) -> TokenSourceReport {
        let chain = TokenChain(environment: environment, transport: transport)
        var warnings: [String] = []
        var candidates: [Candidate] = []

        let oidc = OIDCCandidate(chain: chain)
        candidates.append(oidc.candidate)
        let selected = chain.selectedVariable()
        let environmentToken = chain.environmentToken()
        var fileProblem: String?
        let fileToken: ResolvedToken?
        do { fileToken = try chain.fileToken() } catch { fileToken = nil; fileProblem = "\(error)" }
        let explicit = chain.explicitClientToken()
        let clientToken = chain.clientSourceToken()
        let winner = explicit ?? (oidc.resource == nil ? environmentToken ?? fileToken ?? clientToken : oidc.token)
        let snapshot = chain.store.storedTokens()
        if let given = environment.explicitToken {
            candidates.insert(Candidate(name: "explicit token", detail: "passed by \(given.name)", isSet: explicit != nil,
                                        masked: explicit?.masked, status: explicit == nil ? "blank" : "in force (before every other source)",
                                        fingerprint: explicit.map { fingerprint($0.value) }), at: 0)
        }

        for variable in TokenChain.environmentVariables {
            let raw = environment.variables[variable]
            let clean = TokenText.clean(raw)
            var status: String
            switch (raw, clean) {
            case (nil, _): status = "not set"
            case (""?, _): status = "empty (skipped)"
            case (_, nil): status = variable == selected ? "blank after cleaning: counts as unset" : "blank"
            default: status = variable == selected ? "in force" : "shadowed by \(selected ?? "?")"
            }
            if oidc.resource != nil, status == "in force" { status = "shadowed by HF_OIDC_RESOURCE (not used)" }
            if explicit != nil, status == "in force" { status = "shadowed by the explicit token" }
            if variable == TokenChain.deprecatedVariable, raw != nil {
                status += "; ignored by Python huggingface_hub"
            }
            candidates.append(Candidate(name: variable, detail: "environment variable", isSet: raw != nil,
                                        masked: clean.map(TokenText.mask), status: status, fingerprint: clean.map(fingerprint)))
        }

        let activeName = fileToken.flatMap { snapshot.name(of: $0.value) }
        let fileStatus: String
        if let fileProblem { fileStatus = "unreadable: \(fileProblem)" }
        else if fileToken == nil { fileStatus = FileManager.default.fileExists(atPath: chain.store.tokenPath) ? "blank" : "missing" }
        else if let stronger = explicit ?? environmentToken { fileStatus = "shadowed by \(stronger.source)" }
        else { fileStatus = "in force" + (activeName.map { " (saved as '\($0)')" } ?? "") }
        candidates.append(Candidate(name: "token file", detail: chain.store.tokenPath, isSet: fileToken != nil,
                                    masked: fileToken?.masked, status: fileStatus, fingerprint: fileToken.map { fingerprint($0.value) }))

        for given in environment.clientTokens {
            let clean = TokenText.clean(given.value)
            let status = clean == nil ? "blank" : (winner?.source == .client(name: given.name) ? "in force"
                : "shadowed by \(winner.map { "\($0.source)" } ?? "?") (read last, as huggingface_hub reads it)")
            candidates.append(Candidate(name: given.name, detail: "from the client", isSet: clean != nil,
                                        masked: clean.map(TokenText.mask), status: status, fingerprint: clean.map(fingerprint)))
        }

        let names = snapshot.names
        candidates.append(Candidate(name: "stored_tokens", detail: chain.store.storedTokensPath, isSet: !names.isEmpty,
                                    masked: nil,
                                    status: snapshot.problem ?? (names.isEmpty ? "no stored tokens" : "\(names.count) saved: \(names.joined(separator: ", ")) (used by --token-name and %auth_switch)"),
                                    fingerprint: nil))

        let dotEnvPath = (workingDirectory as NSString).appendingPathComponent(".env")
        if let text = try? SecretFile.read(dotEnvPath) {
            let file = DotEnv.parse(text)
            let tokenEntries = file.hubVariables.filter { TokenChain.environmentVariables.contains($0.key) }
            let loaded = tokenEntries.allSatisfy { environment.variables[$0.key] == $0.value }
            let status: String
            if tokenEntries.isEmpty { status = "no token variable in it" }
            else { status = loaded ? "loaded (%dotenv)" : "not loaded: run %dotenv to use it" }
            let firstToken = tokenEntries.sorted { $0.key < $1.key }.first.flatMap { TokenText.clean($0.value) }
            candidates.append(Candidate(name: ".env", detail: dotEnvPath, isSet: !tokenEntries.isEmpty, masked: firstToken.map(TokenText.mask),
                                        status: status, fingerprint: firstToken.map(fingerprint)))
            if !tokenEntries.isEmpty, case .notIgnored(let root) = GitIgnoreStatus.check(dotEnvPath, runner: runner, environment: environment.variables) {
                warnings.append("\(dotEnvPath) holds a token and is not covered by a .gitignore in \(root): add `.env` to .gitignore so it is never committed.")
            }
        } else {
            candidates.append(Candidate(name: ".env", detail: dotEnvPath, isSet: false, masked: nil, status: "no file", fingerprint: nil))
        }

        // Why the winner wins.
        var reason: String
        switch winner?.source {
        case .explicit(let client)?:
            reason = "The token \(client) passed is explicit, so it is used before every other source (as `token=` is in huggingface_hub)."
        case .client(let name)?:
            reason = "No token variable is set and there is no token file, so \(name) is used: huggingface_hub 2.4 reads it last too."
        case .oidc(let resource)?:
            reason = "HF_OIDC_RESOURCE is set, so the token comes from the OIDC token exchange for '\(resource)' (id token from \(oidc.idTokenOrigin)); as in huggingface_hub, OIDC comes before HF_TOKEN and the token file, which are not used."
        case nil where oidc.resource != nil:
            reason = "The OIDC token exchange failed: \(oidc.problem ?? "unknown cause.") As in huggingface_hub, there is no fallback to HF_TOKEN or the token file: fix the cause or unset HF_OIDC_RESOURCE."
        case .environment(let variable)?:
            let skipped = TokenChain.environmentVariables.prefix { $0 != variable }
            reason = "\(variable) is set" + (skipped.isEmpty ? "" : " (\(skipped.joined(separator: ", ")) empty or unset)") + "; environment variables come before the token file."
        case .tokenFile(let path)?:
            if let selected {
                reason = "\(selected) is set but blank after cleaning (only spaces or line breaks), so it counts as unset — and, as in huggingface_hub, the variables after it are not tried. The token file \(path) is used."
            } else {
                reason = "No token variable is set, so the token file \(path) is used" + (activeName.map { " (it holds the token saved as '\($0)')." } ?? ".")
            }
        default:
            reason = "No source holds a token: not logged in. Run %hf_login, or set HF_TOKEN before starting the kernel."
        }
        let isSent = winner != nil && !environment.disablesImplicitToken
        if winner != nil, environment.disablesImplicitToken {
            reason += " HF_HUB_DISABLE_IMPLICIT_TOKEN is set, so it is not sent unless a command picks a token with --token-name."
        }

        // Warnings.
        if environment.variables[TokenChain.deprecatedVariable] != nil {
            let inForce = selected == TokenChain.deprecatedVariable && environmentToken != nil
            warnings.append("HUGGINGFACE_TOKEN is a deprecated name that Python huggingface_hub ignores" +
                            (inForce ? ": HubKernel uses it, but transformers and other Python libraries in this environment will not (they fall back to the token file or run unauthenticated)." : ".") +
                            " Rename it to HF_TOKEN.")
        }
        if let environmentToken, let fileToken, environmentToken.value != fileToken.value {
            let saved = activeName.map { "the token saved as '\($0)'" } ?? "the saved token"
            warnings.append("\(environmentToken.source) overrides \(saved) in \(chain.store.tokenPath): %hf_login and %auth_switch change the file but not what is sent. Unset the variable to use the saved token.")
        }
        if let whoami, winner != nil, whoami.role == .write {
            warnings.append("This is a write token, but HubKernel only reads (downloads): a read token is enough and safer. Create one at \(environment.endpoint)/settings/tokens.")
        }
        for (label, path) in [("The token file", chain.store.tokenPath), ("stored_tokens", chain.store.storedTokensPath)] {
            if let mode = SecretFile.permissions(of: path), mode & 0o077 != 0 {
                warnings.append("\(label) \(path) can be read by other users (mode \(String(mode, radix: 8))): run `chmod 600 \(path)`.")
            }
            // In a team: a token file someone else owns is their token, and one in the shared cache is everyone's.
            if let owner = FileSystem.status(of: path)?.owner, owner != FileSystem.currentUser {
                warnings.append("\(label) \(path) belongs to \(SharedCacheSurvey.userName(owner)), not to you: requests go out as their account. Point HF_TOKEN_PATH (or HF_HOME) at a file of your own.")
            }
            if FileSystem.status(of: path) != nil, path.hasPrefix(environment.hubCache + "/") {
                warnings.append("\(label) \(path) is inside the cache HF_HUB_CACHE, which others may share: move it out (HF_TOKEN_PATH or HF_HOME) and log in again.")
            }
        }
        if let problem = snapshot.problem { warnings.append(problem) }
        if let fileProblem { warnings.append(fileProblem) }

        var pythonFingerprint: String?
        if let pythonToken = try? chain.pythonToken() { pythonFingerprint = fingerprint(pythonToken) }
        if oidc.resource == nil, pythonFingerprint != winner.map({ fingerprint($0.value) }) {
            warnings.append("Python huggingface_hub.get_token() sees a different token here (\(pythonFingerprint == nil ? "none" : "another one")), because it ignores HUGGINGFACE_TOKEN.")
        }

        return TokenSourceReport(candidates: candidates, winner: winner, isSent: isSent, reason: reason,
                                 warnings: warnings, pythonFingerprint: pythonFingerprint)
    }
}

/// The first row of the report: the OIDC exchange (`HF_OIDC_RESOURCE`), run once when enabled.
struct OIDCCandidate {
    var resource: String?
    var token: ResolvedToken?
    var problem: String?
    var idTokenOrigin: String

    init(chain: TokenChain) {
        let variables = chain.environment.variables
        resource = OIDCTokenSource.resource(in: chain.environment)
        idTokenOrigin = (variables[OIDCTokenSource.idTokenVariable] ?? "").isEmpty ? "GitHub Actions" : "HF_OIDC_ID_TOKEN"
        guard resource != nil else { return }
        do { token = try chain.oidcToken() } catch { problem = (error as? UserFacingError)?.message ?? "\(error)" }
    }

    var candidate: TokenSourceReport.Candidate {
        guard let resource else {
            return .init(name: OIDCTokenSource.resourceVariable, detail: "CI identity via OIDC", isSet: false, masked: nil,
                         status: "not set", fingerprint: nil)
        }
        let status = token != nil ? "in force (id token from \(idTokenOrigin))" : "exchange failed (see below): nothing is used"
        return .init(name: OIDCTokenSource.resourceVariable, detail: "OIDC token exchange for \(resource)", isSet: true,
                     masked: token?.masked, status: status, fingerprint: token.map { TokenSourceReport.fingerprint($0.value) })
    }
}
