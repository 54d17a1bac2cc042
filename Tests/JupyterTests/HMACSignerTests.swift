import XCTest
@testable import Jupyter

/// RFC 4231 HMAC-SHA256 vectors, and the constant-time comparison.
final class HMACSignerTests: XCTestCase {
    private func hex(_ bytes: [UInt8]) -> String { String(decoding: HMACSigner.hex(bytes), as: UTF8.self) }

    func testRFC4231Case1() {
        let signer = HMACSigner(key: [UInt8](repeating: 0x0b, count: 20))
        XCTAssertEqual(hex(signer.digest(of: [Array("Hi There".utf8)])),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    func testRFC4231Case2SplitAcrossParts() {
        let signer = HMACSigner(key: Array("Jefe".utf8))
        let parts = [Array("what do ya ".utf8), [], Array("want for ".utf8), Array("nothing?".utf8)]
        XCTAssertEqual(String(decoding: signer.signature(of: parts), as: UTF8.self),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testRFC4231Case6KeyLongerThanBlock() {
        let signer = HMACSigner(key: [UInt8](repeating: 0xaa, count: 131))
        XCTAssertEqual(hex(signer.digest(of: [Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)])),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    func testValidationRejectsAnyChangeAndOtherLengths() {
        let signer = HMACSigner(key: Array("secret".utf8))
        let parts = [Array("{}".utf8), Array("{}".utf8), Array("{}".utf8), Array("{\"a\":1}".utf8)]
        let good = signer.signature(of: parts)
        XCTAssertTrue(signer.isValid(signature: good, of: parts))
        var flipped = good
        flipped[flipped.count - 1] ^= 1
        XCTAssertFalse(signer.isValid(signature: flipped, of: parts))
        XCTAssertFalse(signer.isValid(signature: Array(good.dropLast()), of: parts))
        XCTAssertFalse(signer.isValid(signature: [], of: parts))
        XCTAssertFalse(HMACSigner(key: Array("other".utf8)).isValid(signature: good, of: parts))
    }

    func testConstantTimeEquals() {
        XCTAssertTrue(HMACSigner.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        XCTAssertFalse(HMACSigner.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        XCTAssertFalse(HMACSigner.constantTimeEquals([1, 2, 3], [1, 2]))
        XCTAssertTrue(HMACSigner.constantTimeEquals([], []))
    }
}
