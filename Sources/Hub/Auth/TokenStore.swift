/// The token file and `stored_tokens`, read and changed exactly as `huggingface_hub` does
/// (`_get_token_from_file`, `_read_stored_tokens_full`, `_save_token`, `_set_active_token`,
/// `_logout_from_token`), so Python and HubKernel share one login.
///
/// ```swift
/// let store = TokenStore(environment: env)
/// try store.save(token: token, name: "work")   // [work] hf_token = … in stored_tokens
/// try store.activate(name: "work")              // the token file now holds it
/// store.storedTokens().names                    // ["work"]
/// ```
public struct TokenStore: Sendable {
    /// `HF_TOKEN_PATH` (default `$HF_HOME/token`).
    public let tokenPath: String
    /// `stored_tokens` next to the token file.
    public let storedTokensPath: String

    public init(environment: HubEnvironment) {
        tokenPath = environment.tokenPath
        storedTokensPath = environment.storedTokensPath
    }

    /// What `stored_tokens` holds, and why it was treated as empty if it could not be parsed.
    public struct Snapshot: Sendable, Equatable {
        public var document: INIDocument
        /// Set when the file exists but Python would refuse it (it then counts as empty).
        public var problem: String?

        /// Token names in file order.
        public var names: [String] { document.sections.map(\.name) }

        /// `get_stored_tokens()`: name → `hf_token` (empty when the section has none).
        public var tokens: [(name: String, token: String)] { document.sections.map { ($0.name, $0["hf_token"] ?? "") } }

        /// `_get_token_by_name`: the cleaned token saved under `name`.
        public func token(named name: String) -> String? { TokenText.clean(document[name]?["hf_token"]) }

        /// The name under which `token` is saved, if any.
        public func name(of token: String) -> String? { document.sections.first { $0["hf_token"] == token }?.name }
    }

    /// `_get_token_from_file`: the cleaned token file, `nil` when it is missing or blank.
    public func activeToken() throws -> String? {
        do {
            return TokenText.clean(try SecretFile.read(tokenPath))
        } catch let failure as SecretFile.Failure {
            throw AuthError.fileProblem(failure)
        }
    }

    /// `_read_stored_tokens_full`: every section with all its fields; empty when the file is missing
    /// or unparseable (with `problem` saying why).
    public func storedTokens() -> Snapshot {
        let text: String?
        do {
            text = try SecretFile.read(storedTokensPath)
        } catch {
            return Snapshot(document: INIDocument(), problem: "\(error)")
        }
        guard let text else { return Snapshot(document: INIDocument(), problem: nil) }
        do {
            return Snapshot(document: try INIDocument.parse(text), problem: nil)
        } catch {
            return Snapshot(document: INIDocument(), problem: "\(storedTokensPath) cannot be parsed (\(error)); logging in again rewrites it")
        }
    }

    /// `_save_token`: replaces the whole `[name]` section with `hf_token` (and OAuth fields when
    /// given), keeps every other section and key, writes the file sorted by name, mode 0600.
    public func save(token: String, name: String, refreshToken: String? = nil, expiresAt: Int? = nil) throws {
        try Self.validate(name: name)
        var document = storedTokens().document
        var fields = [INIDocument.Field("hf_token", token)]
        if let refreshToken { fields.append(.init("refresh_token", refreshToken)) }
        if let expiresAt { fields.append(.init("expires_at", String(expiresAt))) }
        let section = INIDocument.Section(name: name, fields: fields)
        if let index = document.sections.firstIndex(where: { $0.name == name }) {
            document.sections[index] = section
        } else {
            document.sections.append(section)
        }
        try write(document)
    }

    /// `_set_active_token` (file part): writes the cleaned token saved under `name` to the token file.
    /// Returns that token.
    @discardableResult
    public func activate(name: String) throws -> String {
        let snapshot = storedTokens()
        guard let token = snapshot.token(named: name) else {
            throw AuthError.unknownTokenName(name, known: snapshot.names, storedTokensPath: storedTokensPath)
        }
        do { try SecretFile.write(token, to: tokenPath) } catch let failure as SecretFile.Failure { throw AuthError.fileProblem(failure) }
        return token
    }

    /// `_logout_from_token`: drops `[name]` (nothing happens if it is not there) and deletes the
    /// token file when it held that token. Returns whether the name existed and whether it was active.
    @discardableResult
    public func remove(name: String) throws -> (existed: Bool, wasActive: Bool) {
        var document = storedTokens().document
        guard let index = document.sections.firstIndex(where: { $0.name == name }) else { return (false, false) }
        let removed = document.sections.remove(at: index)
        try write(document)
        let active = try? activeToken()
        guard let stored = removed["hf_token"], stored == active else { return (true, false) }
        do { try SecretFile.remove(tokenPath) } catch let failure as SecretFile.Failure { throw AuthError.fileProblem(failure) }
        return (true, true)
    }

    /// `logout()` without a name: deletes the token file and `stored_tokens`.
    public func removeAll() throws {
        do {
            try SecretFile.remove(tokenPath)
            try SecretFile.remove(storedTokensPath)
        } catch let failure as SecretFile.Failure {
            throw AuthError.fileProblem(failure)
        }
    }

    /// `_save_stored_tokens_full`: sections sorted by name (code point order, as Python's `sorted`).
    private func write(_ document: INIDocument) throws {
        var sorted = document
        sorted.sections.sort { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) }
        do { try SecretFile.write(sorted.text, to: storedTokensPath) } catch let failure as SecretFile.Failure { throw AuthError.fileProblem(failure) }
    }

    /// Names `configparser` could not write back and read as the same section.
    static func validate(name: String) throws {
        if name.isEmpty { throw AuthError.invalidTokenName(name, reason: "it is empty") }
        if name == "DEFAULT" { throw AuthError.invalidTokenName(name, reason: "configparser reserves [DEFAULT]") }
        if name.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) {
            throw AuthError.invalidTokenName(name, reason: "it contains a line break")
        }
    }
}
