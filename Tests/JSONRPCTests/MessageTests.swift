import XCTest
@testable import JSONRPC

final class MessageTests: XCTestCase {
    func testABatchIsRefusedWithOneInvalidRequestAndNothingRuns() {
        let ran = Counter()
        let peer = TestPeer { server in server.onRequest("count") { _, _ in ran.increment(); return nil } }
        peer.initialize()
        peer.writeRaw(TestPeer.frame(Array(#"[{"jsonrpc":"2.0","id":1,"method":"count"},{"jsonrpc":"2.0","id":2,"method":"count"}]"#.utf8)))
        let error = peer.read()
        XCTAssertError(error, code: -32600, id: nil)
        XCTAssertEqual(error?["error"]?["message"]?.stringValue?.contains("batches are not supported"), true)
        XCTAssertTrue(peer.staysQuiet(for: 0.3))
        XCTAssertEqual(ran.value, 0)
    }

    func testNotAnObjectAndWrongVersionAreInvalidRequests() {
        let peer = echoPeer()
        peer.writeRaw(TestPeer.frame(Array("5".utf8)))
        XCTAssertError(peer.read(), code: -32600, id: nil)
        peer.send(["jsonrpc": "1.0", "id": 7, "method": "ping"])
        XCTAssertError(peer.read(), code: -32600, id: 7)
        peer.send(["id": 8, "method": "ping"])
        XCTAssertError(peer.read(), code: -32600, id: 8)
        peer.send(["jsonrpc": "2.0", "id": 1.5, "method": "ping"])
        XCTAssertError(peer.read(), code: -32600, id: nil)
        peer.send(["jsonrpc": "2.0", "id": 9, "method": "ping", "params": "text"])
        XCTAssertError(peer.read(), code: -32600, id: 9)
    }

    func testUnknownMethodsAndDollarRequestsAreMethodNotFound() {
        let peer = echoPeer()
        peer.request(20, "no/such")
        let error = peer.read()
        XCTAssertError(error, code: -32601, id: 20)
        XCTAssertEqual(error?["error"]?["message"], "Method not found: no/such")
        peer.request(21, "$/private")
        XCTAssertError(peer.read(), code: -32601, id: 21)
    }

    func testUnknownNotificationsGetNoResponse() {
        let peer = echoPeer()
        peer.notify("no/such", ["a": 1])
        peer.notify("$/setTrace", ["value": "off"])
        peer.request(22, "ping")
        XCTAssertResult(peer.read(), "pong", id: 22)
    }

    func testStringIdsAreEchoed() {
        let peer = echoPeer()
        peer.send(["jsonrpc": "2.0", "id": "abc", "method": "echo", "params": ["text": "x"]])
        XCTAssertResult(peer.read(), "x", id: "abc")
    }

    func testHandlersValidateParamsAndOtherErrorsAreInternal() {
        struct Broken: Error, CustomStringConvertible { var description: String { "the disk is full" } }
        let peer = TestPeer { server in
            server.onRequest("repo/info") { params, _ in
                guard let repo = params?["repo"]?.stringValue else {
                    throw RPCError.invalidParams("repo must be a string, not \(params?["repo"]?.typeName ?? "missing")")
                }
                return .string(repo)
            }
            server.onRequest("broken") { _, _ in throw Broken() }
        }
        peer.initialize()
        peer.request(30, "repo/info", ["repo": 42])
        let error = peer.read()
        XCTAssertError(error, code: -32602, id: 30)
        XCTAssertEqual(error?["error"]?["message"], "repo must be a string, not number")
        peer.request(31, "repo/info", ["repo": "gpt2"])
        XCTAssertResult(peer.read(), "gpt2", id: 31)
        peer.request(32, "broken")
        let failure = peer.read()
        XCTAssertError(failure, code: -32603, id: 32)
        XCTAssertEqual(failure?["error"]?["message"], "the disk is full")
    }

    func testDecodingResponsesAndErrorCodes() throws {
        let response = try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":3,"error":{"code":-32803,"message":"no","data":{"a":1}}}"#.utf8))
        XCTAssertEqual(response, .response(RPCResponse(id: .int(3), outcome: .failure(RPCError(code: -32803, message: "no", data: ["a": 1])))))
        XCTAssertThrowsError(try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":3}"#.utf8))) { error in
            XCTAssertEqual((error as? MessageDecodingError)?.error.code, -32600)
        }
        XCTAssertEqual([ErrorCode.parseError, ErrorCode.invalidRequest, ErrorCode.methodNotFound, ErrorCode.invalidParams,
                        ErrorCode.internalError, ErrorCode.serverNotInitialized, ErrorCode.unknownErrorCode, ErrorCode.requestFailed,
                        ErrorCode.serverCancelled, ErrorCode.contentModified, ErrorCode.requestCancelled],
                       [-32700, -32600, -32601, -32602, -32603, -32002, -32001, -32803, -32802, -32801, -32800])
    }

    func testLogMessage() {
        let peer = TestPeer { server in
            server.onRequest("work") { _, context in
                context.logMessage(.info, "working")
                return true
            }
        }
        peer.initialize()
        peer.request(40, "work")
        XCTAssertEqual(peer.read(), ["jsonrpc": "2.0", "method": "window/logMessage", "params": ["type": 3, "message": "working"]])
        XCTAssertResult(peer.read(), true, id: 40)
    }

    func testOutgoingTextFilterMasksValuesKeysErrorsAndNotifications() {
        var options = RPCServer.Options()
        options.outgoingTextFilter = { $0.replacingOccurrences(of: "hf_SECRET", with: "hf_***") }
        let peer = TestPeer(options: options) { server in
            server.onRequest("leak") { _, context in
                context.notify("note", params: ["text": "token hf_SECRET"])
                return ["hf_SECRET": "value hf_SECRET", "list": ["hf_SECRET"]]
            }
            server.onRequest("fail") { _, _ in throw RPCError(code: -32803, message: "bad hf_SECRET", data: ["hf_SECRET": 1]) }
        }
        peer.initialize()
        peer.request(50, "leak")
        XCTAssertEqual(peer.read()?["params"], ["text": "token hf_***"])
        XCTAssertResult(peer.read(), ["hf_***": "value hf_***", "list": ["hf_***"]], id: 50)
        peer.request(51, "fail")
        let error = peer.read()
        XCTAssertEqual(error?["error"], ["code": -32803, "message": "bad hf_***", "data": ["hf_***": 1]])
    }
}

/// A thread-safe counter for handlers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

final class LenientDecodingTests: XCTestCase {
    func testNullParamsAndNullErrorAreReadAsAbsent() throws {
        XCTAssertEqual(try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":1,"method":"shutdown","params":null}"#.utf8)),
                       .request(RPCRequest(id: .int(1), method: "shutdown")))
        XCTAssertEqual(try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":2,"result":{"a":1},"error":null}"#.utf8)),
                       .response(RPCResponse(id: .int(2), outcome: .success(["a": 1]))))
        XCTAssertEqual(try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":3,"result":null,"error":{"code":-1,"message":"m"}}"#.utf8)),
                       .response(RPCResponse(id: .int(3), outcome: .failure(RPCError(code: -1, message: "m")))))
        XCTAssertEqual(try RPCMessage.decode(Array(#"{"jsonrpc":"2.0","id":4,"result":null}"#.utf8)),
                       .response(RPCResponse(id: .int(4), outcome: .success(.null))))
    }
}
