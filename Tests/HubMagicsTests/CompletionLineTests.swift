import Hub
import XCTest
@testable import HubMagics

/// Completion on lines a frontend really sends: `\\` continuations (the console's is_complete asks for
/// more lines) and `--option=value` words.
final class CompletionLineTests: XCTestCase {
    let completer = MagicCompleter(session: MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"),
                                                         transport: OfflineTransport()))

    func testContinuationLinesBelongToTheMagicAbove() {
        let code = "%echo a\n%download org/repo \\\n  --repo-type da"
        let completion = completer.complete(code: code, cursor: code.unicodeScalars.count)
        XCTAssertEqual(completion.matches, ["dataset"])
        XCTAssertEqual(completion.start, code.unicodeScalars.count - 2)
        let flags = "%download org/repo \\\n  --include '*.json' \\\n  --dry"
        XCTAssertEqual(completer.complete(code: flags, cursor: flags.unicodeScalars.count).matches, ["--dry-run"])
    }

    func testAnEscapedBackslashDoesNotContinue() {
        let code = "%echo a\\\\\n  --s"
        XCTAssertEqual(completer.complete(code: code, cursor: code.unicodeScalars.count).matches, [], "a new line that is not a magic")
    }

    func testMagicLineOffsets() {
        XCTAssertEqual(MagicCompleter.magicLine(endingWith: "%echo é\n%download x \\\n  --rev").text, "%download x    --rev")
        XCTAssertEqual(MagicCompleter.magicLine(endingWith: "%echo é\n%download x \\\n  --rev").start, 8)
        XCTAssertEqual(MagicCompleter.magicLine(endingWith: "%dow").start, 0)
    }

    func testOptionEqualsValue() {
        let code = "%download org/repo --repo-type=d"
        let completion = completer.complete(code: code, cursor: code.unicodeScalars.count)
        XCTAssertEqual(completion.matches, ["--repo-type=dataset"])
        XCTAssertEqual(completion.start, "%download org/repo ".unicodeScalars.count)
        XCTAssertEqual(completer.complete(code: "%download x --dry-run=", cursor: 22).matches, [], "flags take no value")
    }
}
