import XCTest
@testable import HubMagics

final class WordSplitterTests: XCTestCase {
    func testSplitsLikeShlex() throws {
        XCTAssertEqual(try WordSplitter.split(#"a  'b c' "d \"e\"" f\ g"#), ["a", "b c", #"d "e""#, "f g"])
        XCTAssertEqual(try WordSplitter.split("  "), [])
        XCTAssertEqual(try WordSplitter.split(#"'' x"#), ["", "x"])
        XCTAssertEqual(try WordSplitter.split("--include='*.json'"), ["--include=*.json"])
    }

    func testUnterminatedQuoteIsAnError() {
        XCTAssertThrowsError(try WordSplitter.split("a 'b")) { XCTAssertEqual($0 as? WordSplitter.UnterminatedQuote, .init(quote: "'")) }
    }

    func testTrailingSpaceIsReported() throws {
        XCTAssertTrue(try WordSplitter.splitKeepingTrailingSpace("a b ").endsBetweenWords)
        XCTAssertFalse(try WordSplitter.splitKeepingTrailingSpace("a b").endsBetweenWords)
    }
}
