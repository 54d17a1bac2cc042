/// What `%hf_env` shows: versions, endpoint, paths, flags in force, token presence (masked),
/// git credential helpers and C library versions, in sections.
public struct EnvironmentReport: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public var key: String
        public var value: String
    }
    public struct Section: Sendable, Equatable {
        public var title: String
        public var items: [Item]
    }

    public var sections: [Section]

    /// Variables that hold tokens: shown only as "set (masked)".
    public static let tokenVariables: Set<String> = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"]

    /// The settings `hf env` prints, with the defaults `huggingface_hub` applies when unset.
    static let flags: [(String, String)] = [
        ("HF_HUB_OFFLINE", "False"), ("HF_HUB_DISABLE_TELEMETRY", "False"), ("HF_HUB_DISABLE_PROGRESS_BARS", "None"),
        ("HF_HUB_DISABLE_SYMLINKS", "False"), ("HF_HUB_DISABLE_SYMLINKS_WARNING", "False"),
        ("HF_HUB_DISABLE_EXPERIMENTAL_WARNING", "False"), ("HF_HUB_DISABLE_IMPLICIT_TOKEN", "False"),
        ("HF_HUB_DISABLE_XET", "False"), ("HF_HUB_DISABLE_SHARED_BLOBS", "False"),
        ("HF_HUB_ETAG_TIMEOUT", "10"), ("HF_HUB_DOWNLOAD_TIMEOUT", "10"), ("HF_XET_HIGH_PERFORMANCE", "False"),
    ]

    /// - Parameters:
    ///   - token: the token in force as "masked from source", or nil when none is found.
    ///   - otherTokenSources: the other sources that hold a token and why they lose ("token file hf_****wxyz (shadowed by …)").
    ///   - credentialHelpers: git's helpers, nil when git is unavailable.
    ///   - libraries: (name, version) of linked C libraries.
    public init(version: String, environment: HubEnvironment, token: String?, otherTokenSources: [String] = [], credentialHelpers: [String]?,
                libraries: [(String, String)]) {
        let variables = environment.variables
        var flagItems: [Item] = Self.flags.map { name, fallback in
            guard let raw = variables[name] else { return Item(key: name, value: fallback + " (default)") }
            if name.hasSuffix("_TIMEOUT") { return Item(key: name, value: raw) }
            return Item(key: name, value: HubEnvironment.isTrue(raw) ? "True" : "False")
        }
        let listed = Set(Self.flags.map(\.0)).union(["HF_HOME", "HF_HUB_CACHE", "HF_TOKEN_PATH", "HF_ENDPOINT"])
        for name in variables.keys.sorted() where (name.hasPrefix("HF_") || name.hasPrefix("HUGGINGFACE_") || name == "HUGGING_FACE_HUB_TOKEN"
                                                    || name == "TRANSFORMERS_OFFLINE") && !listed.contains(name) {
            flagItems.append(Item(key: name, value: Self.tokenVariables.contains(name) ? "set (value hidden)" : variables[name]!))
        }
        sections = [
            Section(title: "HubKernel", items: [Item(key: "HubKernel version", value: version),
                                                Item(key: "ENDPOINT", value: environment.endpoint)]),
            Section(title: "Paths", items: [
                Item(key: "HF_HOME", value: environment.home), Item(key: "HF_HUB_CACHE", value: environment.hubCache),
                Item(key: "HF_TOKEN_PATH", value: environment.tokenPath),
                Item(key: "HF_STORED_TOKENS_PATH", value: environment.storedTokensPath)]),
            Section(title: "Flags", items: flagItems),
            Section(title: "Login", items: [
                Item(key: "Token", value: token ?? "none (log in with %hf_login)"),
                Item(key: "Other token sources", value: otherTokenSources.isEmpty ? "none" : otherTokenSources.joined(separator: "; ")),
                Item(key: "Configured git credential helpers",
                     value: credentialHelpers.map { $0.isEmpty ? "none" : $0.joined(separator: ", ") } ?? "git not found")]),
            Section(title: "Libraries", items: libraries.map { Item(key: $0.0, value: $0.1) }),
        ]
    }

    public static func == (lhs: EnvironmentReport, rhs: EnvironmentReport) -> Bool { lhs.sections == rhs.sections }

    /// Every item in order.
    public var items: [Item] { sections.flatMap(\.items) }
}
