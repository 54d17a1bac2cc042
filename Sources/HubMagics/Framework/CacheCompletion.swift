import Foundation
import Hub

/// Completion values read from the shared cache without a network call: repo ids that have a
/// folder there, and the files of a repo's cached snapshot.
enum CacheCompletion {
    /// `org/name` of every repo folder in the cache (`--cache-dir` on the line wins over `HF_HUB_CACHE`), and of
    /// every repo an earlier `%info` looked at.
    static let repoIDs = CompletionSource.dynamic { session, wordsBefore in
        let folders = repoFolders(cacheDirectory(in: wordsBefore) ?? session.environment.hubCache)
            + repoFolders(InfoCacheFile.layout(session.environment).root)
        return Array(Set(folders.map(\.id))).sorted()
    }

    /// The files of the repo named first on the line, at `--revision` (default `main`; `--repo-type` picks
    /// the folder): the whole listing cached by a snapshot download (`trees/<commit>.json`), plus the files
    /// of the cached snapshot.
    static let repoFiles = CompletionSource.dynamic { session, wordsBefore in
        guard let id = wordsBefore.first(where: { !$0.hasPrefix("-") }),
              let repo = try? RepoID(id, type: RepoType(argument: optionValue("--repo-type", in: wordsBefore) ?? "model") ?? .model) else {
            return []
        }
        let layout = CacheLayout(root: cacheDirectory(in: wordsBefore) ?? session.environment.hubCache)
        let revision = optionValue("--revision", in: wordsBefore) ?? "main"
        let commit = (try? String(contentsOfFile: layout.ref(repo, revision: revision), encoding: .utf8)) ?? revision
        let snapshot = layout.snapshotFolder(repo, commit: commit)
        var files = Set(TreeCacheFile.read(in: layout.repoFolder(repo), commit: commit)?.map(\.path) ?? [])
        let walker = FileManager.default.enumerator(atPath: snapshot)
        while let path = walker?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: snapshot + "/" + path, isDirectory: &isFolder), !isFolder.boolValue {
                files.insert(path)
            }
        }
        return files.sorted()
    }

    /// (repo id, type) for each `{models,datasets,spaces}--org--name` folder.
    static func repoFolders(_ cache: String) -> [(id: String, type: RepoType)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []
        return names.compactMap { name in
            let parts = name.components(separatedBy: "--")
            guard parts.count >= 2, let type = RepoType(argument: parts[0]), parts[0].hasSuffix("s") else { return nil }
            return (parts.dropFirst().joined(separator: "/"), type)
        }
    }

    static func cacheDirectory(in words: [String]) -> String? { optionValue("--cache-dir", in: words) }

    /// The value of `--name VALUE` or `--name=VALUE` among the words already typed.
    static func optionValue(_ option: String, in words: [String]) -> String? {
        if let index = words.lastIndex(of: option), index + 1 < words.count { return words[index + 1] }
        return words.last { $0.hasPrefix(option + "=") }.map { String($0.dropFirst(option.count + 1)) }
    }
}
