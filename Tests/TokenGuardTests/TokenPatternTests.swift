import XCTest
@testable import TokenGuard

final class TokenPatternTests: XCTestCase {
    private func found(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        return TokenPattern.matches(in: bytes).map { String(decoding: bytes[$0.start..<$0.end], as: UTF8.self) }
    }

    func testEveryShapeWithItsKind() {
        let cases: [(String, TokenPattern)] = [(Fakes.user(), .userAccess), (Fakes.userWithDigits(), .userAccess),
                                               (Fakes.oauthAccess(), .oauthAccess), (Fakes.oauthRefresh(), .oauthRefresh),
                                               (Fakes.organisation(), .organisationAPI), (Fakes.legacy(), .legacyAPI)]
        for (token, kind) in cases {
            let bytes = Array("x = \"\(token)\"".utf8)
            XCTAssertEqual(TokenPattern.matches(in: bytes).map(\.pattern), [kind], token.prefix(9).description)
            XCTAssertEqual(found("x = \"\(token)\""), [token])
        }
    }

    func testFoundWhateverSurroundsIt() {
        for token in Fakes.everyShape {
            let contexts = ["Bearer\(token)", "token_\(token)", "\(token)2", "\(token)_x", "x\(token)y",
                            "\\u200b\(token)", "\u{200B}\(token)", "\\x00\(token)", "\u{0}\(token)", "%3D\(token)",
                            "\u{1B}[2K\(token)", "\u{1B}[38:5:208m\(token)\u{1B}[0m", "\u{201C}\(token)\u{201D}"]
            for text in contexts {
                let matches = found(text)
                XCTAssertEqual(matches.count, 1, "\(text.prefix(12))…")
                XCTAssertTrue(matches.first?.contains(token) == true, "\(text.prefix(12))…: the whole token is in the match")
            }
        }
    }

    func testOrdinaryTextIsNotAToken() {
        let decoys = [
            "from huggingface_hub import hf_hub_download\nhf_hub_download(repo_id='gpt2', filename='config.json')",
            "hf_token = os.environ[\"HF_TOKEN\"]", "env:\n  HF_TOKEN: ${{ secrets.HF_TOKEN }}\n",
            "sha256: " + String(repeating: "ab34", count: 16), "commit " + String(repeating: "0f", count: 20),
            "hf_" + Fakes.lettersAndDigits(33), "hf_oauth_" + Fakes.lettersAndDigits(33), "api_org_" + Fakes.letters(33),
            "HF_" + Fakes.letters(), "hf-" + Fakes.letters(), "hf_" + Fakes.letters(20) + "_" + Fakes.letters(20),
        ]
        for decoy in decoys { XCTAssertEqual(found(decoy), [], decoy.prefix(24).description) }
    }

    func testLegacyTokensAreLettersOnly() {
        XCTAssertEqual(found("api_" + Fakes.letters(10) + "7" + Fakes.letters(30)), [])
        XCTAssertEqual(found("api_" + Fakes.letters(34)).count, 1)
    }

    func testTheWholeRunIsTheMatch() {
        let token = Fakes.user()
        XCTAssertEqual(found(token + "abc9 rest"), [token + "abc9"])
    }

    func testUnfinishedEnds() {
        func unfinished(_ text: String) -> Int { Array(text.utf8).withUnsafeBufferPointer { TokenPattern.unfinishedLength(atEndOf: $0) } }
        XCTAssertEqual(unfinished("Epoch"), 1, "h may begin hf_")
        XCTAssertEqual(unfinished("data"), 1, "a may begin api_")
        XCTAssertEqual(unfinished("token: hf_AbAb"), 7)
        XCTAssertEqual(unfinished("x hf_Ab12"), 7, "digits continue a user token")
        XCTAssertEqual(unfinished("Bearerhf_Ab"), 5, "glued on the left")
        XCTAssertEqual(unfinished("x api_or"), 6)
        XCTAssertEqual(unfinished("x api_Ab1"), 0, "a digit ends a legacy token")
        XCTAssertEqual(unfinished("x hf_oauth_"), 9)
        XCTAssertEqual(unfinished("done\n"), 0)
        XCTAssertEqual(unfinished("50%|█████"), 0)
        let token = Fakes.user()
        XCTAssertEqual(unfinished("t " + token), token.utf8.count, "a whole token that more letters may extend")
    }
}
