import Foundation

/// The stdin channel: sends `input_request` to the frontend that ran the cell and waits for its
/// `input_reply`, giving up when the cell is interrupted. One prompt at a time, from any thread.
final class StdinChannel: @unchecked Sendable {
    private let socket: ZMQSocket
    private let session: MessageSession
    private let log: KernelLog
    private let lock = NSLock()
    private var closed = false
    /// How often a waiting prompt checks for an interrupt.
    static let interruptPollMilliseconds = 20

    init(socket: ZMQSocket, session: MessageSession, log: KernelLog) {
        self.socket = socket
        self.session = session
        self.log = log
    }

    /// Asks `prompt` (hidden input when `password`) of the client at `identities`, on behalf of `parent`.
    func ask(prompt: String, password: Bool, parent: MessageHeader, identities: [[UInt8]],
             isInterrupted: () -> Bool) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw InputError.interrupted }
        do {
            while try socket.receive(dontWait: true) != nil {}  // stale replies from an earlier, interrupted prompt
            try socket.send(session.encode("input_request", content: ["prompt": .string(prompt), "password": .bool(password)],
                                           parent: parent, identities: identities))
            while true {
                if isInterrupted() { throw InputError.interrupted }
                let ready = try ZMQSocket.poll([socket], timeoutMilliseconds: StdinChannel.interruptPollMilliseconds)
                guard ready[0], let frames = try socket.receive(dontWait: true) else { continue }
                let reply: Message
                do {
                    reply = try session.decode(frames)
                } catch {
                    log.log("stdin: \(error)")
                    continue
                }
                guard reply.msgType == "input_reply" else {
                    log.log("stdin: ignored a '\(reply.msgType)' message while waiting for input_reply")
                    continue
                }
                return reply.content["value"]?.stringValue ?? ""
            }
        } catch let error as ZMQError {
            if !error.isTerminated { log.log("stdin: \(error)") }
            throw InputError.interrupted
        }
    }

    /// Closes the socket; later prompts fail with `InputError.interrupted`.
    func close() {
        lock.withLock {
            closed = true
            socket.close()
        }
    }
}
