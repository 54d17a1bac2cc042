import Foundation

/// What a plain `%download REPO` (the whole snapshot) would fetch: each file's size, kind and whether the cache
/// already holds it, and whether the rest fits on the cache's disk.
public struct DownloadFootprint: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case weights, tokenizer, other }

    public enum State: String, Sendable {
        /// In the cache at this commit (the snapshot file exists).
        case cached
        /// Not linked at this commit, but its blob is in the cache (another revision has it): reused, not fetched.
        case reusable = "in another revision"
        case missing = "not cached"
    }

    public struct File: Sendable, Equatable {
        public var path: String
        public var size: Int64
        public var isLFS: Bool
        public var kind: Kind
        public var state: State
    }

    public var files: [File]
    /// Free bytes on the disk holding the cache (nil when unknown).
    public var freeBytes: Int64?

    public var totalBytes: Int64 { files.reduce(0) { $0 + max($1.size, 0) } }
    public func bytes(_ kind: Kind) -> Int64 { files.filter { $0.kind == kind }.reduce(0) { $0 + max($1.size, 0) } }
    public func bytes(_ state: State) -> Int64 { files.filter { $0.state == state }.reduce(0) { $0 + max($1.size, 0) } }
    /// Bytes a download would transfer.
    public var bytesToFetch: Int64 { bytes(.missing) }
    /// False when the disk is known to have less free space than the download needs.
    public var fits: Bool { freeBytes.map { $0 >= bytesToFetch } ?? true }

    /// The footprint of `entries` at `commit` against the cache at `layout`.
    public init(entries: [RepoFileEntry], repo: RepoID, commit: String, layout: CacheLayout) {
        let fm = FileManager.default
        files = entries.map { entry in
            let state: State
            if fm.fileExists(atPath: layout.snapshotFile(repo, commit: commit, path: entry.path)) {
                state = .cached
            } else if !entry.etag.isEmpty && fm.fileExists(atPath: layout.blob(repo, etag: entry.etag)) {
                state = .reusable
            } else {
                state = .missing
            }
            return File(path: entry.path, size: entry.size, isLFS: entry.lfsSHA256 != nil, kind: Self.kind(of: entry.path), state: state)
        }
        freeBytes = Self.freeSpace(near: layout.root)
    }

    /// Weights by extension, tokenizer files by name, the rest as other.
    public static func kind(of path: String) -> Kind {
        let name = (path as NSString).lastPathComponent.lowercased()
        let ext = (name as NSString).pathExtension
        if weightExtensions.contains(ext) { return .weights }
        if name.contains("tokenizer") || tokenizerNames.contains(name) { return .tokenizer }
        return .other
    }

    static let weightExtensions: Set<String> = ["safetensors", "bin", "pt", "pth", "ckpt", "h5", "msgpack", "onnx", "gguf", "ggml",
                                                "ot", "tflite", "mlmodel", "npz", "pb", "keras", "nemo", "joblib", "pkl"]
    static let tokenizerNames: Set<String> = ["vocab.json", "vocab.txt", "merges.txt", "special_tokens_map.json", "added_tokens.json",
                                              "spiece.model", "sentencepiece.bpe.model", "source.spm", "target.spm"]

    /// Free space of the nearest existing folder at or above `folder` (the cache may not exist yet).
    static func freeSpace(near folder: String) -> Int64? {
        var path = folder
        while !FileManager.default.fileExists(atPath: path), path != "/", !path.isEmpty {
            path = (path as NSString).deletingLastPathComponent
        }
        return DiskSpace.available(folder: path.isEmpty ? "/" : path)
    }
}
