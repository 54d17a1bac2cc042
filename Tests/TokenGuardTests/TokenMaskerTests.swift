import XCTest
@testable import TokenGuard

final class TokenMaskerTests: XCTestCase {
    func testKnownSecretsWhereverTheirBytesOccur() {
        let secret = Fakes.shapeless()
        let masker = TokenMasker(known: [secret + "\n"])
        for text in ["Bearer\(secret)", "\(secret)2", "x\(secret)y", "é\(secret)😀"] {
            let masked = masker.mask(text)
            XCTAssertFalse(masked.contains(secret), text)
            XCTAssertTrue(masked.contains(TokenMask.inText(secret)), masked)
        }
    }

    func testShapesAreMaskedUnknownAndKnownSecretsOverlappingAreOneMask() {
        let token = Fakes.userWithDigits()
        XCTAssertEqual(TokenMasker().mask("a \(token) b"), "a \(TokenMask.short(token)) b")
        let masker = TokenMasker(known: [token])
        XCTAssertEqual(masker.mask("\(token)xyz"), TokenMask.short(token + "xyz"), "the known token and the longer run are one")
        XCTAssertEqual(TokenMasker(knownOnly: [String]()).mask(token), token, "shapes off")
    }

    func testShortAndBlankSecretsAreIgnored() {
        let masker = TokenMasker(known: ["abc", "   ", "\n"])
        XCTAssertTrue(masker.known.isEmpty)
        XCTAssertEqual(masker.mask("abc"), "abc")
    }

    func testUnfinishedKnownSecret() {
        let secret = Fakes.shapeless()
        let masker = TokenMasker(known: [secret])
        func unfinished(_ text: String) -> Int { Array(text.utf8).withUnsafeBufferPointer { masker.unfinishedLength(atEndOf: $0) } }
        XCTAssertEqual(unfinished("x " + secret.prefix(9)), 9)
        XCTAssertEqual(unfinished("x " + secret.prefix(1)), 1)
        XCTAssertEqual(unfinished("x " + secret + "\n"), 0)
    }

    func testStoredTokensFieldsAreFound() {
        let text = "[laptop]\nhf_token = one-secret-value\nrefresh_token: two-secret-value\nexpires_at = 1\n"
        XCTAssertEqual(TokenSources.storedSecrets(in: text).map { String(TokenMasker.trimmed($0)) }, ["one-secret-value", "two-secret-value"])
    }

    func testPathsAsPythonDerivesThem() {
        XCTAssertEqual(TokenSources.tokenPath(variables: [:], userHome: "/home/u"), "/home/u/.cache/huggingface/token")
        XCTAssertEqual(TokenSources.tokenPath(variables: ["XDG_CACHE_HOME": "/x"], userHome: "/h"), "/x/huggingface/token")
        XCTAssertEqual(TokenSources.tokenPath(variables: ["HF_HOME": "~/hf"], userHome: "/h"), "/h/hf/token")
        XCTAssertEqual(TokenSources.tokenPath(variables: ["HF_TOKEN_PATH": "$D/t", "D": "/d"], userHome: "/h"), "/d/t")
        XCTAssertEqual(TokenSources.storedTokensPath(tokenPath: "/d/t"), "/d/stored_tokens")
        XCTAssertEqual(TokenSources.storedTokensPath(tokenPath: "t"), "stored_tokens")
        XCTAssertEqual(TokenSources.storedTokensPath(tokenPath: "/t"), "/stored_tokens")
    }
}
