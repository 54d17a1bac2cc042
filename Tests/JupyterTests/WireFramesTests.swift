import XCTest
@testable import Jupyter

final class WireFramesTests: XCTestCase {
    private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testSplitsIdentitiesPartsAndBuffers() throws {
        let frames = [b("id1"), b("id2"), b("<IDS|MSG>"), b("sig"), b("{h}"), b("{p}"), b("{m}"), b("{c}"), [0, 1, 2], []]
        let wire = try WireFrames(frames: frames)
        XCTAssertEqual(wire.identities, [b("id1"), b("id2")])
        XCTAssertEqual(wire.signature, b("sig"))
        XCTAssertEqual(wire.signedParts, [b("{h}"), b("{p}"), b("{m}"), b("{c}")])
        XCTAssertEqual(wire.buffers, [[0, 1, 2], []])
        XCTAssertEqual(wire.frames, frames)
    }

    func testNoIdentitiesNoBuffers() throws {
        let wire = try WireFrames(frames: [b("<IDS|MSG>"), [], b("h"), b("p"), b("m"), b("c")])
        XCTAssertEqual(wire.identities, [])
        XCTAssertEqual(wire.signature, [])
        XCTAssertEqual(wire.buffers, [])
    }

    func testSplitsAtFirstDelimiterOnly() throws {
        let wire = try WireFrames(frames: [b("id"), b("<IDS|MSG>"), b("s"), b("h"), b("p"), b("m"), b("c"), b("<IDS|MSG>")])
        XCTAssertEqual(wire.buffers, [b("<IDS|MSG>")])
    }

    func testMissingDelimiter() {
        XCTAssertThrowsError(try WireFrames(frames: [b("id"), b("s"), b("h"), b("p"), b("m"), b("c")])) {
            XCTAssertEqual($0 as? WireError, .missingDelimiter)
        }
    }

    func testTooFewFrames() {
        XCTAssertThrowsError(try WireFrames(frames: [b("id"), b("<IDS|MSG>"), b("s"), b("h"), b("p"), b("m")])) {
            XCTAssertEqual($0 as? WireError, .tooFewFrames(4))
        }
    }
}
