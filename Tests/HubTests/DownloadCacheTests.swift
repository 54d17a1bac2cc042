import Foundation
import XCTest
@testable import Hub

/// The cache-format pieces of the download engine, each compared with `huggingface_hub` 2.4.0.
final class DownloadCacheTests: XCTestCase {
    var root: String!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hk-cache-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func testEtagNormalisationMatchesPython() throws {
        let samples = ["\"abc\"", "W/\"abc\"", "abc", "\"\"abc\"\"", "W/abc", "WW//\"x\"", "\"W/abc\"", ""]
        let expected = try DownloadReference.run("""
            from huggingface_hub.file_download import _normalize_etag
            print(json.dumps([_normalize_etag(s) for s in json.load(sys.stdin)]))
            """, input: samples) as? [String]
        XCTAssertEqual(samples.map { ETag.normalize($0)! }, expected)
        XCTAssertNil(ETag.normalize(nil))
    }

    func testPatternFilterMatchesPythonFilterRepoObjects() throws {
        let paths = ["config.json", "a/b/c.json", ".hidden", "onnx/model.onnx", "model.safetensors", "docs/README.md",
                     "Model.BIN", "x[1].txt", "a\\b.txt", "deep/onnx/m.onnx"]
        let cases: [([String], [String])] = [
            (["*.json"], []), ([], ["*.json"]), (["onnx/"], []), (["*.json", "docs/"], ["a/*"]), (["*"], [".*"]),
            (["*.bin"], []), (["*.BIN"], []), (["x[1].txt"], []), (["x[!a].txt"], []), (["?odel.*"], ["*.bin"]),
            (["a/b.txt"], []), (["*onnx/*"], []), (["a/**"], []),
        ]
        let input = cases.map { ["paths": paths, "allow": $0.0, "ignore": $0.1] as [String: Any] }
        let expected = try DownloadReference.run("""
            from huggingface_hub.utils import filter_repo_objects
            out = []
            for c in json.load(sys.stdin):
                out.append(list(filter_repo_objects(c["paths"], allow_patterns=c["allow"] or None, ignore_patterns=c["ignore"] or None)))
            print(json.dumps(out))
            """, input: input) as? [[String]]
        let ours = cases.map { include, exclude in paths.filter { PatternFilter(include: include, exclude: exclude).keeps($0) } }
        XCTAssertEqual(ours, expected)
    }

    func testPathSafetyMatchesPython() throws {
        let names = ["a.txt", "a/b/c.txt", "../x", "a/../../x", "/etc/passwd", "a\\..\\b", "C:\\x", "C:x", "\\\\host\\share\\x",
                     "a/C:/b", "..", "a..b", ".../x", "a/./b"]
        let expected = try DownloadReference.run("""
            from huggingface_hub._local_folder import _validate_relative_filename
            out = []
            for n in json.load(sys.stdin):
                try:
                    _validate_relative_filename(n); out.append(True)
                except ValueError:
                    out.append(False)
            print(json.dumps(out))
            """, input: names) as? [Bool]
        let ours = names.map { (try? RepoPath.validate($0)) != nil }
        XCTAssertEqual(ours, expected)
        XCTAssertThrowsError(try RepoPath.validate("../../x")) { XCTAssertEqual(($0 as? HubError)?.name, "UnsafePathError") }
    }

    func testSymlinkTargetsMatchPythonRelpath() throws {
        let paths = ["config.json", "a/b.bin", "a/b/c/d.txt"]
        let expected = try DownloadReference.run("""
            import os
            print(json.dumps([os.path.relpath("/c/models--o--r/blobs/E", os.path.dirname("/c/models--o--r/snapshots/C/" + p))
                              for p in json.load(sys.stdin)]))
            """, input: paths) as? [String]
        XCTAssertEqual(paths.map { CacheWriter.symlinkTarget(path: $0, etag: "E") }, expected)
    }

