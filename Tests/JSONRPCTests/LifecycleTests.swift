import XCTest
@testable import JSONRPC

final class LifecycleTests: XCTestCase {
    func testRequestsBeforeInitializeGetServerNotInitializedAndNotificationsAreDropped() {
        let heard = Counter()
        let peer = TestPeer { server in
            server.onRequest("ping") { _, _ in "pong" }
            server.onNotification("note") { _ in heard.increment() }
        }
        peer.request(1, "ping")
        XCTAssertError(peer.read(), code: -32002, id: 1)
        peer.notify("note")
        peer.request(2, "shutdown")
        XCTAssertError(peer.read(), code: -32002, id: 2)
        peer.initialize()
        peer.notify("note")
        peer.request(3, "ping")
        XCTAssertResult(peer.read(), "pong", id: 3)
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(heard.value, 1)
    }

    func testInitializeGetsTheParamsAndAnswersTheResult() {
        let seen = Box<InitializeParams>()
        let peer = TestPeer(initialize: { params, _ in
            seen.value = params
            return InitializeResult(capabilities: ["experimental": ["hub": true]], serverInfo: ServerInfo(name: "hubkernel", version: "0.1"))
        })
        let response = peer.initialize(["processId": nil, "clientInfo": ["name": "ipython", "version": "9"],
                                        "capabilities": ["window": ["workDoneProgress": true]], "initializationOptions": ["a": 1]])
        XCTAssertResult(response, ["capabilities": ["experimental": ["hub": true]], "serverInfo": ["name": "hubkernel", "version": "0.1"]], id: 0)
        XCTAssertNil(seen.value?.processId)
        XCTAssertEqual(seen.value?.clientInfo, ClientInfo(name: "ipython", version: "9"))
        XCTAssertEqual(seen.value?.capabilities, ["window": ["workDoneProgress": true]])
        XCTAssertEqual(seen.value?.initializationOptions, ["a": 1])
    }

    func testASecondInitializeIsAnInvalidRequest() {
        let peer = echoPeer()
        peer.request(1, "initialize", ["processId": nil, "capabilities": [:]])
        XCTAssertError(peer.read(), code: -32600, id: 1)
    }

    func testAFailedInitializeLeavesTheServerUninitialized() {
        let attempts = Counter()
        let peer = TestPeer(options: RPCServer.Options(), initialize: { _, _ in
            attempts.increment()
            if attempts.value == 1 { throw RPCError.requestFailed("not yet") }
            return InitializeResult()
        }, configure: { server in server.onRequest("ping") { _, _ in "pong" } })
        peer.request(0, "initialize", ["processId": nil, "capabilities": [:]])
        XCTAssertError(peer.read(), code: -32803, id: 0)
        peer.request(1, "ping")
        XCTAssertError(peer.read(), code: -32002, id: 1)
        peer.request(2, "initialize", ["processId": "x"])
        XCTAssertError(peer.read(), code: -32602, id: 2)
        XCTAssertResult(peer.initialize(), ["capabilities": [:]], id: 0)
        peer.request(3, "ping")
        XCTAssertResult(peer.read(), "pong", id: 3)
    }

    func testShutdownThenRequestsAreInvalidAndExitIsZero() {
        let hooked = Counter()
        let peer = echoPeer()
        peer.server.onShutdown { hooked.increment() }
        peer.request(1, "shutdown")
        XCTAssertResult(peer.read(), .null, id: 1)
        XCTAssertEqual(hooked.value, 1)
        peer.request(2, "ping")
        XCTAssertError(peer.read(), code: -32600, id: 2)
        peer.request(3, "shutdown")
        XCTAssertError(peer.read(), code: -32600, id: 3)
        peer.notify("exit")
        XCTAssertEqual(peer.status(), 0)
        XCTAssertNil(peer.readFrame(timeout: 0.2))
    }

    func testExitWithoutShutdownIsOne() {
        let peer = echoPeer()
        peer.notify("exit")
        XCTAssertEqual(peer.status(), 1)
    }

    func testExitBeforeInitializeIsOne() {
        let peer = echoPeer(initialize: false)
        peer.notify("exit")
        XCTAssertEqual(peer.status(), 1)
    }

    func testEndOfInputWithoutShutdownIsOneAndAfterShutdownZero() {
        let first = echoPeer()
        first.closeInput()
        XCTAssertEqual(first.status(), 1)
        let second = echoPeer()
        second.request(1, "shutdown")
        XCTAssertResult(second.read(), .null, id: 1)
        second.closeInput()
        XCTAssertEqual(second.status(), 0)
    }

    func testTheRunEndsWhenTheParentProcessDies() throws {
        let parent = Process()
        parent.executableURL = URL(fileURLWithPath: "/bin/sleep")
        parent.arguments = ["60"]
        try parent.run()
        var options = RPCServer.Options()
        options.parentCheckInterval = 0.2
        let peer = echoPeer(options: options, initialize: false)
        XCTAssertNotNil(peer.initialize(["processId": .number(Double(parent.processIdentifier)), "capabilities": [:]])?["result"])
        peer.request(1, "ping")
        XCTAssertResult(peer.read(), "pong", id: 1)
        XCTAssertNil(peer.status(timeout: 0.6))  // still running while the parent lives
        parent.terminate()
        parent.waitUntilExit()
        XCTAssertEqual(peer.status(timeout: 3), 1)
    }
}

/// A value set on one thread and read on another.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?
    var value: Value? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
