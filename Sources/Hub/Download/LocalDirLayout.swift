import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `--local-dir` bookkeeping, as `_local_folder.py` does it: the file at `<dir>/<path>`,
/// `<dir>/.cache/huggingface/download/<path>.metadata` (`commit\netag\ntimestamp\n`),
/// a lock next to it, a `.gitignore` of `*` and a `CACHEDIR.TAG`.
public struct LocalDirLayout: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    /// `<dir>/.cache/huggingface`, also where `trees/` goes.
    public var huggingfaceFolder: String { root + "/.cache/huggingface" }
    public func file(_ path: String) -> String { root + "/" + path }
    public func metadata(_ path: String) -> String { huggingfaceFolder + "/download/" + path + ".metadata" }
    /// `metadata_path.with_suffix(".lock")`: `<path>.lock` beside the metadata.
    public func lock(_ path: String) -> String { huggingfaceFolder + "/download/" + path + ".lock" }
    /// `<short hash of the metadata name>.<etag>.incomplete` in the metadata folder.
    public func incomplete(_ path: String, etag: String) -> String {
        let metadataPath = metadata(path)
        let name = (metadataPath as NSString).lastPathComponent
        return (metadataPath as NSString).deletingLastPathComponent + "/" + Self.shortHash(name) + "." + etag + ".incomplete"
    }

    /// Creates `.cache/huggingface` with its `.gitignore` (`*`) and `CACHEDIR.TAG`.
    public func prepare() {
        try? FileManager.default.createDirectory(atPath: huggingfaceFolder, withIntermediateDirectories: true)
        CacheWriter.ensureCacheDirTag(in: huggingfaceFolder)
        let gitignore = huggingfaceFolder + "/.gitignore"
        if !FileManager.default.fileExists(atPath: gitignore) {
            try? Data("*".utf8).write(to: URL(fileURLWithPath: gitignore))
        }
    }

    /// What a previous download recorded for `path`.
    public struct Metadata: Sendable, Equatable {
        public var commit: String
        public var etag: String
        public var timestamp: Double
    }

    /// The recorded metadata, if present, parseable, and not older than the file (1 s slack).
    public func readMetadata(_ path: String) -> Metadata? {
        guard let text = try? String(contentsOfFile: metadata(path), encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.count >= 3, let timestamp = Double(lines[2]) else {
            unlink(metadata(path))
            return nil
        }
        var info = stat()
        guard stat(file(path), &info) == 0 else { return nil }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        guard modified - 1 <= timestamp else { return nil }
        return Metadata(commit: lines[0], etag: lines[1], timestamp: timestamp)
    }

    /// Records that `path` holds `etag` from `commit`, stamped now.
    public func writeMetadata(_ path: String, commit: String, etag: String) throws {
        let target = metadata(path)
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("\(commit)\n\(etag)\n\(Date().timeIntervalSince1970)\n".utf8).write(to: URL(fileURLWithPath: target))
    }

    /// `base64.urlsafe_b64encode(sha1(name)).decode()`.
    static func shortHash(_ name: String) -> String {
        let hex = Digest.hex(.sha1, of: Data(name.utf8))
        var bytes = [UInt8]()
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
