import Foundation

/// What `%info` remembers of a repo, so a second `%info` reads no weight header again and `%info` works offline:
/// `<repo folder>/.hubkernel/info/<commit>.json` (the repo info answer and the parsed safetensors headers) and
/// `<repo folder>/.hubkernel/info/refs/<revision>` (the commit it named). `huggingface_hub` never looks inside
/// `.hubkernel/`; an empty `snapshots/` is created beside it when missing so `scan_cache_dir` sees a valid repo.
public enum InfoCacheFile {
    public static let formatVersion = 1

    public struct Entry {
        public var repoInfo: [String: Any]
        public var parameters: RepoParameters?
        /// When it was saved (seconds since 1970).
        public var savedAt: Double
    }

    public static func folder(_ layout: CacheLayout, _ repo: RepoID) -> String { layout.repoFolder(repo) + "/.hubkernel/info" }
    public static func path(_ layout: CacheLayout, _ repo: RepoID, commit: String) -> String { folder(layout, repo) + "/\(commit).json" }
    static func refPath(_ layout: CacheLayout, _ repo: RepoID, revision: String) -> String { folder(layout, repo) + "/refs/" + revision }

    /// Saves the entry (errors ignored: the cache is an optimisation).
    public static func write(_ layout: CacheLayout, _ repo: RepoID, revision: String, commit: String, repoInfo: Data, parameters: RepoParameters?) {
        guard let info = try? JSONSerialization.jsonObject(with: repoInfo) else { return }
        var object: [String: Any] = ["format_version": formatVersion, "commit": commit, "saved_at": Date().timeIntervalSince1970, "repo_info": info]
        if let parameters, let data = try? JSONEncoder().encode(parameters), let encoded = try? JSONSerialization.jsonObject(with: data) {
            object["safetensors"] = encoded
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        try? FileManager.default.createDirectory(atPath: layout.repoFolder(repo) + "/snapshots", withIntermediateDirectories: true)
        try? CacheWriter.atomicWrite(data, to: path(layout, repo, commit: commit))
        if !CommitHash.isValid(revision), (try? RepoPath.validate(revision)) != nil { try? CacheWriter.atomicWrite(Data(commit.utf8), to: refPath(layout, repo, revision: revision)) }
    }

    /// The saved entry for `commit`, or nil.
    public static func read(_ layout: CacheLayout, _ repo: RepoID, commit: String) -> Entry? {
        guard let data = FileManager.default.contents(atPath: path(layout, repo, commit: commit)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (object["format_version"] as? NSNumber)?.intValue == formatVersion,
              let info = object["repo_info"] as? [String: Any] else { return nil }
        let parameters = (object["safetensors"]).flatMap { try? JSONSerialization.data(withJSONObject: $0) }
            .flatMap { try? JSONDecoder().decode(RepoParameters.self, from: $0) }
        return Entry(repoInfo: info, parameters: parameters, savedAt: (object["saved_at"] as? NSNumber)?.doubleValue ?? 0)
    }

    /// The commit a revision names, as far as the cache knows: a commit hash itself, the download ref, else the
    /// ref `%info` saved.
    public static func commit(_ layout: CacheLayout, _ repo: RepoID, revision: String) -> String? {
        if let commit = CacheWriter.localCommit(layout, repo, revision: revision) { return commit }
        let text = (try? String(contentsOfFile: refPath(layout, repo, revision: revision), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.flatMap { CommitHash.isValid($0) ? $0 : nil }
    }
}
