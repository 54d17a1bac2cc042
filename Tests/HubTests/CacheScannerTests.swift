import Foundation
import XCTest
@testable import Hub

final class CacheScannerTests: XCTestCase {
    func testReposRevisionsSizesAndRefs() throws {
        let cache = SyntheticCache()
        cache.addRevision("org/model", commit: commitA, refs: ["main", "refs/pr/1"], files: ["config.json": "12345", "sub/w.bin": "0123456789"])
        cache.addRevision("org/model", commit: commitB, refs: [], files: ["config.json": "123456", "sub/w.bin": "0123456789"])
        cache.addRevision("org/data", type: "datasets", commit: commitC, files: ["a.csv": "abc"])
        let info = try cache.scan()

        XCTAssertEqual(info.repos.map(\.cacheID), ["dataset/org/data", "model/org/model"])
        XCTAssertEqual(info.warnings, [])
        let model = try XCTUnwrap(info.repo(cacheID: "model/org/model"))
        XCTAssertEqual(model.sizeOnDisk, 5 + 6 + 10, "each distinct blob once")
        XCTAssertEqual(model.fileCount, 3)
        XCTAssertEqual(model.revisions.map(\.commitHash), [commitA, commitB])
        XCTAssertEqual(model.revisions[0].sizeOnDisk, 15)
        XCTAssertEqual(model.revisions[0].refs, ["main", "refs/pr/1"])
        XCTAssertEqual(model.revisions[1].refs, [])
        XCTAssertEqual(model.revisions[0].files.map(\.fileName).sorted(), ["config.json", "w.bin"])
        XCTAssertEqual(model.revisions[0].files.map { model.revisions[0].relativePath(of: $0) }.sorted(), ["config.json", "sub/w.bin"])
        XCTAssertEqual(model.revisions[0].files.first { $0.fileName == "w.bin" }?.blobPath, cache.folder("org/model") + "/blobs/etag-0123456789")
        XCTAssertEqual(info.sizeOnDisk, 21 + 3)
        XCTAssertEqual(info.cacheDir, cache.root)
    }

    func testEveryWarningKindSkipsOnlyTheBrokenRepo() throws {
        let cache = SyntheticCache()
        cache.addRevision("good", commit: commitA, files: ["f": "1"])
        cache.write(cache.root + "/stray.txt", "x")                                  // not a directory
        cache.mkdir(cache.root + "/nodashes")                                         // not a repo folder
        cache.mkdir(cache.root + "/widgets--org--x/snapshots")                        // unknown type
        cache.mkdir(cache.root + "/models--nosnap/blobs")                             // no snapshots
        cache.addRevision("refsfile", commit: commitA, refs: [], files: ["f": "1"])
        cache.write(cache.folder("refsfile") + "/refs", commitA)                      // refs is a file
        cache.addRevision("fileinsnap", commit: commitA, files: ["f": "1"])
        cache.write(cache.folder("fileinsnap") + "/snapshots/README", "x")            // file in snapshots
        cache.addRevision("broken", commit: commitA, files: ["f": "1"])
        FileSystem.removeFile(cache.folder("broken") + "/blobs/etag-1")               // broken symlink
        cache.addRevision("dangling", commit: commitA, files: ["f": "1"])
        cache.writeRef("dangling", "v1", commitB)                                     // ref to missing commit
        cache.write(cache.root + "/.DS_Store", "")                                    // ignored
        cache.write(cache.root + "/CACHEDIR.TAG", "")                                 // ignored
        cache.mkdir(cache.root + "/.locks/models--good")                              // ignored

        let info = try cache.scan()
        XCTAssertEqual(info.repos.map(\.cacheID), ["model/good"])
        let byKind = Dictionary(uniqueKeysWithValues: info.warnings.map { ($0.kind, $0.message) })
        XCTAssertEqual(byKind.count, 8, "\(info.warnings)")
        XCTAssertEqual(byKind[.notADirectory], "Repo path is not a directory: \(cache.root)/stray.txt")
        XCTAssertEqual(byKind[.notARepoFolder], "Repo path is not a valid HuggingFace cache directory: \(cache.root)/nodashes")
        XCTAssertEqual(byKind[.unknownRepoType], "Repo type must be one of ['datasets', 'kernels', 'models', 'spaces'], found `widgets` (\(cache.root)/widgets--org--x).")
        XCTAssertEqual(byKind[.missingSnapshots], "Snapshots dir doesn't exist in cached repo: \(cache.root)/models--nosnap/snapshots")
        XCTAssertEqual(byKind[.refsIsAFile], "Refs directory cannot be a file: \(cache.folder("refsfile"))/refs")
        XCTAssertEqual(byKind[.fileInSnapshots], "Snapshots folder corrupted. Found a file: \(cache.folder("fileinsnap"))/snapshots/README")
        XCTAssertEqual(byKind[.brokenSymlink], "Blob missing (broken symlink): \(cache.folder("broken"))/blobs/etag-1")
        XCTAssertEqual(byKind[.refToMissingCommit], "Reference(s) refer to missing commit hashes: {'\(commitB)': {'v1'}} (\(cache.folder("dangling"))).")
    }

