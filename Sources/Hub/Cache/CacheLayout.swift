/// Where things live in the shared cache (`HF_HUB_CACHE`), exactly as `huggingface_hub`
/// lays them out:
///
/// ```
/// <cache>/models--org--name/blobs/<etag>
///                          /snapshots/<commit>/<path>  -> ../../blobs/<etag>
///                          /refs/<revision>            (40-hex commit, no newline)
///                          /.no_exist/<commit>/<path>
/// <cache>/.locks/models--org--name/<etag>.lock
/// ```
public struct CacheLayout: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public func repoFolder(_ repo: RepoID) -> String { root + "/" + repo.cacheFolderName }
    public func blobsFolder(_ repo: RepoID) -> String { repoFolder(repo) + "/blobs" }
    public func blob(_ repo: RepoID, etag: String) -> String { blobsFolder(repo) + "/" + etag }
    public func incompleteBlob(_ repo: RepoID, etag: String) -> String { blob(repo, etag: etag) + ".incomplete" }
    public func snapshotFolder(_ repo: RepoID, commit: String) -> String { repoFolder(repo) + "/snapshots/" + commit }
    public func snapshotFile(_ repo: RepoID, commit: String, path: String) -> String {
        snapshotFolder(repo, commit: commit) + "/" + path
    }
    public func ref(_ repo: RepoID, revision: String) -> String { repoFolder(repo) + "/refs/" + revision }
    public func noExistMarker(_ repo: RepoID, commit: String, path: String) -> String {
        repoFolder(repo) + "/.no_exist/" + commit + "/" + path
    }
    public func lock(_ repo: RepoID, etag: String) -> String { root + "/.locks/" + repo.cacheFolderName + "/" + etag + ".lock" }
    /// The cached tree listing written after a snapshot download.
    public func treeListing(_ repo: RepoID, commit: String) -> String { repoFolder(repo) + "/trees/" + commit + ".json" }
}
