import XCTest
@testable import Hub

final class AuthTokenTextTests: XCTestCase {
    /// `_clean_token`: CR/LF removed anywhere, then `str.strip()`; empty → None.
    func testCleaningMatchesPython() {
        let cases: [(String?, String?)] = [
            (nil, nil),
            ("", nil),
            ("   ", nil),
            ("\n", nil),
            ("\r\n\t ", nil),
            ("hf_abc", "hf_abc"),
            ("  hf_abc  ", "hf_abc"),
            ("hf_abc\n", "hf_abc"),
            ("hf_\r\nabc", "hf_abc"),          // CR/LF inside are removed, not kept
            ("hf_a bc", "hf_a bc"),            // inner spaces stay
            ("\u{A0}hf_abc\u{3000}", "hf_abc"),  // Python whitespace beyond ASCII
            ("\u{1C}hf_abc\u{1F}", "hf_abc"),    // str.isspace() includes the file/group separators
            ("\u{200B}hf_abc", "\u{200B}hf_abc"), // a zero-width space is not whitespace to Python
            ("\thf_abc\u{0B}\u{0C}", "hf_abc"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(TokenText.clean(input), expected, "clean(\(String(reflecting: input)))")
        }
    }

    func testMaskShowsThreeAndFour() {
        XCTAssertEqual(TokenText.mask("hf_abcdefghijklmnopqrstuvwxyz"), "hf_****wxyz")
        XCTAssertEqual(TokenText.mask("abc"), "abc****abc")   // Python slices the same way
        XCTAssertEqual(TokenText.mask(""), "****")
    }
}
