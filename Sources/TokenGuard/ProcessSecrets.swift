#if canImport(Glibc)
import Glibc
#endif

/// The secrets of the process this code runs in, kept current: the token variables as the process sees them now
/// (`getenv`, so a token Python put into `os.environ` counts), the token file and `stored_tokens`. Re-read only when
/// a variable or a file changed; never forgets a secret it has seen. The check costs a few `getenv` and two `stat`
/// calls, compared as bytes and numbers: it runs for every message a guarded kernel sends.
public final class ProcessSecrets: @unchecked Sendable {
    /// The variables the secrets and their files depend on.
    static let watched = TokenSources.tokenVariables + TokenSources.credentialVariables
        + ["HF_HOME", "HF_TOKEN_PATH", "XDG_CACHE_HOME", "HOME"]

    private var lock = pthread_mutex_t()
    private var masker = TokenMasker()
    /// Each watched variable's value as last seen (nil: unset), as C bytes.
    private var values: [[CChar]?] = Array(repeating: [0x7F], count: watched.count)  // never a real value: read at first use
    private var files: [String] = []
    private var stamps: [TokenSources.FileStamp] = []
    /// `environ`'s entries as last seen (their addresses): `putenv` and `setenv` replace an entry, so when none
    /// changed no variable did, and the `getenv` calls are skipped.
    private var environment: (count: Int, hash: UInt) = (-1, 0)

    public init() {
        pthread_mutex_init(&lock, nil)
    }

    deinit { pthread_mutex_destroy(&lock) }

    /// The variables the token sources depend on, as the process sees them now.
    public static func currentVariables() -> [String: String] {
        var variables: [String: String] = [:]
        for name in watched {
            if let value = getenv(name) { variables[name] = String(cString: value) }
        }
        return variables
    }

    /// The masker as it is now.
    public func current() -> TokenMasker {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        var changed = false
        let entries = Self.environmentStamp()
        for (index, name) in Self.watched.enumerated() where entries != environment {
            let now = getenv(name)
            let same: Bool
            switch (values[index], now) {
            case (nil, nil): same = true
            case (let seen?, let value?): same = seen.withUnsafeBufferPointer { strcmp($0.baseAddress!, value) == 0 }
            default: same = false
            }
            if !same {
                values[index] = now.map { Array(UnsafeBufferPointer(start: $0, count: strlen($0) + 1)) }
                changed = true
            }
        }
        environment = entries
        let variables = changed ? Self.currentVariables() : [:]
        if changed {
            let token = TokenSources.tokenPath(variables: variables, userHome: variables["HOME"] ?? "/")
            files = [token, TokenSources.storedTokensPath(tokenPath: token)]
        }
        let now = files.map { TokenSources.FileStamp(path: $0) }
        if changed || now != stamps {
            stamps = now
            let current = changed ? variables : Self.currentVariables()
            masker.add(TokenSources.secrets(variables: current, userHome: current["HOME"] ?? "/"))
        }
        return masker
    }

    /// Masks `secret` from now on (a token typed at a prompt).
    public func remember(_ secret: String) {
        pthread_mutex_lock(&lock)
        masker.add([secret])
        pthread_mutex_unlock(&lock)
    }

    /// How many entries `environ` has and a hash of their addresses.
    private static func environmentStamp() -> (count: Int, hash: UInt) {
        var count = 0
        var hash: UInt = 0
        let address = unsafeBitCast(environ, to: UInt.self)  // NULL after clearenv()
        guard address != 0, var entry = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>(bitPattern: address) else { return (0, 0) }
        while let pointer = entry.pointee {
            hash = (hash &* 31) ^ UInt(bitPattern: pointer)
            count += 1
            entry += 1
        }
        return (count, hash)
    }
}
