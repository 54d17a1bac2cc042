import Foundation
import XCTest
@testable import Hub

final class CacheVerifierTests: XCTestCase {
    // Known digests: `printf 'hello\n' | git hash-object --stdin` and sha256("abc").
    let helloBlob = "ce013625030ba8dba906f756967f9e9ca394464a"
    let abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    func remote() -> [String: TreeFile] {
        ["hello.txt": TreeFile(path: "hello.txt", size: 6, blobID: helloBlob),
         "w/abc.bin": TreeFile(path: "w/abc.bin", size: 3, blobID: "0000", lfsSHA256: abcSHA256),
         "gone.txt": TreeFile(path: "gone.txt", size: 1, blobID: "1111")]
    }

    func testCleanFilesMissingAndExtra() throws {
        let cache = SyntheticCache()
        let snapshot = cache.addRevision("m", commit: commitA, files: ["hello.txt": "hello\n", "w/abc.bin": "abc", "extra.md": "x"])
        cache.mkdir(snapshot + "/.git")
        cache.write(snapshot + "/.git/HEAD", "ignored")
        let (root, revision) = try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: try RepoID("m"), revision: nil, localDir: nil)
        XCTAssertEqual(root, snapshot)
        XCTAssertEqual(revision, commitA)
        let result = try CacheVerifier.compare(remote: remote(), local: CacheVerifier.localFiles(under: root), revision: revision,
                                               verifiedPath: root, source: .hub)
        XCTAssertEqual(result.mismatches, [])
        XCTAssertEqual(result.checkedCount, 2)
        XCTAssertEqual(result.missingPaths, ["gone.txt"])
        XCTAssertEqual(result.extraPaths, ["extra.md"])
    }

    func testFlippedByteIsAMismatch() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, files: ["hello.txt": "hello\n", "w/abc.bin": "abc"])
        cache.write(cache.folder("m") + "/blobs/etag-abc", "abd")   // one byte flipped in the blob
        let (root, revision) = try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: try RepoID("m"), revision: "main", localDir: nil)
        let result = try CacheVerifier.compare(remote: remote(), local: CacheVerifier.localFiles(under: root), revision: revision,
                                               verifiedPath: root, source: .hub)
        XCTAssertEqual(result.mismatches.map(\.path), ["w/abc.bin"])
        XCTAssertEqual(result.mismatches.first?.algorithm, "sha256")
        XCTAssertEqual(result.mismatches.first?.expected, abcSHA256)
        XCTAssertFalse(result.isClean)
    }

    func testRevisionResolution() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, refs: ["v1"], files: ["f": "1"])
        let repo = try RepoID("m")
        XCTAssertEqual(try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: repo, revision: "v1", localDir: nil).revision, commitA)
        XCTAssertEqual(try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: repo, revision: nil, localDir: nil).revision, commitA,
                       "the only snapshot")
        XCTAssertThrowsError(try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: repo, revision: "nope", localDir: nil))
        XCTAssertThrowsError(try CacheVerifier.resolveRoot(cacheDir: cache.root, repo: try RepoID("absent"), revision: nil, localDir: nil)) {
            XCTAssertTrue(($0 as? CacheVerifyError)?.message.contains("%download absent") ?? false)
        }
    }

    func testCachedTreeListingIsRead() throws {
        let cache = SyntheticCache()
        let path = cache.root + "/trees.json"
        cache.write(path, #"{"format_version": 1, "files": {"a.bin": {"size": 3, "blob_id": "AB", "lfs_sha256": "CD", "lfs_size": 3}, "b": {"size": 1, "blob_id": "ef"}}}"#)
        XCTAssertEqual(TreeListing.cachedFiles(atPath: path), [
            "a.bin": TreeFile(path: "a.bin", size: 3, blobID: "ab", lfsSHA256: "cd"),
            "b": TreeFile(path: "b", size: 1, blobID: "ef"),
        ])
        cache.write(path, #"{"format_version": 2, "files": {}}"#)
        XCTAssertNil(TreeListing.cachedFiles(atPath: path))
    }

    func testRemoteListingFollowsLinkPagesAndMapsErrors() throws {
        let transport = ScriptedTransport { request in
            if request.url.contains("cursor=2") {
                return HTTPResponse(status: 200, body: Data(#"[{"type":"file","path":"b/c.bin","oid":"11","size":3,"lfs":{"oid":"AA","size":3,"pointerSize":100}}]"#.utf8))
            }
            XCTAssertTrue(request.url.hasPrefix("http://hub.test/api/datasets/org/d/tree/refs%2Fpr%2F1?recursive=true"), request.url)
            var headers = HTTPHeaders()
            headers.add(name: "Link", value: "<http://hub.test/api/datasets/org/d/tree/x?cursor=2>; rel=\"next\"")
            return HTTPResponse(status: 200, headers: headers,
                                body: Data(#"[{"type":"directory","path":"b","oid":"00","size":0},{"type":"file","path":"a","oid":"22","size":1}]"#.utf8))
        }
        let listing = TreeListing(transport: transport, endpoint: "http://hub.test")
        let files = try listing.files(repoID: "org/d", repoType: "dataset", revision: "refs/pr/1")
        XCTAssertEqual(files, ["a": TreeFile(path: "a", size: 1, blobID: "22"),
                               "b/c.bin": TreeFile(path: "b/c.bin", size: 3, blobID: "11", lfsSHA256: "aa")])
        XCTAssertEqual(transport.count, 2)

        let gated = ScriptedTransport { _ in
            var headers = HTTPHeaders(); headers.add(name: "X-Error-Code", value: "GatedRepo")
            return HTTPResponse(status: 403, headers: headers)
        }
        XCTAssertThrowsError(try TreeListing(transport: gated, endpoint: "http://h").files(repoID: "o/m", repoType: "model", revision: "main")) {
            XCTAssertEqual(($0 as? TreeListingError)?.name, "GatedRepoError")
        }
        let missing = ScriptedTransport { _ in HTTPResponse(status: 404) }
        XCTAssertThrowsError(try TreeListing(transport: missing, endpoint: "http://h").files(repoID: "o/m", repoType: "model", revision: "main")) {
            XCTAssertEqual(($0 as? TreeListingError)?.name, "RepositoryNotFoundError")
        }
    }
}

/// Answers each request with a closure and counts them.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    let answer: (HTTPRequest) throws -> HTTPResponse
    private let lock = NSLock()
    private var _count = 0
    var count: Int { lock.withLock { _count } }
    init(_ answer: @escaping (HTTPRequest) throws -> HTTPResponse) { self.answer = answer }
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.withLock { _count += 1 }
        return try answer(request)
    }
}
