import XCTest
@testable import Jupyter

final class JSONTests: XCTestCase {
    func testParsesEveryKind() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""} "#)
        XCTAssertEqual(value, .object(["a": .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]),
                                       "b": .object(["c": .string("d")]), "e": .string("")]))
    }

    func testStringEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83e\udd17 ü""#)
        XCTAssertEqual(value, .string("q\" b\\ s/ \u{08}\u{0C}\n\r\t é 🤗 ü"))
    }

    /// Long strings: escapes at the edges, between runs, and a 3 MB text (the relay's stream messages are this shape).
    func testLongStringsWithEscapesRoundTrip() throws {
        let line = String(repeating: "x", count: 1023) + "\n"
        let big = "\"" + String(repeating: line, count: 3 * 1024) + "\t\u{e9}"
        let value = JSONValue.string(big)
        XCTAssertEqual(try JSONValue.parse(value.serialized()), value)
        XCTAssertEqual(value.serialized().count, big.utf8.count + 2 + 3 * 1024 + 2)  // quotes; \n, \" and \t take 2 bytes
        let parsed = try JSONValue.parse(#"["\n", "a\\", "\u0041b", "", "\"\""]"#)
        let expected: JSONValue = .array([.string("\n"), .string("a\\"), .string("Ab"), .string(""), .string("\"\"")])
        XCTAssertEqual(parsed, expected)
        for broken in [#""abc\u00"#, #""\u12""#, #""ab\"#, #""a\qb""#] {
            XCTAssertThrowsError(try JSONValue.parse(broken), broken)
        }
    }

    func testLoneSurrogateBecomesReplacementCharacter() throws {
        XCTAssertEqual(try JSONValue.parse(#""\ud800x""#), .string("\u{FFFD}x"))
    }

    func testSerializesCompactSortedAndEscaped() {
        let value: JSONValue = ["b": 1, "a": ["x\"\n\u{01}é", 2.5, nil, true]]
        XCTAssertEqual(value.jsonText, #"{"a":["x\"\n\u0001é",2.5,null,true],"b":1}"#)
    }

    func testRoundTripThroughFoundation() throws {
        let value: JSONValue = ["text": "tab\tquote\" 🤗", "n": 12345678901, "f": 0.1, "list": [[:], []]]
        let foundation = try JSONSerialization.jsonObject(with: Data(value.serialized())) as! [String: Any]
        XCTAssertEqual(foundation["text"] as? String, "tab\tquote\" 🤗")
        XCTAssertEqual((foundation["n"] as? NSNumber)?.int64Value, 12345678901)
        XCTAssertEqual((foundation["f"] as? NSNumber)?.doubleValue, 0.1)
        XCTAssertEqual(try JSONValue.parse(value.serialized()), value)
    }

    func testIntegersParseExactlyOnTheFastPathAndBeyondIt() throws {
        let cases: [(String, Double)] = [("0", 0), ("7", 7), ("-42", -42), ("999999999999999", 999_999_999_999_999),
                                         ("1234567890123456789", 1234567890123456789), ("-1234567890123456", -1234567890123456),
                                         ("10e2", 1000), ("-0.5", -0.5)]
        for (text, expected) in cases {
            XCTAssertEqual(try JSONValue.parse("[\(text)]"), .array([.number(expected)]), text)
        }
        guard case .number(let negativeZero) = try JSONValue.parse("-0") else { return XCTFail("-0 is a number") }
        XCTAssertEqual(negativeZero.sign, .minus)
        XCTAssertEqual(try JSONValue.parse(#"{"plain": "ascii é 🤗", "k": "v"}"#), .object(["plain": "ascii é 🤗", "k": "v"]))
    }

    func testRejectsMalformedInput() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "-01", "-", "00", "+1", "1.", "tru", "\"unterminated", "[1] x", "{'a': 1}",
                     "\"bad \\x escape\"", "\"control \u{01} char\""] {
            XCTAssertThrowsError(try JSONValue.parse(text), text)
        }
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try JSONValue.parse(deep)) { error in
            XCTAssertTrue(String(describing: error).contains("nesting"))
        }
        XCTAssertNoThrow(try JSONValue.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
    }

    func testPrettyPrintedParsesBack() throws {
        let value: JSONValue = ["argv": ["a", "b"], "metadata": ["x": []], "n": 1]
        XCTAssertEqual(try JSONValue.parse(value.prettyPrinted()), value)
        XCTAssertTrue(String(decoding: value.prettyPrinted(), as: UTF8.self).contains("\n  \"argv\": [\n    \"a\""))
    }

    func testMappingStringsReachesNestedValuesButNotKeys() {
        let value: JSONValue = ["secret": ["secret", ["k": "a secret"]], "n": 1]
        let mapped = value.mappingStrings { $0.replacingOccurrences(of: "secret", with: "***") }
        XCTAssertEqual(mapped, ["secret": ["***", ["k": "a ***"]], "n": 1])
    }
}
