import CZeroMQ
import Foundation
import XCTest
@testable import Jupyter

/// A minimal Jupyter client over the kernel's own ZeroMQ wrapper, for in-process protocol tests.
final class TestClient {
    let context: ZMQContext
    let session: MessageSession
    let shell, control, stdin, iopub, heartbeat: ZMQSocket
    let identity: [UInt8] = Array("test-client-\(UUID().uuidString)".utf8)

    init(connection: ConnectionInfo) throws {
        let context = try ZMQContext()
        self.context = context
        session = MessageSession(key: connection.key, username: "tester")
        let identity = self.identity
        func socket(_ type: ZMQSocketType, _ channel: Channel, identity: [UInt8]? = nil) throws -> ZMQSocket {
            let socket = try ZMQSocket(context: context, type: type)
            try socket.setOption(ZMQ_LINGER, 0)
            if let identity { try socket.setOption(ZMQ_ROUTING_ID, bytes: identity) }
            if type == .sub { try socket.setOption(ZMQ_SUBSCRIBE, bytes: []) }
            if let publicKey = connection.curvePublicKey, let secretKey = connection.curveSecretKey {
                try socket.makeCurveClient(serverKey: publicKey, publicKey: publicKey, secretKey: secretKey)
            }
            try socket.connect(connection.endpoint(for: channel))
            return socket
        }
        shell = try socket(.dealer, .shell, identity: identity)
        stdin = try socket(.dealer, .stdin, identity: identity)
        control = try socket(.dealer, .control)
        iopub = try socket(.sub, .iopub)
        heartbeat = try socket(.req, .hb)
    }

    func close() {
        for socket in [shell, control, stdin, iopub, heartbeat] { socket.close() }
        context.terminate()
    }

    /// Sends a request; returns its header.
    @discardableResult
    func send(_ msgType: String, _ content: [String: JSONValue], on socket: ZMQSocket, dontWait: Bool = false) throws -> MessageHeader {
        let header = session.makeHeader(msgType)
        try socket.send(session.encode(Message(header: header, content: content)), dontWait: dontWait)
        return header
    }

    /// The next message on `socket` within `timeout` seconds, or nil.
    func receive(_ socket: ZMQSocket, timeout: Double = 5) throws -> Message? {
        guard try ZMQSocket.poll([socket], timeoutMilliseconds: Int(timeout * 1000))[0],
              let frames = try socket.receive(dontWait: true) else { return nil }
        return try session.decode(frames)
    }

    /// iopub messages for `parent` up to and including its idle status.
    func iopubUntilIdle(parent: MessageHeader, timeout: Double = 5) throws -> [Message] {
        var messages: [Message] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard let message = try receive(iopub, timeout: max(0.01, deadline.timeIntervalSinceNow)) else { break }
            guard message.parentHeader["msg_id"]?.stringValue == parent.msgID else { continue }
            messages.append(message)
            if message.msgType == "status", message.content["execution_state"] == "idle" { return messages }
        }
        XCTFail("no idle status for \(parent.msgType) within \(timeout) s; got \(messages.map(\.msgType))")
        return messages
    }

    /// Waits for the iopub_welcome that says the subscription is live.
    func waitForWelcome(timeout: Double = 5) throws -> Message? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let message = try receive(iopub, timeout: 0.1), message.msgType == "iopub_welcome" { return message }
        }
        return nil
    }

    /// Sends a heartbeat ping; true when it is echoed within `timeout`.
    func ping(timeout: Double = 1) throws -> Bool {
        try heartbeat.send([Array("ping".utf8)])
        guard try ZMQSocket.poll([heartbeat], timeoutMilliseconds: Int(timeout * 1000))[0] else { return false }
        return try heartbeat.receive(dontWait: true) == [Array("ping".utf8)]
    }
}