    func testRefWithTrailingNewlineIsAMissingCommitLikePython() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, refs: [], files: ["f": "1"])
        cache.writeRef("m", "main", commitA + "\n")
        XCTAssertEqual(try cache.scan().warnings.map(\.kind), [.refToMissingCommit])
    }

    func testIncompleteFilesAreListed() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, files: ["f": "1"])
        cache.write(cache.folder("m") + "/blobs/abc.incomplete", "partial")
        let info = try cache.scan()
        XCTAssertEqual(info.incompleteFiles, [IncompleteFile(filePath: cache.folder("m") + "/blobs/abc.incomplete", sizeOnDisk: 7)])
        XCTAssertEqual(info.repos.first?.sizeOnDisk, 1, "incomplete files are not blobs of a revision")
    }

    func testSharedXetBlobsCountOnceInTheTotalAndLogicallyPerRepo() throws {
        let cache = SyntheticCache()
        let hash = String(repeating: "ab", count: 32)
        cache.addRevision("one", commit: commitA, files: ["w.bin": "0123456789", "c.json": "12"])
        cache.addRevision("two", commit: commitB, files: ["w.bin": "0123456789"])
        cache.share("one", content: "0123456789", xetHash: hash)
        cache.share("two", content: "0123456789", xetHash: hash)
        // A payload no repo links to any more.
        let orphan = String(repeating: "cd", count: 32)
        cache.write(cache.root + "/blobs/cd/" + orphan, "xyz")
        cache.write(cache.root + "/blobs/cd/" + orphan + ".refs", "")

        let info = try cache.scan()
        XCTAssertEqual(info.warnings, [], "the marked store is not a repo")
        XCTAssertEqual(info.repos.map(\.sizeOnDisk), [12, 10], "per-repo sizes follow the link to the payload")
        XCTAssertEqual(info.sizeOnDisk, 10 + 2 + 3, "shared payload once, plus the orphan payload")
        XCTAssertEqual(info.unreferencedSharedBlobs, [cache.root + "/blobs/cd/" + orphan: 3])
        XCTAssertEqual(info.repos[0].revisions[0].files.first { $0.fileName == "w.bin" }?.blobPath,
                       cache.folder("one") + "/blobs/etag-0123456789", "blob path is the first hop")
    }

    func testBlobLinkedFromAnotherRepoCountsOnceInTheTotal() throws {
        let cache = SyntheticCache()
        cache.addRevision("one", commit: commitA, files: ["w.bin": "0123456789", "c.json": "12"])
        let snapshot = cache.addRevision("two", commit: commitB, files: ["own.txt": "abc"])
        FileSystem.makeSymlink(at: snapshot + "/w.bin", to: "../../../models--one/blobs/etag-0123456789")

        let info = try cache.scan()
        XCTAssertEqual(info.repos.map(\.repoID), ["one", "two"])
        XCTAssertEqual(info.repos.map(\.sizeOnDisk), [12, 13], "each repo counts what its files point to")
        XCTAssertEqual(info.repos[1].revisions[0].files.first { $0.fileName == "w.bin" }?.blobPath,
                       cache.folder("one") + "/blobs/etag-0123456789")
        XCTAssertEqual(info.sizeOnDisk, 10 + 2 + 3, "the blob of repo one is counted once")
    }

    func testRepoIDFromFolderNameReplacesDoubleDashesLikePython() {
        // Expected values are Python's "…".replace("--", "/").
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "org--name"), "org/name")
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "gpt2"), "gpt2")
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "a---b"), "a/-b")
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "a----b"), "a//b")
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "my-org--my-model-"), "my-org/my-model-")
        XCTAssertEqual(CacheScanner.repoID(fromFolderName: "é--ü"), "é/ü")
    }

    func testUnmarkedBlobsFolderIsReportedAsAStrayFolder() throws {
        let cache = SyntheticCache()
        cache.mkdir(cache.root + "/blobs/ab")
        XCTAssertEqual(try cache.scan().warnings.map(\.kind), [.notARepoFolder])
    }

    func testMissingCacheAndFileCacheAreErrors() {
        XCTAssertThrowsError(try CacheScanner(cacheDir: "/nonexistent/hub").scan()) { error in
            XCTAssertEqual((error as? CacheNotFound)?.cacheDir, "/nonexistent/hub")
        }
        let cache = SyntheticCache()
        cache.write(cache.root + "/file", "x")
        XCTAssertThrowsError(try CacheScanner(cacheDir: cache.root + "/file").scan()) { error in
            XCTAssertTrue(error is CacheIsAFile, "\(error)")
        }
    }

    func testFormatMatchesPython() {
        // Values from huggingface_hub: _format_size(0), (999), (1234), (1_500_000), (2_000_000_000_000_000_000_000_000)
        XCTAssertEqual(CacheFormat.size(0), "0.0")
        XCTAssertEqual(CacheFormat.size(999), "999.0")
        XCTAssertEqual(CacheFormat.size(1234), "1.2K")
        XCTAssertEqual(CacheFormat.size(1_500_000), "1.5M")
        XCTAssertEqual(CacheFormat.timeSince(100, now: 110), "a few seconds ago")
        XCTAssertEqual(CacheFormat.timeSince(0, now: 90), "2 minutes ago", "round(1.5) == 2")
        XCTAssertEqual(CacheFormat.timeSince(0, now: 150), "2 minutes ago", "round(2.5) == 2 (banker's rounding)")
        XCTAssertEqual(CacheFormat.timeSince(0, now: 86_400 * 3), "3 days ago")
        XCTAssertEqual(CacheFormat.timeSince(0, now: 86_400 * 400), "1 year ago")
        XCTAssertEqual(CacheFormat.parseSize("10MB"), 10_000_000)
        XCTAssertEqual(CacheFormat.parseSize("2g"), 2_000_000_000)
        XCTAssertNil(CacheFormat.parseSize("1.5GB"))
        XCTAssertEqual(CacheFormat.parseDuration("7d"), 604_800)
        XCTAssertEqual(CacheFormat.parseDuration("3mo"), 7_776_000)
        XCTAssertNil(CacheFormat.parseDuration("7 parsecs"))
    }
}
