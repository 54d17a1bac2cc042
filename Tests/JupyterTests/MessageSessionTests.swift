import XCTest
@testable import Jupyter

final class MessageSessionTests: XCTestCase {
    private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Frames serialized by jupyter_client 8.10's `Session(key=b"secret")` (the reference implementation).
    private var referenceFrames: [[UInt8]] {
        [b("client-1"), b("<IDS|MSG>"), b("e83021bd17287252ea049591f0e4d6d48af693d64425762a0c9842ec84ab94dc"),
         b(#"{"msg_id": "m1", "msg_type": "kernel_info_request", "username": "tester", "session": "abc", "date": "2025-01-02T03:04:05.000006Z", "version": "5.3"}"#),
         b("{}"), b("{}"), b(#"{"x": "é"}"#)]
    }

    func testDecodesAMessageSignedByJupyterClient() throws {
        let message = try MessageSession(key: "secret").decode(referenceFrames)
        XCTAssertEqual(message.identities, [b("client-1")])
        XCTAssertEqual(message.header.msgID, "m1")
        XCTAssertEqual(message.header.msgType, "kernel_info_request")
        XCTAssertEqual(message.header.session, "abc")
        XCTAssertEqual(message.header.date, "2025-01-02T03:04:05.000006Z")
        XCTAssertEqual(message.content, ["x": "é"])
    }

    /// A relayed message the redactor leaves alone goes out with its content bytes as received; one it masks,
    /// or one whose content a relay changed, is serialized again.
    func testUnchangedContentIsResentAsReceivedAndMaskedContentIsNot() throws {
        let session = MessageSession(key: "secret", redact: { $0.replacingOccurrences(of: "hf_secret", with: "hf_****") })
        let received = try MessageSession(key: "secret").decode(referenceFrames)
        XCTAssertEqual(session.encode(received).last, b(#"{"x": "é"}"#), "the original spacing: bytes reused")

        var masked = received
        masked.content = ["x": "token hf_secret"]
        XCTAssertEqual(session.encode(masked).last, b(#"{"x":"token hf_****"}"#))
        var rewritten = received
        rewritten.content["x"] = "other"
        XCTAssertEqual(session.encode(rewritten).last, b(#"{"x":"other"}"#))

        var leaking = referenceFrames
        leaking[6] = b(#"{"x": "hf_secret"}"#)
        leaking[2] = HMACSigner(key: b("secret")).signature(of: Array(leaking[3...6]))
        let relayed = try MessageSession(key: "secret").decode(leaking)
        XCTAssertEqual(session.encode(relayed).last, b(#"{"x":"hf_****"}"#), "a token as received is masked, never reused")
    }

    func testRejectsWrongKeyTamperingAndMissingSignature() {
        XCTAssertThrowsError(try MessageSession(key: "other").decode(referenceFrames)) {
            XCTAssertEqual($0 as? WireError, .invalidSignature)
        }
        var tampered = referenceFrames
        tampered[6] = b(#"{"x": "e"}"#)
        XCTAssertThrowsError(try MessageSession(key: "secret").decode(tampered)) {
            XCTAssertEqual($0 as? WireError, .invalidSignature)
        }
        var unsigned = referenceFrames
        unsigned[2] = []
        XCTAssertThrowsError(try MessageSession(key: "secret").decode(unsigned)) {
            XCTAssertEqual($0 as? WireError, .missingSignature)
        }
    }

    func testRejectsReplay() throws {
        let session = MessageSession(key: "secret")
        XCTAssertNoThrow(try session.decode(referenceFrames))
        XCTAssertThrowsError(try session.decode(referenceFrames)) { XCTAssertEqual($0 as? WireError, .replayedSignature) }
    }

    func testEmptyKeyDisablesSigning() throws {
        let session = MessageSession(key: "")
        var unsigned = referenceFrames
        unsigned[2] = []
        XCTAssertEqual(try session.decode(unsigned).header.msgID, "m1")
        XCTAssertEqual(try session.decode(unsigned).header.msgID, "m1")  // no replay history without a key
        let frames = session.encode("status", content: ["execution_state": "idle"], parent: nil)
        XCTAssertEqual(frames[1], [])
    }

    func testRejectsMalformedParts() {
        let session = MessageSession(key: "")
        func frames(header: String, content: String = "{}") -> [[UInt8]] {
            [b("<IDS|MSG>"), [], b(header), b("{}"), b("{}"), b(content)]
        }
        XCTAssertThrowsError(try session.decode(frames(header: "{not json"))) {
            guard case .malformedJSON(let part, _)? = $0 as? WireError else { return XCTFail("\($0)") }
            XCTAssertEqual(part, "header")
        }
        XCTAssertThrowsError(try session.decode(frames(header: #"{"msg_id": "1", "msg_type": "x"}"#, content: "[1]"))) {
            guard case .malformedJSON(let part, _)? = $0 as? WireError else { return XCTFail("\($0)") }
            XCTAssertEqual(part, "content")
        }
        XCTAssertThrowsError(try session.decode(frames(header: #"{"msg_type": "x"}"#))) {
            XCTAssertEqual($0 as? WireError, .missingHeaderField("msg_id"))
        }
        XCTAssertThrowsError(try session.decode(frames(header: #"{"msg_id": "1"}"#))) {
            XCTAssertEqual($0 as? WireError, .missingHeaderField("msg_type"))
        }
        let small = MessageSession(key: "", maxJSONPartBytes: 10)
        XCTAssertThrowsError(try small.decode(frames(header: #"{"msg_id": "1", "msg_type": "x"}"#))) {
            XCTAssertEqual($0 as? WireError, .partTooLarge(part: "header", bytes: #"{"msg_id": "1", "msg_type": "x"}"#.utf8.count))
        }
    }

    func testEncodeSignsHeaderParentMetadataContentAsJupyterClientChecks() throws {
        let session = MessageSession(key: "secret", sessionID: "kernel-session", username: "kernel")
        let parent = try MessageSession(key: "secret").decode(referenceFrames).header
        let frames = session.encode("kernel_info_reply", content: ["status": "ok"], parent: parent, identities: [b("client-1")])
        XCTAssertEqual(frames[0], b("client-1"))
        XCTAssertEqual(frames[1], WireFrames.delimiter)
        // An independent check with the RFC-verified signer, over the exact frames sent.
        XCTAssertEqual(frames[2], HMACSigner(key: b("secret")).signature(of: Array(frames[3...6])))
        let header = try JSONValue.parse(frames[3])
        XCTAssertEqual(header["msg_type"], "kernel_info_reply")
        XCTAssertEqual(header["session"], "kernel-session")
        XCTAssertEqual(header["version"], .string(jupyterProtocolVersion))
        XCTAssertEqual(header["msg_id"]?.stringValue?.isEmpty, false)
        let parentJSON = try JSONValue.parse(frames[4])
        XCTAssertEqual(parentJSON["msg_id"], "m1")
        XCTAssertEqual(parentJSON["date"], "2025-01-02T03:04:05.000006Z")
        XCTAssertEqual(try JSONValue.parse(frames[6]), ["status": "ok"])
        // And it decodes on the other side (a different session object: its own replay history).
        XCTAssertEqual(try MessageSession(key: "secret").decode(frames).header.msgType, "kernel_info_reply")
    }

    func testHeaderDateIsISO8601WithZoneAndMicroseconds() throws {
        let date = try JSONValue.parse(MessageSession(key: "k").encode("status", content: [:], parent: nil)[2])["date"]!.stringValue!
        XCTAssertNotNil(date.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"#, options: .regularExpression), date)
        XCTAssertEqual(ISO8601Timestamp.string(from: Date(timeIntervalSince1970: 1_735_787_045.000006)), "2025-01-02T03:04:05.000006Z")
        XCTAssertEqual(ISO8601Timestamp.string(from: Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00.000000Z")
        let parsed = ISO8601DateFormatter()
        parsed.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        XCTAssertNotNil(parsed.date(from: date))
    }

    func testParentHeaderKeepsUnknownFields() throws {
        let header = try MessageHeader(json: ["msg_id": "1", "msg_type": "execute_request", "subshell_id": "abc"])
        XCTAssertEqual(header.json["subshell_id"], "abc")
        XCTAssertEqual(header.json["msg_id"], "1")
    }

    func testRedactsOutgoingContentAndMetadata() throws {
        let session = MessageSession(key: "", redact: { $0.replacingOccurrences(of: "TOPSECRET", with: "[redacted]") })
        let frames = session.encode("stream", content: ["name": "stdout", "text": "token TOPSECRET here"], parent: nil,
                                    metadata: ["note": ["TOPSECRET"]])
        XCTAssertEqual(try JSONValue.parse(frames[5]), ["name": "stdout", "text": "token [redacted] here"])
        XCTAssertEqual(try JSONValue.parse(frames[4]), ["note": ["[redacted]"]])
    }
}

final class ReplayGuardTests: XCTestCase {
    func testRemembersAndStaysBounded() {
        let guardian = ReplayGuard(capacity: 100)
        XCTAssertTrue(guardian.admit([1]))
        XCTAssertFalse(guardian.admit([1]))
        for value in 0..<1000 { _ = guardian.admit(Array(String(value).utf8) + [0xff]) }
        XCTAssertLessThanOrEqual(guardian.count, 100)
        XCTAssertGreaterThanOrEqual(guardian.count, 80)
    }

    func testZeroCapacityRemembersNothing() {
        let guardian = ReplayGuard(capacity: 0)
        XCTAssertTrue(guardian.admit([1]))
        XCTAssertTrue(guardian.admit([1]))
    }
}

final class MessageIDTests: XCTestCase {
    func testMessageIDsAreUniqueAcrossThreads() {
        let session = MessageSession(key: "k")
        let lock = NSLock()
        var ids = Set<String>()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let local = (0..<500).map { _ in session.makeHeader("status").msgID }
            lock.withLock { ids.formUnion(local) }
        }
        XCTAssertEqual(ids.count, 4000)
        XCTAssertTrue(ids.allSatisfy { $0.hasPrefix(session.sessionID + "_") })
    }
}
