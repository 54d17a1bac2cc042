import XCTest
@testable import JSONRPC

final class ClientRequestTests: XCTestCase {
    func testAServerToClientRequestRoundTrip() {
        let peer = TestPeer { server in
            server.onRequest("login") { _, context in
                let choice = try context.sendRequest("window/showMessageRequest", params: ["type": 3, "message": "Log in?", "actions": [["title": "Yes"]]])
                do {
                    _ = try context.sendRequest("hub/askToken")
                    return "unexpected"
                } catch let error as RPCError {
                    return ["choice": choice, "refused": .number(Double(error.code))]
                }
            }
        }
        peer.initialize()
        peer.request(1, "login")
        let ask = peer.read()
        XCTAssertEqual(ask?["method"], "window/showMessageRequest")
        XCTAssertEqual(ask?["id"], 1)  // the server's own id space
        peer.send(["jsonrpc": "2.0", "id": 999, "result": "stray"])  // answers nothing: ignored
        peer.send(["jsonrpc": "2.0", "id": ask?["id"] ?? .null, "result": ["title": "Yes"]])
        let second = peer.read()
        XCTAssertEqual(second?["method"], "hub/askToken")
        XCTAssertEqual(second?["id"], 2)
        peer.send(["jsonrpc": "2.0", "id": 2, "error": ["code": -32800, "message": "dismissed"]])
        XCTAssertResult(peer.read(), ["choice": ["title": "Yes"], "refused": -32800], id: 1)
    }

    func testAWaitingRequestThrowsWhenTheConnectionEnds() {
        let thrown = Box<Error>()
        let done = DispatchSemaphore(value: 0)
        let peer = TestPeer { server in
            server.onRequest("login") { _, context in
                do {
                    _ = try context.sendRequest("hub/askToken")
                } catch {
                    thrown.value = error
                }
                done.signal()
                return nil
            }
        }
        peer.initialize()
        peer.request(1, "login")
        XCTAssertEqual(peer.read()?["method"], "hub/askToken")
        peer.closeInput()
        XCTAssertEqual(peer.status(), 1)
        XCTAssertEqual(done.wait(timeout: .now() + 2), .success)
        XCTAssertTrue(thrown.value is ConnectionClosedError)
        XCTAssertNil(peer.readFrame(timeout: 0.2))  // nothing is written after the run
    }

    func testCancellingTheRequestEndsItsWaitAndCancelsTheClientRequest() {
        let thrown = Box<Error>()
        let peer = TestPeer { server in
            server.onRequest("login") { _, context in
                do {
                    _ = try context.sendRequest("hub/askToken")
                } catch {
                    thrown.value = error
                }
                return nil
            }
        }
        peer.initialize()
        peer.request(1, "login")
        XCTAssertEqual(peer.read()?["id"], 1)
        peer.notify("$/cancelRequest", ["id": 1])
        XCTAssertError(peer.read(), code: -32800, id: 1)
        XCTAssertEqual(peer.read(), ["jsonrpc": "2.0", "method": "$/cancelRequest", "params": ["id": 1]])
        for _ in 0..<100 where thrown.value == nil { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(thrown.value as? RPCError, RPCError.requestCancelled)
    }
}
