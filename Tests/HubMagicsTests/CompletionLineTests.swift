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

    func testOptionValuesBeforeTheRepoAreNotTakenForIt() throws {
        let root = NSTemporaryDirectory() + "completion-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let commit = String(repeating: "a", count: 40)
        let repo = root + "/cache/datasets--org--data"
        try FileManager.default.createDirectory(atPath: repo + "/refs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo + "/snapshots/" + commit, withIntermediateDirectories: true)
        try commit.write(toFile: repo + "/refs/main", atomically: true, encoding: .utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: repo + "/snapshots/\(commit)/train.csv", contents: Data("x".utf8)))
        let session = MagicSession(environment: HubEnvironment(variables: ["HF_HUB_CACHE": root + "/cache"], homeDirectory: root),
                                   transport: OfflineTransport())
        let completer = MagicCompleter(session: session)
        for code in ["%download --repo-type dataset org/data tr", "%download --repo-type=dataset org/data tr",
                     "%download --revision main --repo-type dataset org/data tr"] {
            XCTAssertEqual(completer.complete(code: code, cursor: code.unicodeScalars.count).matches, ["train.csv"], code)
        }
    }

    func testJoiningOptionValuesLeavesFlagsAlone() throws {
        let spec = try XCTUnwrap(MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"),
                                              transport: OfflineTransport()).registry.magic(named: "download")).spec
        XCTAssertEqual(MagicCompleter.joiningOptionValues(spec: spec, words: ["--dry-run", "org/x", "--revision", "v1", "--include"]),
                       ["--dry-run", "org/x", "--revision=v1", "--include"])
    }
}
