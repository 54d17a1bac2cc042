import XCTest
@testable import JSONRPC

final class FramingTests: XCTestCase {
    func testContentLengthCountsUTF8Bytes() {
        let peer = echoPeer()
        let body = Array(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"é😀"}}"#.utf8)
        XCTAssertEqual(body.count, 67)  // 63 characters
        peer.writeRaw(Array("Content-Length: 67\r\n\r\n".utf8) + body)
        let frame = peer.readFrame()
        XCTAssertEqual(frame?.contentLength, 42)  // {"id":1,"jsonrpc":"2.0","result":"é😀"}: 38 characters
        XCTAssertEqual(frame.map { String(decoding: $0.body, as: UTF8.self) }, #"{"id":1,"jsonrpc":"2.0","result":"é😀"}"#)
    }

    func testTwoMessagesInOneWriteAndOneMessageInSingleBytes() {
        let peer = echoPeer()
        let first = TestPeer.frame(Array(#"{"jsonrpc":"2.0","id":1,"method":"echo","params":{"text":"a"}}"#.utf8))
        let second = TestPeer.frame(Array(#"{"jsonrpc":"2.0","id":2,"method":"echo","params":{"text":"b"}}"#.utf8))
        peer.writeRaw(first + second)
        let answers = [peer.read(), peer.read()].compactMap { $0 }
        XCTAssertEqual(Set(answers.map { $0.jsonText }), [#"{"id":1,"jsonrpc":"2.0","result":"a"}"#, #"{"id":2,"jsonrpc":"2.0","result":"b"}"#])

        for byte in TestPeer.frame(Array(#"{"jsonrpc":"2.0","id":3,"method":"echo","params":{"text":"ü"}}"#.utf8)) {
            peer.writeRaw([byte])
        }
        XCTAssertResult(peer.read(), "ü", id: 3)
    }

    func testHeaderNamesAreCaseInsensitiveAndContentTypeIsAccepted() {
        let peer = echoPeer()
        let body = Array(#"{"jsonrpc":"2.0","id":4,"method":"ping"}"#.utf8)
        peer.writeRaw(Array("content-type: application/vscode-jsonrpc; charset=utf-8\r\nCONTENT-LENGTH:\(body.count)\r\n\r\n".utf8) + body)
        XCTAssertResult(peer.read(), "pong", id: 4)
        peer.writeRaw(Array("Content-Length: \(body.count)\r\nContent-Type: application/vscode-jsonrpc; charset=utf8\r\n\r\n".utf8) + body)
        XCTAssertResult(peer.read(), "pong", id: 4)
    }

    func testMissingContentLengthIsAParseErrorAndTheNextMessageIsServed() {
        let peer = echoPeer()
        peer.writeRaw("Content-Type: application/vscode-jsonrpc\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}")
        peer.request(5, "ping")
        XCTAssertError(peer.read(), code: -32700, id: nil)
        XCTAssertResult(peer.read(), "pong", id: 5)
        XCTAssertTrue(peer.staysQuiet(for: 0.3))  // the request under the broken header was not run
    }

    func testNonNumericAndNegativeContentLength() {
        let peer = echoPeer()
        peer.writeRaw("Content-Length: ten\r\n\r\n{}")
        peer.writeRaw("Content-Length: -5\r\n\r\n{}")
        peer.request(6, "ping")
        XCTAssertError(peer.read(), code: -32700, id: nil)
        XCTAssertError(peer.read(), code: -32700, id: nil)
        XCTAssertResult(peer.read(), "pong", id: 6)
    }

    func testTooSmallContentLengthResynchronisesOnTheNextHeader() {
        let peer = echoPeer()
        let body = Array(#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#.utf8)
        peer.writeRaw(Array("Content-Length: \(body.count - 10)\r\n\r\n".utf8) + body)
        peer.request(8, "ping")
        XCTAssertError(peer.read(), code: -32700, id: nil)  // the truncated body
        XCTAssertError(peer.read(), code: -32700, id: nil)  // its tail, taken for a header
        XCTAssertResult(peer.read(), "pong", id: 8)
    }

    func testNonJSONBodyIsAParseErrorWithIdNull() {
        let peer = echoPeer()
        peer.writeRaw(TestPeer.frame(Array("{not json".utf8)))
        let error = peer.read()
        XCTAssertError(error, code: -32700, id: nil)
        XCTAssertEqual(error?["id"], .null)  // present, as null
        peer.writeRaw(TestPeer.frame([]))
        XCTAssertError(peer.read(), code: -32700, id: nil)
        peer.request(9, "ping")
        XCTAssertResult(peer.read(), "pong", id: 9)
    }

    func testAMebibyteHeaderIsRefusedAndTheNextMessageServed() {
        let peer = echoPeer()
        let writer = Thread {
            peer.writeRaw("Content-Length: 20\r\nX-Padding: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n{\"padding\": true}...")
            peer.request(10, "ping")
        }
        writer.start()
        let error = peer.read(timeout: 10)
        XCTAssertError(error, code: -32700, id: nil)
        XCTAssertEqual(error?["error"]?["message"]?.stringValue?.contains("larger than 65536 bytes"), true)
        XCTAssertResult(peer.read(timeout: 10), "pong", id: 10)
    }

    func testABodyAboveTheLimitIsRefusedWithoutReadingIt() {
        var options = RPCServer.Options()
        options.maxBodyBytes = 1000
        let peer = echoPeer(options: options)
        peer.writeRaw("Content-Length: 5000\r\n\r\n" + String(repeating: "x", count: 5000))
        peer.request(11, "ping")
        let error = peer.read()
        XCTAssertError(error, code: -32700, id: nil)
        XCTAssertEqual(error?["error"]?["message"]?.stringValue?.contains("above the limit of 1000 bytes"), true)
        XCTAssertResult(peer.read(), "pong", id: 11)
    }

    func testAnUnsupportedCharsetSkipsExactlyTheBody() {
        let peer = echoPeer()
        let body = Array(#"{"jsonrpc":"2.0","id":12,"method":"ping"}"#.utf8)
        peer.writeRaw(Array("Content-Length: \(body.count)\r\nContent-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n".utf8) + body)
        peer.request(13, "ping")
        let error = peer.read()
        XCTAssertError(error, code: -32700, id: nil)
        XCTAssertEqual(error?["error"]?["message"]?.stringValue?.contains("latin1"), true)
        XCTAssertResult(peer.read(), "pong", id: 13)
    }

    func testEndOfInputInTheMiddleOfABodyEndsTheRunCleanly() {
        let peer = echoPeer()
        peer.writeRaw("Content-Length: 100\r\n\r\n{\"jsonrpc\":")
        peer.closeInput()
        XCTAssertEqual(peer.status(), 1)
        XCTAssertNil(peer.readFrame(timeout: 0.3))
    }

    func testEndOfInputInTheMiddleOfAHeaderAfterShutdownEndsWithZero() {
        let peer = echoPeer()
        peer.request(1, "shutdown")
        XCTAssertResult(peer.read(), .null, id: 1)
        peer.writeRaw("Content-Len")
        peer.closeInput()
        XCTAssertEqual(peer.status(), 0)
    }

    func testConcurrentWritesNeverInterleave() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[0]); close(fds[1]) }
        let writer = MessageWriter(fileDescriptor: fds[1])
        let reader = MessageReader(fileDescriptor: fds[0])
        let text = String(repeating: "y", count: 10_000)
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for index in 0..<50 {
                    writer.send(.notification(RPCNotification(method: "n", params: ["thread": .number(Double(thread)), "index": .number(Double(index)), "text": .string(text)])))
                }
            }
        }
        var seen = 0
        while seen < 400 {
            guard case .message(let body) = reader.next() else { return XCTFail("frame \(seen) is broken") }
            let message = try JSONValue.parse(body)
            XCTAssertEqual(message["params"]?["text"]?.stringValue?.count, 10_000)
            seen += 1
        }
    }
}
