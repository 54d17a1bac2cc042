import Foundation

/// The Hub settings in force, derived from environment variables exactly as
/// Python `huggingface_hub` 2.4.0 derives them in `constants.py`.
///
/// Built from a plain dictionary so tests can describe any environment:
///
/// ```swift
/// let env = HubEnvironment(variables: ["HF_HOME": "/tmp/hf"], homeDirectory: "/root")
/// env.tokenPath        // "/tmp/hf/token"
/// env.hubCache         // "/tmp/hf/hub"
/// ```
public struct HubEnvironment: Sendable, Equatable {
    /// The public Hub, used when `HF_ENDPOINT` is not set.
    public static let defaultEndpoint = "https://huggingface.co"

    /// The raw variables this environment was built from.
    public let variables: [String: String]
    /// The user's home folder (`~`).
    public let userHome: String
    /// A token a backend client passed explicitly: used before every other source (`ClientToken.name` names the client).
    public var explicitToken: ClientToken?
    /// Tokens a backend client found in places only it can read (Colab's secrets), after the token file.
    public var clientTokens: [ClientToken] = []
    /// `HF_ENDPOINT` without trailing slashes.
    public let endpoint: String
    /// `HF_HOME` (default `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`).
    public let home: String
    /// `HF_HUB_CACHE` (else `HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`).
    public let hubCache: String
    /// `HF_TOKEN_PATH` (default `$HF_HOME/token`).
    public let tokenPath: String
    /// `stored_tokens`, next to the token file.
    public let storedTokensPath: String
    /// `HF_HUB_OFFLINE` or `TRANSFORMERS_OFFLINE`.
    public let isOffline: Bool
    /// `HF_HUB_DISABLE_IMPLICIT_TOKEN`: send a token only when one is chosen explicitly.
    public let disablesImplicitToken: Bool
    /// `HF_HUB_DISABLE_SYMLINKS`: snapshot files are the files themselves, not links to `blobs/`.
    public let disablesSymlinks: Bool
    /// `HF_HUB_DISABLE_PROGRESS_BARS`: no live progress display, only the result.
    public let disablesProgressBars: Bool
    /// Whether Xet files go through the cache-wide shared blob store (`shared_blobs_enabled`): unless
    /// `HF_HUB_DISABLE_SHARED_BLOBS` or `HF_HUB_DISABLE_XET` is set.
    public let usesSharedBlobs: Bool
    /// `HUBKERNEL_DOWNLOAD_RANGES` (1–64): how many byte ranges of a large file are fetched at once (default: the
    /// downloader's own choice).
    public let downloadRanges: Int?
    /// `HF_HUB_ETAG_TIMEOUT` seconds (default 10) for metadata requests.
    public let etagTimeout: Int
    /// `HF_HUB_DOWNLOAD_TIMEOUT` seconds (default 10) for file transfers.
    public let downloadTimeout: Int

    /// The process environment.
    public static var current: HubEnvironment {
        HubEnvironment(variables: ProcessInfo.processInfo.environment)
    }

    public init(variables: [String: String], homeDirectory: String? = nil) {
        self.variables = variables
        let userHome = homeDirectory ?? variables["HOME"] ?? NSHomeDirectory()
        self.userHome = userHome
        let expand = { (path: String) in Self.expand(path, variables: variables, userHome: userHome) }

        endpoint = Self.trimmingTrailingSlashes(variables["HF_ENDPOINT"] ?? Self.defaultEndpoint)
        home = TokenSources.homePath(variables: variables, userHome: userHome)
        let legacyCache = variables["HUGGINGFACE_HUB_CACHE"] ?? PathText.join(home, "hub")
        hubCache = expand(variables["HF_HUB_CACHE"] ?? legacyCache)
        tokenPath = TokenSources.tokenPath(variables: variables, userHome: userHome)
        storedTokensPath = TokenSources.storedTokensPath(tokenPath: tokenPath)
        isOffline = Self.isTrue(variables["HF_HUB_OFFLINE"] ?? variables["TRANSFORMERS_OFFLINE"])
        disablesImplicitToken = Self.isTrue(variables["HF_HUB_DISABLE_IMPLICIT_TOKEN"])
        disablesSymlinks = Self.isTrue(variables["HF_HUB_DISABLE_SYMLINKS"])
        disablesProgressBars = Self.isTrue(variables["HF_HUB_DISABLE_PROGRESS_BARS"])
        downloadRanges = Self.positiveInt(variables["HUBKERNEL_DOWNLOAD_RANGES"]).map { min($0, 64) }
        usesSharedBlobs = !Self.isTrue(variables["HF_HUB_DISABLE_SHARED_BLOBS"]) && !Self.isTrue(variables["HF_HUB_DISABLE_XET"])
        etagTimeout = Self.positiveInt(variables["HF_HUB_ETAG_TIMEOUT"]) ?? 10
        downloadTimeout = Self.positiveInt(variables["HF_HUB_DOWNLOAD_TIMEOUT"]) ?? 10
    }

    /// This environment with other variables (a `.env` loaded), keeping the home folder and the client's tokens.
    public func with(variables: [String: String]) -> HubEnvironment {
        var changed = HubEnvironment(variables: variables, homeDirectory: userHome)
        changed.explicitToken = explicitToken
        changed.clientTokens = clientTokens
        return changed
    }

    /// Whether `endpoint` is the public Hub (used to decide whether to mention it in output).
    public var isDefaultEndpoint: Bool { endpoint == Self.defaultEndpoint }

    /// `huggingface_hub`'s `_is_true`: `1`, `ON`, `YES`, `TRUE` in any case.
    public static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        return ["1", "ON", "YES", "TRUE"].contains(value.uppercased())
    }

    private static func positiveInt(_ value: String?) -> Int? {
        guard let value, let number = Int(value.trimmingCharacters(in: .whitespaces)), number > 0 else { return nil }
        return number
    }

    private static func trimmingTrailingSlashes(_ value: String) -> String {
        var result = Substring(value)
        while result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }

    /// Python's `os.path.expandvars(os.path.expanduser(path))` (see `PathText.expand`).
    public static func expand(_ path: String, variables: [String: String], userHome: String) -> String {
        PathText.expand(path, variables: variables, userHome: userHome)
    }
}
