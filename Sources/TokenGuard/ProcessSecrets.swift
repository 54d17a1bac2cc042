#if canImport(Glibc)
import Glibc
#endif

/// The secrets of the process this code runs in, kept current: the token variables as the process sees them now
/// (`getenv`, so a token Python put into `os.environ` counts), the token file and `stored_tokens`. Re-read only when
/// a variable or a file changed (`TokenSources.fingerprint`); never forgets a secret it has seen.
public final class ProcessSecrets: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var masker = TokenMasker()
    private var seen: [String] = []
    private var remembered: [String] = []

    public init() {
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// The variables the token sources depend on, as the process sees them now.
    public static func currentVariables() -> [String: String] {
        var variables: [String: String] = [:]
        for name in TokenSources.tokenVariables + TokenSources.credentialVariables + ["HF_HOME", "HF_TOKEN_PATH", "XDG_CACHE_HOME", "HOME"] {
            if let value = getenv(name) { variables[name] = String(cString: value) }
        }
        return variables
    }

    /// The masker as it is now.
    public func current() -> TokenMasker {
        let variables = Self.currentVariables()
        let home = variables["HOME"] ?? "/"
        let key = TokenSources.fingerprint(variables: variables, userHome: home)
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if key != seen {
            masker.add(TokenSources.secrets(variables: variables, userHome: home))
            seen = key
        }
        return masker
    }

    /// Masks `secret` from now on (a token typed at a prompt).
    public func remember(_ secret: String) {
        pthread_mutex_lock(&lock)
        masker.add([secret])
        pthread_mutex_unlock(&lock)
    }
}
