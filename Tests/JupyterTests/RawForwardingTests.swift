import XCTest
@testable import Jupyter

/// The relay's path for a message with nothing to mask: checked and read in place (`decodeRaw`), forwarded as it came
/// with a new signature (`forwardedFrames`).
final class RawForwardingTests: XCTestCase {
    private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// A message from the child, signed with the child's key ("child").
    private func childFrames(content: String = #"{"name": "stdout", "text": "hello\n"}"#) -> [ZMQFrame] {
        let parts = [b(#"{"msg_id": "m1", "msg_type": "stream", "username": "u", "session": "s", "date": "d", "version": "5.3"}"#),
                     b(#"{"msg_id": "request-1", "session": "frontend"}"#), b("{}"), b(content)]
        let signature = HMACSigner(key: b("child")).signature(of: parts)
        return ([b("stream.stdout"), WireFrames.delimiter, signature] + parts + [b("buffer")]).map(ZMQFrame.init)
    }

    func testCleanMessageIsForwardedAsItCameAndSignedWithTheKernelsKey() throws {
        let raw = try MessageSession(key: "child").decodeRaw(childFrames())
        XCTAssertEqual(raw.msgType, "stream")
        XCTAssertEqual(raw.parentID, "request-1")
        let kernel = MessageSession(key: "kernel", sessionID: "s", jsonScreen: { { _ in false } })
        let frames = try XCTUnwrap(kernel.forwardedFrames(raw)).map(\.bytes)
        let original = childFrames().map(\.bytes)
        XCTAssertEqual(frames.count, original.count)
        XCTAssertEqual(frames[0], original[0], "the topic")
        XCTAssertNotEqual(frames[2], original[2], "a new signature")
        XCTAssertEqual(Array(frames[3...]), Array(original[3...]), "header, parent, metadata, content and buffers as they came")
        let decoded = try MessageSession(key: "kernel").decode(frames)
        XCTAssertEqual(decoded.content["text"], "hello\n")
        XCTAssertEqual(decoded.parentHeader["msg_id"], "request-1")
    }

    /// With the child's link signed with the kernel's own key, the signature it came with is the kernel's too: it is
    /// kept (a large output is hashed once), and a frontend with that key accepts it.
    func testSameKeyKeepsTheSignatureItCameWith() throws {
        let raw = try MessageSession(key: "child").decodeRaw(childFrames())
        let frames = try XCTUnwrap(MessageSession(key: "child", sessionID: "s", jsonScreen: { { _ in false } }).forwardedFrames(raw)).map(\.bytes)
        let original = childFrames().map(\.bytes)
        XCTAssertEqual(frames, original, "everything as it came, the signature too")
        XCTAssertEqual(try MessageSession(key: "child").decode(frames).content["text"], "hello\n")
        // A key that only starts the same is another key.
        let other = try XCTUnwrap(MessageSession(key: "child2", sessionID: "s", jsonScreen: { { _ in false } }).forwardedFrames(
            try MessageSession(key: "child").decodeRaw(childFrames()))).map(\.bytes)
        XCTAssertNotEqual(other[2], original[2])
        XCTAssertNoThrow(try MessageSession(key: "child2").decode(other))
    }

    /// A large message forwarded with its own signature under the same key still waits for its check: a tampered one
    /// is refused at `confirm`, before anything is sent.
    func testSameKeyLargeTamperedMessageIsStillRefused() throws {
        let large = #"{"name": "stdout", "text": ""# + String(repeating: "x", count: 100_000) + #""}"#
        var tampered = childFrames(content: large).map(\.bytes)
        tampered[6][40] = UInt8(ascii: "y")
        let session = MessageSession(key: "child", sessionID: "s", jsonScreen: { { _ in false } })
        let raw = try session.decodeRaw(tampered.map(ZMQFrame.init), overlappingCheckFrom: 64 * 1024)
        XCTAssertNotNil(session.forwardedFrames(raw), "the frames are made while the check runs")
        XCTAssertThrowsError(try session.confirm(raw)) { XCTAssertEqual($0 as? WireError, .invalidSignature) }
    }

    /// What the screen flags (or a session without a screen) is not forwarded as it came: it must be decoded.
    func testFlaggedOrUnscreenedMessageIsNotForwardedAsItCame() throws {
        let raw = try MessageSession(key: "child").decodeRaw(childFrames(content: #"{"name": "stdout", "text": "flag"}"#))
        let screen: @Sendable (UnsafeRawBufferPointer) -> Bool = { bytes in
            bytes.withMemoryRebound(to: UInt8.self) { String(decoding: $0, as: UTF8.self).contains("flag") }
        }
        XCTAssertNil(MessageSession(key: "kernel", sessionID: "s", jsonScreen: { screen }).forwardedFrames(raw))
        XCTAssertNil(MessageSession(key: "kernel").forwardedFrames(raw))
        XCTAssertEqual(try MessageSession(key: "child").decode(raw).content["text"], "flag")
    }

    /// A message whose header names another session than the kernel's (a hosted kernel that was not told the
    /// kernel's) is not forwarded as it came: it is decoded and published with the kernel's session, since JupyterLab
    /// drops a message whose session differs from the last one it received.
    func testMessageOfAnotherSessionIsNotForwardedAsItCame() throws {
        let raw = try MessageSession(key: "child").decodeRaw(childFrames())
        XCTAssertNotNil(MessageSession(key: "child", sessionID: "s", jsonScreen: { { _ in false } }).forwardedFrames(raw))
        XCTAssertNil(MessageSession(key: "child", sessionID: "kernel-session", jsonScreen: { { _ in false } }).forwardedFrames(raw))
    }

    func testBadSignatureAndMalformedFramesAreRejected() {
        var tampered = childFrames().map(\.bytes)
        tampered[6] = b(#"{"name": "stdout", "text": "changed"}"#)
        XCTAssertThrowsError(try MessageSession(key: "child").decodeRaw(tampered.map(ZMQFrame.init))) {
            XCTAssertEqual($0 as? WireError, .invalidSignature)
        }
        XCTAssertThrowsError(try MessageSession(key: "child").decodeRaw([ZMQFrame(b("no delimiter"))])) {
            XCTAssertEqual($0 as? WireError, .missingDelimiter)
        }
        XCTAssertThrowsError(try MessageSession(key: "child").decodeRaw(Array(childFrames().prefix(5)))) {
            XCTAssertEqual($0 as? WireError, .tooFewFrames(3))
        }
        let session = MessageSession(key: "child")
        XCTAssertNoThrow(try session.decodeRaw(childFrames()))
        XCTAssertThrowsError(try session.decodeRaw(childFrames())) { XCTAssertEqual($0 as? WireError, .replayedSignature) }
    }

    /// A large message's check runs on another thread: nothing is taken from it before `confirm` passed.
    func testOverlappedCheckRejectsATamperedLargeMessageOnConfirm() throws {
        let large = #"{"name": "stdout", "text": ""# + String(repeating: "x", count: 100_000) + #""}"#
        var tampered = childFrames(content: large).map(\.bytes)
        tampered[6][40] = UInt8(ascii: "y")
        let session = MessageSession(key: "child")
        let raw = try session.decodeRaw(tampered.map(ZMQFrame.init), overlappingCheckFrom: 64 * 1024)
        XCTAssertNotNil(raw.pendingCheck)
        XCTAssertThrowsError(try session.confirm(raw)) { XCTAssertEqual($0 as? WireError, .invalidSignature) }
        XCTAssertThrowsError(try session.decode(raw)) { XCTAssertEqual($0 as? WireError, .invalidSignature) }

        let good = try session.decodeRaw(childFrames(content: large), overlappingCheckFrom: 64 * 1024)
        XCTAssertNoThrow(try session.confirm(good))
        XCTAssertEqual(try session.decode(good).content["text"]?.stringValue?.count, 100_000)
        let again = try session.decodeRaw(childFrames(content: large), overlappingCheckFrom: 64 * 1024)
        XCTAssertThrowsError(try session.confirm(again)) { XCTAssertEqual($0 as? WireError, .replayedSignature) }
    }

    /// A frame above the zero-copy size keeps its bytes through a send's shared buffer.
    func testLargeFrameKeepsItsBytes() {
        let bytes = [UInt8](repeating: 7, count: ZMQSocket.zeroCopyBytes + 1)
        let frame = ZMQFrame(bytes)
        XCTAssertEqual(frame.count, bytes.count)
        XCTAssertTrue(frame.equals(bytes))
    }
}
