import Foundation

/// What `%info` remembers of a repo, so a second `%info` reads no weight header again and `%info` works offline:
/// `<info root>/<repo folder name>/<commit>.json` (the repo info answer and the parsed safetensors headers) and
/// `…/refs/<revision>` (the commit it named). The info root, `$HF_HOME/hubkernel/info` (`layout(_:)`), is outside
/// the hub cache: `scan_cache_dir` reads every folder of the cache as a repo, so the cache looks to Python
/// exactly as if `%info` had never run. Functions take that layout, not the hub cache's.
public enum InfoCacheFile {
    public static let formatVersion = 1

    /// The info root's layout: one `models--org--name` folder per repo, as in the hub cache.
    public static func layout(_ environment: HubEnvironment) -> CacheLayout { CacheLayout(root: environment.home + "/hubkernel/info") }

    public struct Entry {
        public var repoInfo: [String: Any]
        public var parameters: RepoParameters?
        /// When it was saved (seconds since 1970).
        public var savedAt: Double
    }

    public static func folder(_ layout: CacheLayout, _ repo: RepoID) -> String { layout.repoFolder(repo) }
    public static func path(_ layout: CacheLayout, _ repo: RepoID, commit: String) -> String { folder(layout, repo) + "/\(commit).json" }
    static func refPath(_ layout: CacheLayout, _ repo: RepoID, revision: String) -> String { folder(layout, repo) + "/refs/" + revision }

    /// Saves the entry (errors ignored: the cache is an optimisation). `repoInfo` is the Hub's answer, a JSON object
    /// (as `HubClient.repoInfo` checked): it is stored as received, not re-serialised (Foundation's JSON writer took
    /// a third of a cold `%info`).
    public static func write(_ layout: CacheLayout, _ repo: RepoID, revision: String, commit: String, repoInfo: Data, parameters: RepoParameters?) {
        guard repoInfo.first(where: { !Set(" \t\r\n".utf8).contains($0) }) == UInt8(ascii: "{"),
              let quotedCommit = try? JSONEncoder().encode(commit) else { return }
        var data = Data("{\"format_version\":\(formatVersion),\"commit\":".utf8) + quotedCommit
        data += Data(",\"saved_at\":\(Date().timeIntervalSince1970),\"repo_info\":".utf8) + repoInfo
        if let parameters, let encoded = try? JSONEncoder().encode(parameters) {
            data += Data(",\"safetensors\":".utf8) + encoded
        }
        data += Data("}".utf8)
        try? CacheWriter.atomicWrite(data, to: path(layout, repo, commit: commit))
        if !CommitHash.isValid(revision), (try? RepoPath.validate(revision)) != nil { try? CacheWriter.atomicWrite(Data(commit.utf8), to: refPath(layout, repo, revision: revision)) }
    }

    /// The saved entry for `commit`, or nil.
    public static func read(_ layout: CacheLayout, _ repo: RepoID, commit: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(layout, repo, commit: commit)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (object["format_version"] as? NSNumber)?.intValue == formatVersion,
              let info = object["repo_info"] as? [String: Any] else { return nil }
        let parameters = try? JSONDecoder().decode(SavedParameters.self, from: data).safetensors
        return Entry(repoInfo: info, parameters: parameters, savedAt: (object["saved_at"] as? NSNumber)?.doubleValue ?? 0)
    }

    /// The commit a revision names, as far as the caches know: a commit hash itself, the download ref in `cache`,
    /// else the ref `%info` saved.
    public static func commit(_ layout: CacheLayout, cache: CacheLayout, _ repo: RepoID, revision: String) -> String? {
        if let commit = CacheWriter.localCommit(cache, repo, revision: revision) { return commit }
        let text = (try? String(contentsOfFile: refPath(layout, repo, revision: revision), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.flatMap { CommitHash.isValid($0) ? $0 : nil }
    }

    /// The `safetensors` member alone, decoded straight from the file.
    private struct SavedParameters: Decodable {
        var safetensors: RepoParameters?
    }
}