    func testTreeCacheFileIsByteForBytePythonsJSON() throws {
        let entries = [
            RepoFileEntry(path: "z.bin", size: 123_456_789_012, blobID: String(repeating: "b", count: 40),
                          lfsSHA256: String(repeating: "c", count: 64), lfsSize: 123_456_789_012),
            RepoFileEntry(path: "a \"quoted\"\\ é 🤗\t.txt", size: 0, blobID: String(repeating: "d", count: 40)),
            RepoFileEntry(path: "B/x.json", size: 5, blobID: String(repeating: "e", count: 40), xetHash: String(repeating: "f", count: 64)),
            RepoFileEntry(path: "é", size: 1, blobID: String(repeating: "1", count: 40)),
        ]
        let input = entries.map { entry -> [String: Any] in
            var info: [String: Any] = ["path": entry.path, "size": entry.size, "blob_id": entry.blobID]
            if let sha = entry.lfsSHA256 { info["lfs_sha256"] = sha; info["lfs_size"] = entry.lfsSize! }
            if let xet = entry.xetHash { info["xet_hash"] = xet }
            return info
        }
        let script = """
            import tempfile, os
            from huggingface_hub._tree_cache import TreeCacheEntry, write_tree_cache
            items = json.load(sys.stdin)
            entries = {i["path"]: TreeCacheEntry(size=i["size"], blob_id=i["blob_id"], lfs_sha256=i.get("lfs_sha256"),
                                                 lfs_size=i.get("lfs_size"), xet_hash=i.get("xet_hash")) for i in items}
            d = tempfile.mkdtemp()
            write_tree_cache(d, "c" * 40, entries)
            print(json.dumps(open(os.path.join(d, "trees", "c" * 40 + ".json"), encoding="utf-8").read()))
            """
        let expected = try DownloadReference.run(script, input: input) as? String
        XCTAssertEqual(TreeCacheFile.encode(entries), expected)
        XCTAssertEqual(TreeCacheFile.encode([]), try DownloadReference.run(script, input: [] as [Any]) as? String)

        TreeCacheFile.write(entries, in: root, commit: "c")
        XCTAssertEqual(TreeCacheFile.read(in: root, commit: "c")?.sorted { $0.path < $1.path }, entries.sorted { $0.path < $1.path })
    }

    func testCacheDirTagIsPythons() throws {
        let expected = try DownloadReference.run("""
            from huggingface_hub._local_folder import CACHEDIR_TAG_CONTENT
            json.load(sys.stdin); print(json.dumps(CACHEDIR_TAG_CONTENT))
            """, input: [] as [Any]) as? String
        XCTAssertEqual(CacheWriter.cacheDirTag, expected)
        CacheWriter.ensureCacheDirTag(in: root)
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/CACHEDIR.TAG"), Data(CacheWriter.cacheDirTag.utf8))
    }

