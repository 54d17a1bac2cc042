import XCTest
@testable import HubMagics

final class CellParserTests: XCTestCase {
    func testMagicLinesCommentsBlanksAndContinuations() throws {
        let cell = "# log in first\n\n  %whoami --token-name ci\n%download org/m \\\n   --revision v1\r\n"
        let lines = try CellParser.parse(cell).get()
        XCTAssertEqual(lines, [
            MagicLine(name: "whoami", argumentText: "--token-name ci", lineNumber: 3),
            MagicLine(name: "download", argumentText: "org/m    --revision v1", lineNumber: 4),
        ])
    }

    func testNonMagicLineIsASyntaxError() {
        XCTAssertEqual(CellParser.parse("%echo a\nprint(1)").failure, CellParser.SyntaxError(lineNumber: 2, line: "print(1)"))
        XCTAssertNotNil(CellParser.parse("%%bash").failure)
        XCTAssertNotNil(CellParser.parse("% x").failure)
    }

    func testContinuationDetection() {
        XCTAssertTrue(CellParser.endsWithContinuation("%download x \\"))
        XCTAssertFalse(CellParser.endsWithContinuation("%download x"))
    }
}

private extension Result {
    var failure: Failure? { if case .failure(let error) = self { return error }; return nil }
}
