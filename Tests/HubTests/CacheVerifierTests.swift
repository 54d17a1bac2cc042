import Foundation
import XCTest
@testable import Hub

final class CacheVerifierTests: XCTestCase {
    // Known digests: `printf 'hello\n' | git hash-object --stdin` and sha256("abc").
    let helloBlob = "ce013625030ba8dba906f756967f9e9ca394464a"
    let abcSHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    func remote() -> [String: RepoFileEntry] {
        ["hello.txt": RepoFileEntry(path: "hello.txt", size: 6, blobID: helloBlob),
         "w/abc.bin": RepoFileEntry(path: "w/abc.bin", size: 3, blobID: "0000", lfsSHA256: abcSHA256.uppercased()),
         "gone.txt": RepoFileEntry(path: "gone.txt", size: 1, blobID: "1111")]
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
}

/// Answers each request with a closure and counts the requests.
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