    func testRefsHaveNoNewlineAreNestedAndSkippedForCommits() throws {
        let layout = CacheLayout(root: root)
        let repo = try RepoID("org/repo")
        let commit = String(repeating: "1", count: 40)
        try CacheWriter.writeRef(layout, repo, revision: "main", commit: commit)
        try CacheWriter.writeRef(layout, repo, revision: "refs/pr/1", commit: commit)
        try CacheWriter.writeRef(layout, repo, revision: commit, commit: commit)
        XCTAssertEqual(FileManager.default.contents(atPath: layout.ref(repo, revision: "main")), Data(commit.utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: root + "/models--org--repo/refs/refs/pr/1"), Data(commit.utf8))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.ref(repo, revision: commit)))
        let other = String(repeating: "2", count: 40)
        try CacheWriter.writeRef(layout, repo, revision: "main", commit: other)
        XCTAssertEqual(CacheWriter.readRef(layout, repo, revision: "main"), other)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: layout.repoFolder(repo) + "/refs").sorted(), ["main", "refs"],
                       "no temporary files left behind")
    }

    func testLocalDirPathsMatchPython() throws {
        let names = ["config.json", "a/b/model.bin"]
        let expected = try DownloadReference.run("""
            import tempfile
            from pathlib import Path
            from huggingface_hub._local_folder import get_local_download_paths
            d = Path(tempfile.mkdtemp())
            out = []
            for n in json.load(sys.stdin):
                p = get_local_download_paths(d, n)
                out.append([str(p.file_path.relative_to(d)), str(p.metadata_path.relative_to(d)), str(p.lock_path.relative_to(d)),
                            str(p.incomplete_path("E").relative_to(d))])
            print(json.dumps(out))
            """, input: names) as? [[String]]
        let layout = LocalDirLayout(root: "/d")
        let ours = names.map { name in
            [layout.file(name), layout.metadata(name), layout.lock(name), layout.incomplete(name, etag: "E")].map { String($0.dropFirst(3)) }
        }
        XCTAssertEqual(ours, expected)
    }

    func testLocalDirMetadataIsReadByPython() throws {
        let layout = LocalDirLayout(root: root)
        layout.prepare()
        FileManager.default.createFile(atPath: layout.file("f.txt"), contents: Data("x".utf8))
        try layout.writeMetadata("f.txt", commit: String(repeating: "a", count: 40), etag: "etag1")
        let python = try DownloadReference.run("""
            from pathlib import Path
            from huggingface_hub._local_folder import read_download_metadata
            m = read_download_metadata(Path(json.load(sys.stdin)), "f.txt")
            print(json.dumps(None if m is None else [m.commit_hash, m.etag]))
            """, input: root!) as? [String]
        XCTAssertEqual(python, [String(repeating: "a", count: 40), "etag1"])
        XCTAssertEqual(layout.readMetadata("f.txt")?.etag, "etag1")
    }

    func testURLQuotingMatchesPython() throws {
        let texts = ["refs/pr/1", "main", "a b/ü.txt", "x?y#z&=+%", "~_.-"]
        let expected = try DownloadReference.run("""
            from urllib.parse import quote
            t = json.load(sys.stdin)
            print(json.dumps([[quote(s, safe=""), quote(s)] for s in t]))
            """, input: texts) as? [[String]]
        XCTAssertEqual(texts.map { [URLText.quote($0, safe: ""), URLText.quote($0)] }, expected)
    }

    func testBackgroundDigestEqualsDirectHashAndResets() {
        var generator = SystemRandomNumberGenerator()
        let data = Data((0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        for background in [false, true] {
            let digest = RunningDigest(.sha256, background: background)
            digest.update(Data("garbage".utf8))
            digest.reset()
            var offset = 0
            while offset < data.count {
                let end = min(data.count, offset + Int.random(in: 1...300_000))
                digest.update(data.subdata(in: offset..<end))
                offset = end
            }
            XCTAssertEqual(digest.hex, Digest.hex(.sha256, of: data), "background: \(background)")
            digest.update(Data("x".utf8))
            XCTAssertEqual(digest.hex, Digest.hex(.sha256, of: data + Data("x".utf8)))
        }
    }

    func testDiskSpaceCheckSaysWhatIsNeededAndWhatIsKept() throws {
        XCTAssertNoThrow(try DiskSpace.check(folder: root, needed: 1, path: "small.bin", kept: 0))
        XCTAssertThrowsError(try DiskSpace.check(folder: root, needed: 1 << 60, path: "huge.bin", kept: 5_000_000)) { error in
            let error = error as? HubError
            XCTAssertEqual(error?.name, "DiskFullError")
            XCTAssertTrue(error?.message.contains("'huge.bin'") ?? false)
            XCTAssertTrue(error?.message.contains("1152921.5 TB needed") ?? false, error?.message ?? "")
            XCTAssertTrue(error?.message.contains("5.0 MB already downloaded were kept") ?? false, error?.message ?? "")
        }
    }

    func testLinkHeaderPagination() {
        XCTAssertEqual(HubClient.nextPage("<https://h/api?cursor=2>; rel=\"next\""), "https://h/api?cursor=2")
        XCTAssertEqual(HubClient.nextPage("<https://h/p1>; rel=\"prev\", <https://h/p3>; rel=\"next\""), "https://h/p3")
        XCTAssertNil(HubClient.nextPage("<https://h/p1>; rel=\"prev\""))
        XCTAssertNil(HubClient.nextPage(nil))
    }

    func testFileLockInteroperatesWithPythonFilelock() throws {
        let lockPath = root + "/.locks/x.lock"
        let ready = root + "/ready"
        // Python holds the lock for a moment; we must wait for it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DownloadReference.python)
        guard FileManager.default.isExecutableFile(atPath: DownloadReference.python) else { throw XCTSkip("no .venv") }
        try FileManager.default.createDirectory(atPath: root + "/.locks", withIntermediateDirectories: true)
        process.arguments = ["-c", """
            import time, sys
            from huggingface_hub.utils import WeakFileLock
            with WeakFileLock(sys.argv[1]):
                open(sys.argv[2], "w").close()
                time.sleep(0.8)
            """, lockPath, ready]
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: ready), Date() < deadline { usleep(20_000) }
        let started = Date()
        try FileLock.withLock(lockPath) { }
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.3, "we waited for Python's lock")
        process.waitUntilExit()
    }
}
