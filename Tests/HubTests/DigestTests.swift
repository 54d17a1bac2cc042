import Foundation
import XCTest
@testable import Hub

final class DigestTests: XCTestCase {
    func testKnownVectors() {
        XCTAssertEqual(Digest.hex(.sha256, of: Data()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.hex(.sha256, of: Data("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.hex(.sha1, of: Data("abc".utf8)), "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    func testStreamingEqualsOneShot() {
        let data = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var digest = Digest(.sha256)
        for start in stride(from: 0, to: data.count, by: 4096) { digest.update(data[start..<min(start + 4096, data.count)]) }
        let streamed = digest.finalize()
        XCTAssertEqual(streamed, Digest.hex(.sha256, of: data))
    }

    func testGitBlobIDMatchesGit() {
        // `printf 'hello\n' | git hash-object --stdin`
        XCTAssertEqual(Digest.gitBlobID(of: Data("hello\n".utf8)), "ce013625030ba8dba906f756967f9e9ca394464a")
        XCTAssertEqual(Digest.gitBlobID(of: Data()), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
    }
}
