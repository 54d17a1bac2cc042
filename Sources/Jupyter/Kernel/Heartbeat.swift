/// The heartbeat channel: a REP socket on its own thread that echoes every ping, so the
/// frontend sees the kernel alive even while a long cell runs.
final class Heartbeat: @unchecked Sendable {
    private let socket: ZMQSocket
    private let log: KernelLog

    init(socket: ZMQSocket, log: KernelLog) {
        self.socket = socket
        self.log = log
    }

    /// The heartbeat thread's body; returns when the context shuts down.
    func run() {
        defer { socket.close() }
        while true {
            do {
                guard let frames = try socket.receive() else { continue }
                try socket.send(frames)
            } catch let error as ZMQError where error.isTerminated {
                return
            } catch {
                log.log("heartbeat: \(error)")
            }
        }
    }
}
