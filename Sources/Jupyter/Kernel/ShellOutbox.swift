import CZeroMQ
import Foundation

/// Replies made off the shell thread (a subshell's, whose requests run alongside the main shell's), handed to the
/// shell thread, which sends them on the shell socket: a ZeroMQ socket is used by one thread only.
final class ShellOutbox: @unchecked Sendable {
    private let lock = NSLock()
    private let sender: ZMQSocket
    /// Readable when replies wait: the shell thread polls it with the shell socket.
    let receiver: ZMQSocket

    init(context: ZMQContext) throws {
        let endpoint = "inproc://hubkernel-shell-outbox-\(UUID().uuidString)"
        receiver = try ZMQSocket(context: context, type: .pull)
        sender = try ZMQSocket(context: context, type: .push)
        for socket in [receiver, sender] { try socket.setOption(ZMQ_LINGER, 0) }
        try receiver.setOption(ZMQ_RCVHWM, 0)
        try sender.setOption(ZMQ_SNDHWM, 0)
        try receiver.bind(endpoint)
        try sender.connect(endpoint)
    }

    /// Queues a signed message (identities first) for the shell socket. Any thread.
    func post(_ frames: [[UInt8]]) {
        lock.withLock { _ = try? sender.send(frames, dontWait: true) }
    }

    /// Sends every queued message on `shell`. Shell thread only.
    func flush(to shell: ZMQSocket) {
        while let frames = try? receiver.receive(dontWait: true) {
            try? shell.send(frames)
        }
    }

    func close() {
        lock.withLock { sender.close() }
        receiver.close()
    }
}
