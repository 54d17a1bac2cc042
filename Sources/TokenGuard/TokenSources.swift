#if canImport(Glibc)
import Glibc
#endif

/// Where the secrets to guard live, as `huggingface_hub` 2.4 finds them: the token variables, the token file and
/// `stored_tokens`. Read with plain system calls, so the guard works in any process (the kernel, the backend, a
/// Python process through the `hubguard` library) and sees a variable Python itself set in `os.environ`.
public enum TokenSources {
    /// The variables a token is read from, in `huggingface_hub`'s order of priority.
    public static let tokenVariables = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN"]
    /// Variables holding credentials that are exchanged for a token (an OIDC id token, GitHub's request token).
    public static let credentialVariables = ["HF_OIDC_ID_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"]
    /// The fields of `stored_tokens` that hold secrets.
    public static let storedSecretFields: Set<String> = ["hf_token", "refresh_token"]

    /// `HF_HOME`: `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface`, expanded as Python does.
    public static func homePath(variables: [String: String], userHome: String) -> String {
        let xdgCache = variables["XDG_CACHE_HOME"] ?? PathText.join(userHome, ".cache")
        return PathText.expand(variables["HF_HOME"] ?? PathText.join(xdgCache, "huggingface"), variables: variables, userHome: userHome)
    }

    /// The token file: `$HF_TOKEN_PATH`, else `$HF_HOME/token`.
    public static func tokenPath(variables: [String: String], userHome: String) -> String {
        PathText.expand(variables["HF_TOKEN_PATH"] ?? PathText.join(homePath(variables: variables, userHome: userHome), "token"),
                        variables: variables, userHome: userHome)
    }

    /// `stored_tokens`, next to the token file.
    public static func storedTokensPath(tokenPath: String) -> String {
        PathText.join(PathText.directory(of: tokenPath), "stored_tokens")
    }

    /// Every secret found: each token and credential variable, the token file, and every `hf_token` /
    /// `refresh_token` in `stored_tokens` (raw: the masker trims them).
    public static func secrets(variables: [String: String], userHome: String) -> [String] {
        var found = (tokenVariables + credentialVariables).compactMap { variables[$0] }
        let tokenFile = tokenPath(variables: variables, userHome: userHome)
        if let text = readSmallFile(tokenFile) { found.append(text) }
        if let text = readSmallFile(storedTokensPath(tokenPath: tokenFile)) { found += storedSecrets(in: text) }
        return found
    }

    /// What changes when any source changes: the variables' values and the identity, size and time of `files` (the
    /// token file and `stored_tokens`, as the caller already knows them).
    public static func fingerprint(variables: [String: String], files: [String]) -> Fingerprint {
        Fingerprint(values: (tokenVariables + credentialVariables).map { variables[$0] }, stamps: files.map { FileStamp(path: $0) })
    }

    /// The token sources' state, compared to notice a change (see `fingerprint`).
    public struct Fingerprint: Equatable, Sendable {
        var values: [String?]
        var stamps: [FileStamp]
    }

    /// A file's identity, size and modification time (all zero when it does not exist): changes whenever it is
    /// replaced or edited.
    public struct FileStamp: Equatable, Sendable {
        var inode: UInt = 0, size = 0, seconds = 0, nanoseconds = 0

        public init(path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { return }
            inode = UInt(info.st_ino)
            size = Int(info.st_size)
            seconds = info.st_mtim.tv_sec
            nanoseconds = info.st_mtim.tv_nsec
        }
    }

    /// The values of `hf_token` and `refresh_token` lines in an INI text (`key = value` or `key: value`).
    static func storedSecrets(in text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).compactMap { line in
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
            let key = TokenMasker.trimmed(String(line[..<separator]))
            guard storedSecretFields.contains(String(key)) else { return nil }
            return String(line[separator...].dropFirst())
        }
    }

    /// A file of at most 1 MiB as text; nil when missing or unreadable.
    static func readSmallFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count < 1 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Path text as Python's `os.path` treats it, without Foundation.
public enum PathText {
    /// `os.path.join(base, name)` for a relative `name`.
    public static func join(_ base: String, _ name: String) -> String {
        base.isEmpty || base.hasSuffix("/") ? base + name : base + "/" + name
    }

    /// `os.path.dirname(path)`.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        var head = String(path[...slash])
        if !head.allSatisfy({ $0 == "/" }) { while head.hasSuffix("/") { head.removeLast() } }
        return head
    }

    /// Python's `os.path.expandvars(os.path.expanduser(path))`: a leading `~` becomes the user's home, `$NAME`
    /// and `${NAME}` are replaced when set and kept otherwise.
    public static func expand(_ path: String, variables: [String: String], userHome: String) -> String {
        var path = path
        if path == "~" || path.hasPrefix("~/") { path = userHome + path.dropFirst() }
        guard path.contains("$") else { return path }
        var result = ""
        var index = path.startIndex
        while index < path.endIndex {
            let char = path[index]
            guard char == "$" else { result.append(char); index = path.index(after: index); continue }
            let afterDollar = path.index(after: index)
            var nameStart = afterDollar, nameEnd = afterDollar, next = afterDollar
            if afterDollar < path.endIndex, path[afterDollar] == "{" {
                nameStart = path.index(after: afterDollar)
                guard let close = path[nameStart...].firstIndex(of: "}") else { result.append(char); index = afterDollar; continue }
                nameEnd = close; next = path.index(after: close)
            } else {
                while nameEnd < path.endIndex, path[nameEnd].isLetter || path[nameEnd].isNumber || path[nameEnd] == "_" {
                    nameEnd = path.index(after: nameEnd)
                }
                next = nameEnd
            }
            let name = String(path[nameStart..<nameEnd])
            if !name.isEmpty, let value = variables[name] {
                result += value
            } else {
                result += path[index..<next]
            }
            index = next
        }
        return result
    }
}
