import Foundation
import XCTest
@testable import JSONRPC

/// A client driving an `RPCServer` through two pipes: the server runs on its own thread; the test writes raw bytes
/// or frames and reads the server's frames with a timeout.
final class TestPeer {
    let server: RPCServer
    private let toServer: Int32
    private let fromServer: Int32
    private let serverInput: Int32
    private let serverOutput: Int32
    private var inputClosed = false
    private var buffer: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var exitStatus: Int32?

    static let defaultInitialize: RPCServer.InitializeHandler = { _, _ in
        InitializeResult(capabilities: ["hover": true], serverInfo: ServerInfo(name: "test-server", version: "1.0"))
    }

    convenience init(options: RPCServer.Options = RPCServer.Options(), configure: (RPCServer) -> Void = { _ in }) {
        self.init(options: options, initialize: TestPeer.defaultInitialize, configure: configure)
    }

    convenience init(initialize: @escaping RPCServer.InitializeHandler) {
        self.init(options: RPCServer.Options(), initialize: initialize, configure: { _ in })
    }

    init(options: RPCServer.Options, initialize: @escaping RPCServer.InitializeHandler, configure: (RPCServer) -> Void) {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        precondition(pipe(&input) == 0 && pipe(&output) == 0)
        serverInput = input[0]
        toServer = input[1]
        fromServer = output[0]
        serverOutput = output[1]
        server = RPCServer(input: serverInput, output: serverOutput, options: options, initialize: initialize)
        configure(server)
        let server = self.server
        Thread { [self] in
            let status = server.run()
            lock.withLock { exitStatus = status }
            finished.signal()
        }.start()
    }

    deinit {
        server.stop()
        _ = finished.wait(timeout: .now() + 3)
        if !inputClosed { close(toServer) }
        close(serverInput)
        close(fromServer)
        close(serverOutput)
    }

    // MARK: writing

    func writeRaw(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(toServer, raw.baseAddress! + offset, raw.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    func writeRaw(_ text: String) { writeRaw(Array(text.utf8)) }

    static func frame(_ body: [UInt8]) -> [UInt8] { Array("Content-Length: \(body.count)\r\n\r\n".utf8) + body }

    func send(_ message: JSONValue) { writeRaw(TestPeer.frame(message.serialized())) }

    func request(_ id: Int, _ method: String, _ params: JSONValue? = nil) {
        var object: JSONValue = ["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method)]
        if let params, case .object(var fields) = object { fields["params"] = params; object = .object(fields) }
        send(object)
    }

    func notify(_ method: String, _ params: JSONValue? = nil) {
        var object: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { object["params"] = params }
        send(.object(object))
    }

    func closeInput() {
        guard !inputClosed else { return }
        inputClosed = true
        close(toServer)
    }

    /// Sends `initialize` (id 0) and `initialized`; returns the response.
    @discardableResult
    func initialize(_ params: JSONValue = ["processId": nil, "capabilities": [:]]) -> JSONValue? {
        request(0, "initialize", params)
        let response = read()
        notify("initialized", [:])
        return response
    }

    // MARK: reading

    /// The next frame: its Content-Length and body; nil after `timeout` or at end of output.
    func readFrame(timeout: TimeInterval = 5) -> (contentLength: Int, body: [UInt8])? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = headerEnd() {
                let header = String(decoding: buffer[0..<end], as: UTF8.self)
                guard header.hasPrefix("Content-Length: "), let length = Int(header.dropFirst(16)) else {
                    XCTFail("unexpected header: \(header)")
                    return nil
                }
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return (length, body)
                }
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var descriptor = pollfd(fd: fromServer, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(remaining, 1) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = Glibc.read(fromServer, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// The next message, parsed.
    func read(timeout: TimeInterval = 5) -> JSONValue? {
        guard let frame = readFrame(timeout: timeout) else { return nil }
        do {
            return try JSONValue.parse(frame.body)
        } catch {
            XCTFail("the server wrote invalid JSON: \(String(decoding: frame.body, as: UTF8.self))")
            return nil
        }
    }

    /// True when no frame arrives within `interval`.
    func staysQuiet(for interval: TimeInterval) -> Bool {
        guard let frame = readFrame(timeout: interval) else { return true }
        XCTFail("unexpected frame: \(String(decoding: frame.body, as: UTF8.self))")
        return false
    }

    /// The status `run()` returned, waiting up to `timeout` for it.
    func status(timeout: TimeInterval = 5) -> Int32? {
        if lock.withLock({ exitStatus }) == nil, finished.wait(timeout: .now() + timeout) == .success { finished.signal() }
        return lock.withLock { exitStatus }
    }

    private func headerEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// Assertions on responses.
func XCTAssertError(_ message: JSONValue?, code: Int, id: JSONValue, file: StaticString = #filePath, line: UInt = #line) {
    guard let message else { return XCTFail("no response", file: file, line: line) }
    XCTAssertEqual(message["jsonrpc"], "2.0", file: file, line: line)
    XCTAssertEqual(message["id"], id, "id of \(message.jsonText)", file: file, line: line)
    XCTAssertEqual(message["error"]?["code"]?.intValue, code, "code of \(message.jsonText)", file: file, line: line)
    XCTAssertNil(message["result"], file: file, line: line)
}

func XCTAssertResult(_ message: JSONValue?, _ result: JSONValue, id: JSONValue, file: StaticString = #filePath, line: UInt = #line) {
    guard let message else { return XCTFail("no response", file: file, line: line) }
    XCTAssertEqual(message["id"], id, "id of \(message.jsonText)", file: file, line: line)
    XCTAssertEqual(message["result"], result, "result of \(message.jsonText)", file: file, line: line)
    XCTAssertNil(message["error"], file: file, line: line)
}

/// A server with `echo` (returns params.text) and `ping` (returns "pong"), initialized.
func echoPeer(options: RPCServer.Options = RPCServer.Options(), initialize: Bool = true) -> TestPeer {
    let peer = TestPeer(options: options) { server in
        server.onRequest("echo") { params, _ in params?["text"] ?? .null }
        server.onRequest("ping") { _, _ in "pong" }
    }
    if initialize { XCTAssertNotNil(peer.initialize()?["result"]) }
    return peer
}
