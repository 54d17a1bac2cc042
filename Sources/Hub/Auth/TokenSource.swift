/// Where the token in force comes from, highest priority first.
///
/// ```swift
/// // One command picks a stored token by name (never a literal token in a cell):
/// try TokenChain(environment: env).resolve(explicitName: "work")?.source   // .storedToken(name: "work")
/// // HF_TOKEN=hf_… jupyter lab
/// try TokenChain(environment: env).resolve()?.source   // .environment(variable: "HF_TOKEN")
/// // after %hf_login or `hf auth login`
/// try TokenChain(environment: env).resolve()?.source   // .tokenFile(path: "~/.cache/huggingface/token")
/// ```
public enum TokenSource: Sendable, Hashable, CustomStringConvertible {
    /// A token saved in `stored_tokens`, chosen by name for one command (`--token-name work`).
    case storedToken(name: String)
    /// `HF_TOKEN`, then `HUGGING_FACE_HUB_TOKEN`, then the deprecated `HUGGINGFACE_TOKEN`
    /// (which Python `huggingface_hub` ignores).
    case environment(variable: String)
    /// The active token file that login and switch write (`HF_TOKEN_PATH`, default `$HF_HOME/token`).
    case tokenFile(path: String)
    /// A short-lived token from the OIDC exchange (`HF_OIDC_RESOURCE`, CI), first in the chain as in Python.
    case oidc(resource: String)
    /// A token a client of the backend passed explicitly (`token=` in Python): before every other source.
    case explicit(client: String)
    /// A token a client found where only it can look (Colab's secret `HF_TOKEN`): after the token file, where
    /// huggingface_hub 2.4's `get_token()` reads Colab's secrets.
    case client(name: String)

    public var description: String {
        switch self {
        case .storedToken(let name): return "stored token '\(name)'"
        case .environment(let variable): return "environment variable \(variable)"
        case .tokenFile(let path): return "token file \(path)"
        case .oidc(let resource): return "OIDC token exchange for \(resource) (HF_OIDC_RESOURCE)"
        case .explicit(let client): return "the token \(client) passed"
        case .client(let name): return name
        }
    }
}

/// A token and where it came from. Its `description` never shows the token.
public struct ResolvedToken: Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var source: TokenSource

    public init(value: String, source: TokenSource) {
        self.value = value
        self.source = source
    }

    /// `hf_****abcd`.
    public var masked: String { TokenText.mask(value) }

    public var description: String { "\(masked) from \(source)" }
}

/// A token a client of the backend handed over, and what to call its source.
public struct ClientToken: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
