import Foundation

/// The outcome of checking local files against a repo's listing (`FolderVerification`).
public struct CacheVerification: Sendable, Equatable {
    public struct Mismatch: Sendable, Equatable {
        public var path: String
        public var expected: String
        public var actual: String
        /// `sha256` (LFS files) or `git-sha1`.
        public var algorithm: String
    }
    /// Where the expected checksums came from.
    public enum Source: String, Sendable, Equatable { case hub, cachedListing = "cached listing" }

    public var revision: String
    public var checkedCount: Int
    public var mismatches: [Mismatch]
    public var missingPaths: [String]
    public var extraPaths: [String]
    public var verifiedPath: String
    public var source: Source

    public var isClean: Bool { mismatches.isEmpty && missingPaths.isEmpty && extraPaths.isEmpty }
}

/// Why a verification could not start.
public struct CacheVerifyError: UserFacingError, Equatable {
    public let message: String
    public var name: String { "ValueError" }
}

/// Recomputes the checksum of every local file of a repo revision (SHA-256 for LFS files,
/// the git blob sha1 otherwise) and compares them with the Hub's tree listing, as
/// `HfApi.verify_repo_checksums` does.
public enum CacheVerifier {
    /// The folder to check and the revision to compare with (`resolve_local_root`): `localDir`
    /// as is, or the cached snapshot of `revision` (a commit, a ref in `refs/`, else `main`,
    /// else the only snapshot).
    public static func resolveRoot(cacheDir: String, repo: RepoID, revision: String?, localDir: String?) throws -> (root: String, revision: String) {
        if let localDir {
            guard let root = FileSystem.realPath(localDir), FileSystem.status(of: root)?.kind == .directory else {
                throw CacheVerifyError(message: "Local directory does not exist or is not a directory: \(localDir). Pass the folder you downloaded into with --local-dir.")
            }
            return (root, revision ?? "main")
        }
        let cacheRoot = FileSystem.realPath(cacheDir) ?? cacheDir
        let folder = cacheRoot + "/" + repo.cacheFolderName
        guard FileSystem.status(of: folder) != nil else {
            throw CacheVerifyError(message: "Repo is not present in cache: \(folder). Download it first with %download \(repo.id), or pass --local-dir.")
        }
        let commit = try resolveCommit(folder: folder, revision: revision)
        let snapshot = folder + "/snapshots/" + commit
        guard FileSystem.status(of: snapshot)?.kind == .directory else {
            throw CacheVerifyError(message: "Snapshot directory does not exist for revision '\(commit)': \(snapshot). Download that revision first, or pick a cached one from %cache ls --revisions.")
        }
        return (snapshot, commit)
    }

    static func resolveCommit(folder: String, revision: String?) throws -> String {
        if let revision, isCommitHash(revision) { return revision }
        func readRef(_ name: String) -> String? {
            let path = folder + "/refs/" + name
            guard FileSystem.status(of: path)?.kind == .regular, let data = FileManager.default.contents(atPath: path) else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let revision {
            guard let commit = readRef(revision) else {
                throw CacheVerifyError(message: "Revision '\(revision)' could not be resolved in cache (expected file '\(folder)/refs/\(revision)'). Pass a commit hash from %cache ls --revisions.")
            }
            return commit
        }
        if let commit = readRef("main") { return commit }
        let candidates = (FileSystem.entries(in: folder + "/snapshots") ?? []).map(\.name).filter(isCommitHash)
        guard candidates.count == 1 else {
            throw CacheVerifyError(message: "Ambiguous cached revision: \(candidates.isEmpty ? "no" : "several") snapshots and no main ref. Pass --revision (see %cache ls --revisions).")
        }
        return candidates[0]
    }

    /// Every regular file under `root` by repo-relative path, without `.git/` and `.cache/huggingface/`.
    public static func localFiles(under root: String) -> [String: String] {
        var result: [String: String] = [:]
        for (relative, kind) in FileSystem.walk(root) where kind != .directory {
            let path = root + "/" + relative
            guard FileSystem.status(of: path)?.kind == .regular, !isIgnored(relative) else { continue }
            result[relative] = path
        }
        return result
    }

    /// `DEFAULT_IGNORE_PATTERNS`: `.git` and `.cache/huggingface` folders at any depth.
    static func isIgnored(_ path: String) -> Bool {
        for folder in [".git", ".cache/huggingface"] {
            if path == folder || path.hasPrefix(folder + "/") || path.hasSuffix("/" + folder) || path.contains("/" + folder + "/") {
                return true
            }
        }
        return false
    }

    /// Compares `local` files with `remote` entries. `cancelled` is polled between files.
    public static func compare(remote: [String: RepoFileEntry], local: [String: String], revision: String, verifiedPath: String,
                               source: CacheVerification.Source, cancelled: () -> Bool = { false }) throws -> CacheVerification {
        let remotePaths = Set(remote.keys), localPaths = Set(local.keys)
        var mismatches: [CacheVerification.Mismatch] = []
        for path in remotePaths.intersection(localPaths).sorted() {
            if cancelled() { throw CancellationError() }
            let entry = remote[path]!
            let algorithm = entry.lfsSHA256 == nil ? "git-sha1" : "sha256"
            let expected = (entry.lfsSHA256 ?? entry.blobID).lowercased()
            let actual = try hash(file: local[path]!, gitBlob: entry.lfsSHA256 == nil)
            if actual != expected { mismatches.append(.init(path: path, expected: expected, actual: actual, algorithm: algorithm)) }
        }
        return CacheVerification(revision: revision, checkedCount: remotePaths.intersection(localPaths).count, mismatches: mismatches,
                                 missingPaths: remotePaths.subtracting(localPaths).sorted(),
                                 extraPaths: localPaths.subtracting(remotePaths).sorted(), verifiedPath: verifiedPath, source: source)
    }

    /// SHA-256 of a file's content, or its git blob id, streamed in 1 MiB chunks.
    public static func hash(file path: String, gitBlob: Bool) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CacheVerifyError(message: "Cannot read \(path). Check its permissions.")
        }
        defer { try? handle.close() }
        var digest = Digest(gitBlob ? .sha1 : .sha256)
        if gitBlob { digest.update(Data("blob \(FileSystem.status(of: path)?.size ?? 0)\0".utf8)) }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(chunk) }
        return digest.finalize()
    }

    /// Whether `text` is a full commit hash (40 lowercase hex digits).
    public static func isCommitHash(_ text: String) -> Bool { text.utf8.count == 40 && text.allSatisfy(\.isHexDigitLowercase) }
}
