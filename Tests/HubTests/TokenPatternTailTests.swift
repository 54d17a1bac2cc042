import XCTest
@testable import Hub

final class TokenPatternTailTests: XCTestCase {
    let token = "hf_" + String(repeating: "Ab", count: 17)

    func testMasksEveryTokenShapeKnownOrNot() {
        let oauth = "hf_oauth_" + String(repeating: "a1", count: 17)
        let masked = TokenPattern.maskingAll(in: "x \(token) y \(oauth) é")
        XCTAssertEqual(masked, "x \(TokenText.mask(token)) y \(TokenText.mask(oauth)) é")
        XCTAssertEqual(TokenPattern.maskingAll(in: "hf_hub_download and sha256"), "hf_hub_download and sha256")
    }

    func testHoldsBackWhatCouldStartAToken() {
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "token: h"), 1)
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "token: hf_AbAb"), 7)
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "token: " + token), token.utf8.count, "more letters may follow")
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "x api_or"), 6)
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "done\n"), 0)
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "the data"), 0, "an 'a' inside a word starts nothing")
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: "x hf_Ab1"), 0, "a digit ends a user token's chances")
        XCTAssertEqual(TokenPattern.unfinishedTokenLength(atEndOf: ""), 0)
    }
}
