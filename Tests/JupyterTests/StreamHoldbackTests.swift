import XCTest
@testable import Jupyter

final class StreamHoldbackTests: XCTestCase {
    private func stream(_ text: String, id: String = "m1", name: String = "stdout") -> Message {
        Message(header: MessageHeader(msgID: id, msgType: "stream", username: "u", session: "s", date: "d"),
                content: ["name": .string(name), "text": .string(text)])
    }

    /// Holds back a trailing "hf_…" run, as the redactor's tail function says.
    private let tail: (String) -> Int = { text in
        guard let range = text.range(of: "hf_", options: .backwards) else { return text.hasSuffix("h") ? 1 : 0 }
        let after = text[range.upperBound...]
        return after.allSatisfy(\.isLetter) ? text.utf8.distance(from: range.lowerBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) : 0
    }

    func testATailIsJoinedToTheNextPieceOfTheSameStream() {
        var holdback = StreamHoldback()
        let first = holdback.admit(stream("token hf_Ab"), parent: "p", tailLength: tail)
        XCTAssertEqual(first?.content["text"], "token ")
        let second = holdback.admit(stream("cd rest\n", id: "m2"), parent: "p", tailLength: tail)
        XCTAssertEqual(second?.content["text"], "hf_Abcd rest\n")
        XCTAssertEqual(second?.header.msgID, "m2")
        XCTAssertTrue(holdback.release(parent: "p").isEmpty)
    }

    func testStreamsAndParentsAreHeldApartAndReleasedAtTheEnd() {
        var holdback = StreamHoldback()
        XCTAssertNil(holdback.admit(stream("h"), parent: "p", tailLength: tail))
        XCTAssertEqual(holdback.admit(stream("err\n", name: "stderr"), parent: "p", tailLength: tail)?.content["text"], "err\n")
        XCTAssertNil(holdback.admit(stream("hf_x"), parent: "q", tailLength: tail))
        let released = holdback.release(parent: "p")
        XCTAssertEqual(released.map { $0.content["text"] }, ["h"])
        XCTAssertEqual(holdback.release(parent: nil).map { $0.content["text"] }, ["hf_x"])
    }

    func testTextWithNothingToHoldPassesUnchanged() {
        var holdback = StreamHoldback()
        let message = stream("plain\n")
        XCTAssertEqual(holdback.admit(message, parent: "p", tailLength: tail), message)
    }
}
