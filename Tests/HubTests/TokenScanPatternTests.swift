import XCTest
@testable import Hub

final class TokenScanPatternTests: XCTestCase {
    private func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return TokenPattern.matches(in: bytes).map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
    }

    func testEveryFormatIsFoundWithItsKind() {
        for (token, pattern) in FakeTokens.everyFormat() {
            let bytes = Array("x = \"\(token)\"\n".utf8)
            let matches = TokenPattern.matches(in: bytes)
            XCTAssertEqual(matches.map(\.pattern), [pattern], token.prefix(8).description)
            XCTAssertEqual(matches.first.map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }, token)
        }
    }

    func testTheScannerFindsWhatTheGuardMasks() {
        let token = FakeTokens.user()
        XCTAssertEqual(found(token), [token], "alone")
        XCTAssertEqual(found("HF_TOKEN=\(token)\n"), [token])
        XCTAssertEqual(found("a\\n\(token)"), [token], "after a string escape")
        XCTAssertEqual(found("x\(token)"), [token], "glued to a letter on the left")
        XCTAssertEqual(found("\(token)7"), [token + "7"], "glued on the right: the whole run")
        XCTAssertEqual(found(String(token.dropLast())), [], "one letter short")
        for text in ["x\(token)", "token_\(token)", "%3D\(token)"] {
            XCTAssertEqual(found(text), [token])
            XCTAssertNotEqual(TokenMasker().mask(text), text, "the guard masks what the scanner finds")
        }
    }

    func testDecoysAreNotFindings() {
        let decoys = [
            "from huggingface_hub import hf_hub_download\nhf_hub_download(repo_id='gpt2', filename='config.json')",
            "hf_token = os.environ[\"HF_TOKEN\"]",
            "env:\n  HF_TOKEN: ${{ secrets.HF_TOKEN }}\n",
            "sha256: " + String(repeating: "ab34", count: 16),
            "commit " + String(repeating: "0f", count: 20),
            "hf_oauth_" + FakeTokens.lettersAndDigits(33),         // one short
            "api_" + FakeTokens.letters(20) + "7" + FakeTokens.letters(20),  // legacy tokens are letters only
            "HF_" + FakeTokens.letters(),                         // case matters
        ]
        for decoy in decoys { XCTAssertEqual(found(decoy), [], decoy.prefix(20).description) }
    }

    func testSeveralTokensAndPositions() {
        let first = FakeTokens.user(), second = FakeTokens.organisation()
        let text = "a \(first) b \(second)"
        let matches = TokenPattern.matches(in: Array(text.utf8))
        XCTAssertEqual(matches.map(\.start), [2, 2 + first.utf8.count + 3])
        XCTAssertEqual(matches.map(\.pattern), [.userAccess, .organisationAPI])
    }

    func testTextFindingsCarryLineNumbers() {
        let token = FakeTokens.legacy()
        let bytes = Array("one\ntwo\n\nkey: \(token)\nfive \(token)\n".utf8)
        let findings = bytes.withUnsafeBufferPointer { FileTokenScanner.textFindings($0, displayPath: "c.yaml") }
        XCTAssertEqual(findings.map(\.place), [.line(4), .line(5)])
        XCTAssertEqual(findings.first?.masked, TokenRedactor.mask(token))
        XCTAssertFalse(findings.first!.description.contains(token))
    }
}

extension TokenScanPatternTests {
    func testTokenAfterATerminalColourCode() {
        let token = FakeTokens.user()
        XCTAssertEqual(found("\u{1B}[0;31m\(token)\u{1B}[0m"), [token])
        XCTAssertEqual(found("\u{1B}[m\(token)"), [token])
        XCTAssertEqual(found("[0m\(token)"), [token], "glued text is found too")
    }
}
