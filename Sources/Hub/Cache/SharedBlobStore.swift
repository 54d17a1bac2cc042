import Foundation

/// The cache-wide Xet blob store of `huggingface_hub` 2.4 (`utils/_shared_blobs.py`):
///
/// ```
/// <cache>/blobs/.huggingface-shared-blobs        marker, content "1\n"
/// <cache>/blobs/<hh>/<64-hex xet hash>            the payload (regular file)
/// <cache>/blobs/<hh>/<hash>.refs                  manifest: one "models--x--y/blobs/<etag>" per line
/// <cache>/blobs/<hh>/<hash>.lock                  flock taken while publishing or collecting
/// <cache>/models--x--y/blobs/<etag>  ->  ../../blobs/<hh>/<hash>
/// ```
///
/// Manifests are hints: every line is checked against the file system, and anything
/// unreadable makes collection keep the payload rather than risk deleting it.
public struct SharedBlobStore: Sendable {
    public static let folderName = "blobs"
    public static let markerName = ".huggingface-shared-blobs"
    static let repoTypePrefixes = ["datasets", "kernels", "models", "spaces"]

    public let cacheDir: String
    public var directory: String { cacheDir + "/" + Self.folderName }

    public init(cacheDir: String) { self.cacheDir = cacheDir }

    /// Whether `<cache>/blobs` is a marked store of a supported layout.
    public var isMarked: Bool {
        guard FileSystem.linkStatus(of: directory)?.kind == .directory,
              FileSystem.linkStatus(of: directory + "/" + Self.markerName)?.kind == .regular,
              let data = FileManager.default.contents(atPath: directory + "/" + Self.markerName) else { return false }
        return data == Data("1\n".utf8)
    }

    /// The store payload a repo blob links to, when `blobPath` is `<cache>/<repo-folder>/blobs/<name>`,
    /// a symlink into `<cache>/blobs/<hh>/<hash>`, and that payload is a regular file.
    public func target(ofRepoBlob blobPath: String) -> String? {
        guard let target = linkTarget(ofRepoBlob: blobPath),
              FileSystem.linkStatus(of: target)?.kind == .regular else { return nil }
        return target
    }

    /// Like `target(ofRepoBlob:)` without requiring the payload to exist.
    func linkTarget(ofRepoBlob blobPath: String) -> String? {
        guard isRepoBlobPath(blobPath), FileSystem.linkStatus(of: blobPath)?.kind == .symlink,
              let link = FileSystem.readLink(blobPath) else { return nil }
        let target = FileSystem.resolve(link, besideLinkAt: blobPath)
        guard target.hasPrefix(directory + "/") else { return nil }
        let parts = target.dropFirst(directory.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isXetHash(parts[1]), parts[1].hasPrefix(parts[0]), parts[0].count == 2 else { return nil }
        return target
    }

    /// `<cache>/<type>s--…/blobs/<name>` exactly (`_relative_blob_path`).
    func isRepoBlobPath(_ path: String) -> Bool {
        guard path.hasPrefix(cacheDir + "/") else { return false }
        let parts = path.dropFirst(cacheDir.count + 1).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1] == "blobs", !parts[2].isEmpty,
              !path.contains("\n"), !path.contains("\r") else { return false }
        return Self.repoTypePrefixes.contains { parts[0].hasPrefix($0 + "--") && parts[0].count > $0.count + 2 }
    }

    /// Every payload in the store (`shared_store_blob_paths`).
    public func payloads() -> [String] {
        guard isMarked else { return [] }
        var result: [String] = []
        for prefix in FileSystem.entries(in: directory) ?? [] where prefix.name.count == 2 && prefix.name.allSatisfy(\.isHexDigitLowercase) {
            let prefixPath = directory + "/" + prefix.name
            guard FileSystem.linkStatus(of: prefixPath)?.kind == .directory else { continue }
            for entry in FileSystem.entries(in: prefixPath) ?? []
            where Self.isXetHash(Substring(entry.name)) && entry.name.hasPrefix(prefix.name) {
                let path = prefixPath + "/" + entry.name
                if FileSystem.linkStatus(of: path)?.kind == .regular { result.append(path) }
            }
        }
        return result.sorted()
    }

    /// The repo blobs a payload's manifest lists that really link to it; nil when the
    /// manifest is missing or unreadable (then the payload must be kept).
    public func references(of payload: String) -> Set<String>? {
        let manifest = payload + ".refs"
        guard FileSystem.linkStatus(of: manifest)?.kind == .regular,
              let data = FileManager.default.contents(atPath: manifest),
              let text = String(data: data, encoding: .utf8) else { return nil }
        var result = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("/"), !line.split(separator: "/").contains("..") else { continue }
            let candidate = FileSystem.normalize(cacheDir + "/" + line)
            guard isRepoBlobPath(candidate) else { continue }
            if linkTarget(ofRepoBlob: candidate) == payload { result.insert(candidate) }
        }
        return result
    }

    /// Payloads whose manifest is readable and lists no live reference, with their sizes.
    public func unreferencedPayloads() -> [String: Int64] {
        var result: [String: Int64] = [:]
        for payload in payloads() {
            guard let references = references(of: payload), references.isEmpty,
                  let size = FileSystem.linkStatus(of: payload)?.size else { continue }
            result[payload] = size
        }
        return result
    }

    /// Bytes freed for `payload` if every repo blob in `deleting` goes: its size when all its
    /// live references are among them, else 0 (`expected_shared_blob_freed_size`).
    public func freedSize(of payload: String, deleting: Set<String>) -> Int64 {
        guard let references = references(of: payload), !references.isEmpty, references.isSubset(of: deleting),
              let status = FileSystem.linkStatus(of: payload), status.kind == .regular else { return 0 }
        return status.size
    }

    /// Deletes `payload` and its manifest if no live reference remains; otherwise rewrites the
    /// manifest with the live ones. Done under the payload's `.lock`, like Python. Returns bytes freed.
    @discardableResult
    public func sweep(_ payload: String) -> Int64 {
        guard isMarked, payload.hasPrefix(directory + "/") else { return 0 }
        return FileSystem.withExclusiveLock(payload + ".lock") { () -> Int64 in
            guard let references = references(of: payload) else { return 0 }
            let manifest = payload + ".refs"
            if !references.isEmpty {
                let lines = references.sorted().map { String($0.dropFirst(cacheDir.count + 1)) + "\n" }.joined()
                let temporary = manifest + ".\(UInt32.random(in: 0...UInt32.max)).tmp"
                if FileManager.default.createFile(atPath: temporary, contents: Data(lines.utf8)) {
                    if rename(temporary, manifest) != 0 { FileSystem.removeFile(temporary) }
                }
                return 0
            }
            guard let status = FileSystem.linkStatus(of: payload), status.kind == .regular else { return 0 }
            guard FileSystem.removeFile(payload) else { return 0 }
            FileSystem.removeFile(manifest)
            return status.size
        } ?? 0
    }

    static func isXetHash(_ text: Substring) -> Bool {
        text.utf8.count == 64 && text.allSatisfy(\.isHexDigitLowercase)
    }
}

extension Character {
    /// `0-9` or `a-f`.
    var isHexDigitLowercase: Bool { ("0"..."9").contains(self) || ("a"..."f").contains(self) }
}
