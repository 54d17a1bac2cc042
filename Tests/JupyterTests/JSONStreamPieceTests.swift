import XCTest
@testable import Jupyter

/// `JSONStreamPiece` reads a stream message's content by its ends: the same name, length and end bytes as decoding it.
final class JSONStreamPieceTests: XCTestCase {
    private func piece(_ json: String, window: Int = 8) -> JSONStreamPiece? {
        var json = json
        return json.withUTF8 { JSONStreamPiece(content: UnsafeRawBufferPointer($0), window: window) }
    }

    func testEndsAndLengthMatchTheDecodedText() throws {
        let texts = ["short", String(repeating: "0123456789", count: 30), "tab\there\nnew \"q\" \\ é漢🙂 \u{1B}[0m end",
                     String(repeating: "a\nb", count: 50) + "\u{1}"]
        for text in texts {
            let json = String(decoding: JSONValue.object(["name": "stdout", "text": .string(text)]).serialized(), as: UTF8.self)
            let read = try XCTUnwrap(piece(json), json)
            let bytes = Array(text.utf8)
            XCTAssertEqual(read.name, "stdout")
            XCTAssertEqual(read.count, bytes.count)
            XCTAssertEqual(Array(read.head.prefix(8)), Array(bytes.prefix(8)))
            XCTAssertEqual(Array(read.tail.suffix(8)), Array(bytes.suffix(8)))
            XCTAssertGreaterThanOrEqual(read.tail.count, min(8, bytes.count))
        }
    }

    func testEscapesSurrogatesOtherMembersAndDuplicates() throws {
        let read = try XCTUnwrap(piece(#"{"x": {"y": [1, "}"]}, "text": "first", "name":"stderr", "n": null, "text": "\u0068f_\ud83d\ude00"}"#))
        XCTAssertEqual(read.name, "stderr")
        XCTAssertEqual(read.head, Array("hf_\u{1F600}".utf8), "the last text wins, as in Python's json")
        XCTAssertEqual(read.count, 7)
    }

    func testAnythingElseIsNotRead() {
        for json in [#"{"name": "stdout"}"#, #"{"text": "a"}"#, #"{"name": 1, "text": "a"}"#, #"{"name": "o", "text": "a\q"}"#,
                     #"{"name": "o", "text": "\ud83d"}"#, #"{"name": "o", "text": "cut"#, #"["name", "text"]"#,
                     #"{"name": "o", "text": "a"} trailing"#, ""] {
            XCTAssertNil(piece(json), json)
        }
    }

    /// Mutated contents: never a crash, and whenever the JSON parser reads a stream content from the bytes, the ends
    /// reader reads the same name, length and ends (or declines).
    func testAgreesWithTheParserOnMutatedContent() throws {
        let seed = Array(#"{"name": "stdout", "text": "a\tb \u00e9\ud83d\ude00 \"q\" \\ \n tail"}"#.utf8)
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]:,"\u0123456789abcdefnrt xé"#.utf8)
        for _ in 0..<3000 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = alphabet.randomElement(using: &generator)!
                case 1: bytes.remove(at: index)
                default: bytes.insert(alphabet.randomElement(using: &generator)!, at: index)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            let read = bytes.withUnsafeBytes { JSONStreamPiece(content: $0, window: 4) }
            guard let parsed = try? JSONValue.parse(bytes), let name = parsed["name"]?.stringValue,
                  let text = parsed["text"]?.stringValue else { continue }
            guard let read else { continue }  // declining is always allowed: the relay then parses
            let textBytes = Array(text.utf8)
            XCTAssertEqual(read.name, name, String(decoding: bytes, as: UTF8.self))
            XCTAssertEqual(read.count, textBytes.count, String(decoding: bytes, as: UTF8.self))
            XCTAssertEqual(Array(read.head.prefix(4)), Array(textBytes.prefix(4)))
            XCTAssertEqual(Array(read.tail.suffix(4)), Array(textBytes.suffix(4)))
        }
    }
}
