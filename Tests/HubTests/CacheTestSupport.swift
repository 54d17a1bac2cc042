import Foundation
@testable import Hub

/// Builds small caches laid out like `hf_hub_download` leaves them, in a fresh temp folder.
final class SyntheticCache {
    let root: String

    init() {
        let base = NSTemporaryDirectory() + "hubkernel-cache-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: base + "/hub", withIntermediateDirectories: true)
        root = FileSystem.realPath(base + "/hub")!
    }

    deinit { FileSystem.removeTree(FileSystem.parent(of: root)) }

    func folder(_ repo: String, type: String = "models") -> String {
        root + "/" + ([type] + repo.split(separator: "/").map(String.init)).joined(separator: "--")
    }

    /// Adds a revision whose files are symlinks to blobs named `etag-<content>`; returns the snapshot path.
    @discardableResult
    func addRevision(_ repo: String, type: String = "models", commit: String, refs: [String] = ["main"],
                     files: [String: String]) -> String {
        let repoFolder = folder(repo, type: type)
        let snapshot = repoFolder + "/snapshots/" + commit
        mkdir(repoFolder + "/blobs")
        for (path, content) in files {
            let blob = repoFolder + "/blobs/" + Self.etag(content)
            if !FileManager.default.fileExists(atPath: blob) { write(blob, content) }
            let link = snapshot + "/" + path
            mkdir(FileSystem.parent(of: link))
            let depth = path.split(separator: "/").count + 1
            FileSystem.makeSymlink(at: link, to: String(repeating: "../", count: depth) + "blobs/" + Self.etag(content))
        }
        mkdir(snapshot)
        for ref in refs { writeRef(repo, type: type, ref, commit) }
        return snapshot
    }

    /// Blob names stay readable in tests (`etag-<content>`) and within NAME_MAX for long contents.
    static func etag(_ content: String) -> String {
        content.count <= 64 ? "etag-" + content : "etag-" + Digest.hex(.sha1, of: Data(content.utf8))
    }

    func writeRef(_ repo: String, type: String = "models", _ ref: String, _ commit: String) {
        let path = folder(repo, type: type) + "/refs/" + ref
        mkdir(FileSystem.parent(of: path))
        write(path, commit)
    }

    /// Moves the blob of `content` into the shared store and links it back (with a manifest line).
    func share(_ repo: String, type: String = "models", content: String, xetHash: String) {
        let blob = folder(repo, type: type) + "/blobs/" + Self.etag(content)
        let payload = root + "/blobs/" + xetHash.prefix(2) + "/" + xetHash
        mkdir(FileSystem.parent(of: payload))
        write(root + "/blobs/.huggingface-shared-blobs", "1\n")
        if FileManager.default.fileExists(atPath: payload) { FileSystem.removeFile(blob) } else { rename(blob, payload) }
        FileSystem.makeSymlink(at: blob, to: "../../blobs/" + xetHash.prefix(2) + "/" + xetHash)
        let manifest = payload + ".refs"
        let line = String(blob.dropFirst(root.count + 1)) + "\n"
        let old = (try? String(contentsOfFile: manifest, encoding: .utf8)) ?? ""
        write(manifest, old + line)
    }

    func mkdir(_ path: String) { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    func write(_ path: String, _ content: String) {
        mkdir(FileSystem.parent(of: path))
        FileManager.default.createFile(atPath: path, contents: Data(content.utf8))
    }
    func exists(_ path: String) -> Bool { FileSystem.linkStatus(of: path) != nil }
    func scan() throws -> CacheInfo { try CacheScanner(cacheDir: root).scan() }
}

let commitA = String(repeating: "a", count: 40)
let commitB = String(repeating: "b", count: 40)
let commitC = String(repeating: "c", count: 40)
