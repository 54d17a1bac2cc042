import CZeroMQ
import Foundation

/// The iopub channel: an XPUB socket any thread publishes on directly, one at a time (under `lock`), so a message
/// leaves without waking another thread first. The publisher thread answers subscriptions: each new subscriber gets an
/// `iopub_welcome`, as ipykernel 7 sends, so clients know when iopub is live. It polls the XPUB's signal descriptor
/// (never the socket while another thread may use it) and an inproc queue that wakes it: when a publishing thread's
/// send took in the news of a subscription, and to stop.
final class IOPubPublisher: @unchecked Sendable {
    private let xpub: ZMQSocket
    private let queueOut: ZMQSocket  // PULL, read by the publisher thread
    private let queueIn: ZMQSocket   // PUSH, written by any thread under `lock`
    /// Held for every use of `xpub` and `queueIn`.
    private let lock = NSLock()
    private var stopped = false
    private let session: MessageSession
    private let log: KernelLog
    private let finished = DispatchSemaphore(value: 0)
    private static let stopSentinel: [[UInt8]] = [[0]]
    private static let wakeSentinel: [[UInt8]] = [[1]]

    init(context: ZMQContext, xpub: ZMQSocket, session: MessageSession, log: KernelLog) throws {
        self.xpub = xpub
        self.session = session
        self.log = log
        let endpoint = "inproc://hubkernel-iopub-\(UUID().uuidString)"
        queueOut = try ZMQSocket(context: context, type: .pull)
        queueIn = try ZMQSocket(context: context, type: .push)
        try queueOut.setOption(ZMQ_RCVHWM, 0)
        try queueIn.setOption(ZMQ_SNDHWM, 0)
        try queueIn.setOption(ZMQ_LINGER, 0)
        try queueOut.setOption(ZMQ_LINGER, 0)
        try queueOut.bind(endpoint)
        try queueIn.connect(endpoint)
    }

    /// Publishes a message (from any thread). Dropped silently once the kernel is stopping. `constant`: its content
    /// is the kernel's own constant, which skips the filter (`MessageSession.encode`).
    func publish(_ msgType: String, content: [String: JSONValue], parent: MessageHeader?,
                 metadata: [String: JSONValue] = [:], constant: Bool = false) {
        let topic = Array("kernel.\(session.sessionID).\(msgType)".utf8)
        let frames = session.encode(msgType, content: content, parent: parent, metadata: metadata, identities: [topic],
                                    constant: constant)
        enqueue(frames)
    }

    /// Publishes a message made elsewhere (the hosted kernel's), keeping its header (its session made this kernel's:
    /// a frontend sees one session, as from ipykernel) and parent: re-signed with this kernel's key, content and
    /// metadata masked like every other message.
    func relay(_ message: Message) {
        var message = message
        message.header.session = session.sessionID
        enqueue(session.encode(message))
    }

    /// Publishes a hosted kernel's message as it came, its frames already signed with this kernel's key
    /// (`MessageSession.forwardedFrames`): nothing of it is copied.
    func relay(frames: [ZMQFrame]) {
        send { try xpub.send(frames: frames) }
    }

    /// Publishes `status` with `execution_state` busy or idle.
    func status(_ state: String, parent: MessageHeader?) {
        publish("status", content: ["execution_state": .string(state)], parent: parent, constant: true)
    }

    private func enqueue(_ frames: [[UInt8]]) {
        send { try xpub.send(frames) }
    }

    /// Sends on the XPUB from this thread. libzmq tells a socket's poller of a subscription only once: when this send
    /// took that news in, the publisher thread is woken to answer it.
    private func send(_ body: () throws -> Void) {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        do {
            try body()
            if xpub.hasIncoming { try queueIn.send(IOPubPublisher.wakeSentinel, dontWait: true) }
        } catch {
            log.log("iopub: could not send a message: \(error)")
        }
    }

    /// Stops the publisher thread (every message published before is already with libzmq, which sends it within the
    /// socket's linger time); waits up to `timeout` seconds for that.
    func stop(timeout: Double = 2) {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            try? queueIn.send(IOPubPublisher.stopSentinel, dontWait: true)
        }
        _ = finished.wait(timeout: .now() + timeout)
    }

    /// Closes the queue's sending end; call after the publisher thread has stopped.
    func closeQueue() {
        lock.withLock {
            stopped = true
            queueIn.close()
        }
    }

    /// The publisher thread's body.
    func run() {
        defer {
            lock.withLock { xpub.close() }
            queueOut.close()
            finished.signal()
        }
        guard let signal = lock.withLock({ try? xpub.signalDescriptor() }) else {
            log.log("iopub: the XPUB socket has no signal descriptor: no iopub_welcome")
            return
        }
        while true {
            do {
                let ready = try ZMQSocket.poll([queueOut], descriptors: [signal], timeoutMilliseconds: -1)
                if ready[0] {
                    while let frames = try queueOut.receive(dontWait: true) {
                        if frames == IOPubPublisher.stopSentinel { return }
                    }
                }
                try lock.withLock {
                    while let frames = try xpub.receive(dontWait: true) { welcome(subscriptionFrames: frames) }
                }
            } catch let error as ZMQError where error.isTerminated {
                return
            } catch {
                log.log("iopub: \(error)")
            }
        }
    }

    /// XPUB delivers `0x01 + topic` for a subscription (`0x00 + topic` to unsubscribe). Called holding `lock`.
    private func welcome(subscriptionFrames: [[UInt8]]) {
        for frame in subscriptionFrames where frame.first == 1 {
            let topic = Array(frame.dropFirst())
            guard let subscription = String(validating: topic, as: UTF8.self) else { continue }
            let frames = session.encode("iopub_welcome", content: ["subscription": .string(subscription)], parent: nil,
                                        identities: topic.isEmpty ? [] : [topic])
            do {
                try xpub.send(frames)
            } catch {
                log.log("iopub: could not send iopub_welcome: \(error)")
            }
        }
    }
}
