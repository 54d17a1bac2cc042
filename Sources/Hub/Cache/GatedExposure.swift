import Foundation

/// A gated repo the Hub refuses to this user while a shared cache holds its files (another user downloaded them):
/// readable from disk all the same, so a team must be told the licence does not cover them yet.
public enum GatedExposure {
    /// After a download from a shared cache: the notice when other users put `repo` there and this account may not
    /// download it (one `auth-check` request, made only when others wrote the repo), else nil.
    public static func check(_ repo: RepoID, cacheDir: String, client: HubClient) -> String? {
        guard !SharedCacheSurvey.otherWriters(ofRepoFolder: CacheLayout(root: cacheDir).repoFolder(repo)).isEmpty,
              let access = try? client.access(to: repo, gated: true), !access.mayDownload else { return nil }
        return notice(for: repo, cacheDir: cacheDir, page: client.repoPage(repo))
    }

    /// What to tell the user, or nil when the cache holds no finished file of `repo`.
    public static func notice(for repo: RepoID, cacheDir: String, page: String) -> String? {
        let folder = CacheLayout(root: cacheDir).repoFolder(repo)
        let blobs = (FileSystem.entries(in: folder + "/blobs") ?? []).filter { !$0.name.hasSuffix(".incomplete") }
        guard !blobs.isEmpty else { return nil }
        let writers = SharedCacheSurvey.otherWriters(ofRepoFolder: folder)
        let by = writers.isEmpty ? "" : ", downloaded by \(writers.joined(separator: ", "))"
        return "The shared cache \(cacheDir) holds \(blobs.count) file(s) of \(repo.id)\(by). They can be read from it "
            + "(HF_HUB_OFFLINE=1), but your account has not been granted access on the Hub: do not use them until it is (\(page))."
    }
}
