import XCTest
@testable import Jupyter

/// Holds a trailing "h" of each stream until the next piece, `release`, or one second.
private final class HoldingH: StreamTextFilter {
    var held: [String: (text: String, since: Double)] = [:]

    func admit(_ text: String, parent: String, name: String, now: Double) -> String {
        let key = parent + "/" + name
        let combined = (held.removeValue(forKey: key)?.text ?? "") + text
        guard combined.hasSuffix("h") else { return combined }
        held[key] = ("h", now)
        return String(combined.dropLast())
    }

    func release(parent: String?) -> [HeldStreamText] {
        let keys = held.keys.filter { parent == nil || $0.hasPrefix(parent! + "/") }.sorted()
        return keys.map { key in
            let parts = key.split(separator: "/")
            return HeldStreamText(parent: String(parts[0]), name: String(parts[1]), text: held.removeValue(forKey: key)!.text)
        }
    }

    func expire(now: Double) -> [HeldStreamText] {
        guard let deadline = nextDeadline, deadline <= now else { return [] }
        return release(parent: nil)
    }

    var nextDeadline: Double? { held.values.map { $0.since + 1 }.min() }
}

final class StreamHoldbackTests: XCTestCase {
    private func stream(_ text: String, id: String = "m1", name: String = "stdout") -> Message {
        Message(header: MessageHeader(msgID: id, msgType: "stream", username: "u", session: "s", date: "d"),
                content: ["name": .string(name), "text": .string(text)])
    }

    func testHeldTextGoesInFrontOfTheNextPiece() {
        var holdback = StreamHoldback(filter: HoldingH())
        XCTAssertEqual(holdback.admit(stream("Epoch"), parent: "p", now: 0)?.content["text"], "Epoc")
        let second = holdback.admit(stream(" 2\n", id: "m2"), parent: "p", now: 0)
        XCTAssertEqual(second?.content["text"], "h 2\n")
        XCTAssertEqual(second?.header.msgID, "m2")
        XCTAssertTrue(holdback.release(parent: "p").isEmpty)
    }

    func testAPieceAllHeldSendsNothingAndItsTextComesBackAsTheStreamsMessage() {
        var holdback = StreamHoldback(filter: HoldingH())
        XCTAssertNil(holdback.admit(stream("h", id: "m7", name: "stderr"), parent: "p", now: 0))
        let released = holdback.release(parent: "p")
        XCTAssertEqual(released.map { $0.content["text"] }, ["h"])
        XCTAssertEqual(released.first?.header.msgID, "m7-held")
        XCTAssertEqual(released.first?.content["name"], "stderr")
    }

    func testHeldTextExpiresAtTheFiltersDeadline() {
        var holdback = StreamHoldback(filter: HoldingH())
        _ = holdback.admit(stream("h"), parent: "p", now: 10)
        XCTAssertEqual(holdback.millisecondsToNextDeadline(now: 10.25), 750)
        XCTAssertTrue(holdback.expire(now: 10.5).isEmpty)
        XCTAssertEqual(holdback.expire(now: 11).map { $0.content["text"] }, ["h"])
        XCTAssertEqual(holdback.millisecondsToNextDeadline(now: 11), -1)
    }

    func testTextWithNothingToHoldPassesUnchangedAndNoFilterHoldsNothing() {
        var holdback = StreamHoldback(filter: HoldingH())
        let message = stream("plain\n")
        XCTAssertEqual(holdback.admit(message, parent: "p"), message)
        var unfiltered = StreamHoldback(filter: nil)
        XCTAssertEqual(unfiltered.admit(stream("h"), parent: "p"), stream("h"))
        XCTAssertTrue(unfiltered.release(parent: nil).isEmpty)
    }
}
