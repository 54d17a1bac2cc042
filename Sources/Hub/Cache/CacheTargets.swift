/// What `%cache rm` targets name, resolved against a scan (`_resolve_deletion_targets`).
///
/// A target is a revision hash (40 hex), a repo (`model/org/name`, `dataset/org/name`,
/// `org/name` for a model, `hf://datasets/org/name`), or a file in a repo
/// (`org/name/config.json`, `hf://datasets/org/name/data/train.csv`: every cached revision's copy).
public struct CacheTargets: Sendable, Equatable {
    /// Revisions to delete, grouped by repo `type/id`.
    public var revisionsByRepo: [String: Set<String>] = [:]
    /// Snapshot entries to delete, with a label `type/id@commit/path` for display.
    public var files: [String: String] = [:]
    /// Targets that match nothing in the cache.
    public var missing: [String] = []

    public var revisions: Set<String> { Set(revisionsByRepo.values.flatMap { $0 }) }
}

/// A target list mixes files with repos or revisions.
public struct MixedCacheTargets: UserFacingError, Equatable {
    public var name: String { "UsageError" }
    public var message: String {
        "File targets cannot be mixed with repository or revision targets. Run one %cache rm for the files and another for the repos."
    }
}

extension CacheInfo {
    static let typeWords = ["model": "model", "models": "model", "dataset": "dataset", "datasets": "dataset",
                            "space": "space", "spaces": "space", "kernel": "kernel", "kernels": "kernel"]

    /// Resolves `%cache rm` targets. Throws when files are mixed with repos or revisions.
    public func resolveTargets(_ targets: [String]) throws -> CacheTargets {
        var result = CacheTargets()
        var repoTargets: [(String, CachedRepo)] = []
        for raw in targets {
            let target = raw.trimmingCharacters(in: .whitespaces)
            if target.isEmpty { continue }
            if target.count == 40, target.allSatisfy(\.isHexDigit) {
                let hash = target.lowercased()
                if let repo = repos.first(where: { $0.revisions.contains { $0.commitHash.lowercased() == hash } }),
                   let revision = repo.revisions.first(where: { $0.commitHash.lowercased() == hash }) {
                    result.revisionsByRepo[repo.cacheID, default: []].insert(revision.commitHash)
                } else {
                    result.missing.append(raw)
                }
                continue
            }
            guard let (repo, pathInRepo) = locate(target) else { result.missing.append(raw); continue }
            if pathInRepo.isEmpty {
                repoTargets.append((raw, repo))
                continue
            }
            var matched = false
            for revision in repo.revisions {
                for file in revision.files where revision.relativePath(of: file) == pathInRepo {
                    result.files[file.filePath] = "\(repo.cacheID)@\(revision.commitHash)/\(pathInRepo)"
                    matched = true
                }
            }
            if !matched { result.missing.append(raw) }
        }
        for (_, repo) in repoTargets {
            result.revisionsByRepo[repo.cacheID, default: []].formUnion(repo.revisions.map(\.commitHash))
        }
        if !result.files.isEmpty && !result.revisionsByRepo.isEmpty { throw MixedCacheTargets() }
        return result
    }

    /// The cached repo a target names and the path inside it ("" for the repo itself).
    func locate(_ target: String) -> (CachedRepo, String)? {
        var body = Substring(target)
        if body.hasPrefix("hf://") { body = body.dropFirst(5) }
        var words = body.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var types = ["model"]
        if let first = words.first, let type = Self.typeWords[first.lowercased()], words.count > 1 {
            types = [type]
            words.removeFirst()
        }  // a bare id is a model, as everywhere in huggingface_hub
        for type in types {
            for idLength in [2, 1] where words.count >= idLength {
                let id = words[..<idLength].joined(separator: "/")
                if let repo = repo(cacheID: type + "/" + id) {
                    return (repo, words[idLength...].joined(separator: "/"))
                }
            }
        }
        return nil
    }
}
