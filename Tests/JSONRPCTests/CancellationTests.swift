import XCTest
@testable import JSONRPC

final class CancellationTests: XCTestCase {
    func testCancelIsAnsweredAtOnceWhileOtherRequestsRunAndTheLateResultIsDropped() {
        let release = DispatchSemaphore(value: 0)
        let callbackRan = DispatchSemaphore(value: 0)
        let sawCancelled = Box<Bool>()
        let peer = TestPeer { server in
            server.onRequest("download") { _, context in
                context.onCancel { callbackRan.signal() }
                release.wait()
                sawCancelled.value = context.isCancelled
                return "done"
            }
            server.onRequest("ping") { _, _ in "pong" }
        }
        peer.initialize()
        peer.request(1, "download")
        peer.request(2, "ping")
        XCTAssertResult(peer.read(), "pong", id: 2)  // the download does not hold it up
        peer.notify("$/cancelRequest", ["id": 1])
        XCTAssertError(peer.read(timeout: 2), code: -32800, id: 1)  // while the handler is still blocked
        XCTAssertEqual(callbackRan.wait(timeout: .now() + 2), .success)
        release.signal()
        for _ in 0..<100 where sawCancelled.value == nil { Thread.sleep(forTimeInterval: 0.01) }
        XCTAssertEqual(sawCancelled.value, true)
        XCTAssertTrue(peer.staysQuiet(for: 0.3))  // "done" is never sent: one response per id
        peer.request(3, "ping")
        XCTAssertResult(peer.read(), "pong", id: 3)
    }

    func testCancelOfAnUnknownOrFinishedIdIsIgnored() {
        let peer = echoPeer()
        peer.request(1, "ping")
        XCTAssertResult(peer.read(), "pong", id: 1)
        peer.notify("$/cancelRequest", ["id": 1])
        peer.notify("$/cancelRequest", ["id": "nope"])
        XCTAssertTrue(peer.staysQuiet(for: 0.3))
        peer.request(2, "ping")
        XCTAssertResult(peer.read(), "pong", id: 2)
    }

    func testWorkDoneProgressCancelCancelsTheRequestOwningTheToken() {
        let release = DispatchSemaphore(value: 0)
        let peer = TestPeer { server in
            server.onRequest("download") { _, context in
                context.progress.begin(title: "Downloading", cancellable: true)
                release.wait()
                return "done"
            }
        }
        defer { release.signal() }
        peer.initialize()
        peer.request(1, "download", ["workDoneToken": "tok-1"])
        XCTAssertEqual(peer.read()?["params"], ["token": "tok-1", "value": ["kind": "begin", "title": "Downloading", "cancellable": true]])
        peer.notify("window/workDoneProgress/cancel", ["token": "tok-1"])
        XCTAssertEqual(peer.read()?["params"], ["token": "tok-1", "value": ["kind": "end"]])  // the progress is closed first
        XCTAssertError(peer.read(), code: -32800, id: 1)
    }

    func testAReusedIdWhileInFlightIsRefused() {
        let release = DispatchSemaphore(value: 0)
        let peer = TestPeer { server in server.onRequest("wait") { _, _ in release.wait(); return 1 } }
        peer.initialize()
        peer.request(1, "wait")
        peer.request(1, "wait")
        XCTAssertError(peer.read(), code: -32600, id: 1)
        release.signal()
        XCTAssertResult(peer.read(), 1, id: 1)
    }
}
