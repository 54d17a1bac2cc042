import XCTest
@testable import Hub

final class AuthINIDocumentTests: XCTestCase {
    func testWritesLikeConfigParser() {
        let document = INIDocument(sections: [
            .init(name: "a", fields: [.init("hf_token", "x1")]),
            .init(name: "b c", fields: [.init("hf_token", "x2"), .init("refresh_token", "r"), .init("expires_at", "17")]),
        ])
        XCTAssertEqual(document.text, "[a]\nhf_token = x1\n\n[b c]\nhf_token = x2\nrefresh_token = r\nexpires_at = 17\n\n")
        XCTAssertEqual(INIDocument(sections: [.init(name: "m", fields: [.init("k", "l1\nl2")])]).text, "[m]\nk = l1\n\tl2\n\n")
    }

    func testReadsWhatConfigParserReads() throws {
        let text = """
            # comment
            ; another
            [DEFAULT]
            shared = d

            [work]
            HF_Token = tok1  \r
            note: multi
              line

              more
            extra =
            [ spaced name ]
            hf_token=tok2
            """
        let document = try INIDocument.parse(text)
        XCTAssertEqual(document.sections.map(\.name), ["work", " spaced name "])
        let work = try XCTUnwrap(document["work"])
        XCTAssertEqual(work.fields, [.init("shared", "d"), .init("hf_token", "tok1"), .init("note", "multi\nline\n\nmore"), .init("extra", "")])
        XCTAssertEqual(document[" spaced name "]?["hf_token"], "tok2")
        XCTAssertEqual(document[" spaced name "]?["shared"], "d")
    }

    func testHeaderTakesTheLastBracket() throws {
        XCTAssertEqual(try INIDocument.parse("[a]b]\nk = v\n").sections.map(\.name), ["a]b"])
    }

    func testStrictErrorsMakeTheFileUnreadable() {
        let bad = [
            "k = v\n[a]\n",                       // no section header
            "[a]\nk = 1\n[a]\nj = 2\n",           // section twice
            "[a]\nk = 1\nK = 2\n",                // key twice (keys are case-insensitive)
            "[a]\njust words\n",                  // not key = value
            "[a]\n= value\n",                     // no key
        ]
        for text in bad {
            XCTAssertThrowsError(try INIDocument.parse(text), String(reflecting: text))
        }
    }

    func testRoundTripKeepsUnknownKeys() throws {
        let original = "[other]\nhf_token = t0\nrefresh_token = r0\nexpires_at = 1700000000\ncustom = yes\n\n"
        let document = try INIDocument.parse(original)
        XCTAssertEqual(document.text, original)
    }
}
