import Foundation
import XCTest
@testable import TokenGuard

/// `mayHoldSecret(json:)` must say true whenever `mask` would change a string of the decoded JSON, however the JSON
/// writes it; false for ordinary output, so that output is forwarded without parsing.
final class TokenMaskerJSONTests: XCTestCase {
    /// A JSON string literal of `text` as Python's `json.dumps(…, ensure_ascii=False)` writes it (for the texts here).
    private func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\u{1B}", with: "\\u001b") + "\""
    }

    /// `text` with every character written as a `\uXXXX` escape.
    private func escapedLiteral(_ text: String) -> String {
        "\"" + text.unicodeScalars.map { String(format: "\\u%04X", $0.value) }.joined() + "\""
    }

    func testOrdinaryOutputHoldsNoSecret() {
        let masker = TokenMasker(known: [Fakes.shapeless()])
        for text in ["hello\n", "hf_hub_download(repo_id='x')\tHF_TOKEN\n", String(repeating: "x", count: 100_000) + "\n",
                     "\u{1B}[31mred\u{1B}[0m \"quoted\" back\\slash é 漢字 🙂", "api_key = 1234"] {
            let json = "{\"name\": \"stdout\", \"text\": \(literal(text))}"
            XCTAssertFalse(masker.mayHoldSecret(json: json), json.prefix(80).description)
            XCTAssertEqual(masker.mask(text), text, "and mask agrees")
        }
    }

    /// Every token shape and a known secret, plain, glued, after escapes, in keys, escaped whole or by one character.
    func testEverySecretHoweverWrittenIsFound() {
        for secret in Fakes.everyShape + [Fakes.shapeless()] {
            let masker = TokenMasker(known: [secret])
            let middle = secret.index(secret.startIndex, offsetBy: secret.count / 2)
            var oneEscaped = String(secret[..<middle])
            oneEscaped += String(format: "\\u%04x", secret[middle].unicodeScalars.first!.value)
            oneEscaped += String(secret[secret.index(after: middle)...])
            let writings = [
                "{\"text\": \(literal(secret))}",
                "{\"text\": \(literal("Bearer" + secret + "2\n"))}",
                "{\"text\": \(literal("\n\t\u{1B}[2K" + secret))}",
                "{\(literal(secret)): 1}",
                "{\"a\": [{\"b\": \(literal("x " + secret))}]}",
                "{\"text\": \(escapedLiteral(secret))}",
                "{\"text\": \"\(oneEscaped)\"}",
                "{\"text\": \"\\u0068f_\(secret.dropFirst(3))\"}",
            ]
            for json in writings {
                XCTAssertTrue(masker.mayHoldSecret(json: json), json)
            }
        }
    }

    /// An escape JSON does not have, a cut-short one, and a known secret with a character JSON may escape: true.
    func testWhatCannotBeReadIsTakenForASecret() {
        XCTAssertTrue(TokenMasker().mayHoldSecret(json: #"{"text": "a\qb"}"#))
        XCTAssertTrue(TokenMasker().mayHoldSecret(json: #"{"text": "a\u00"#))
        XCTAssertTrue(TokenMasker().mayHoldSecret(json: "{\"text\": \"a\\"))
        XCTAssertTrue(TokenMasker(known: ["pass/word-123"]).mayHoldSecret(json: #"{"text": "nothing"}"#))
        XCTAssertFalse(TokenMasker(known: ["password-123"]).mayHoldSecret(json: #"{"text": "nothing \u00e9"}"#))
        XCTAssertTrue(TokenMasker(known: ["password-123"]).mayHoldSecret(json: #"{"text": "nothing \u002d"}"#),
                      "an escaped character of a known secret")
    }
}
