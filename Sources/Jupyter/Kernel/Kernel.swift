import CZeroMQ
import Foundation

/// A Jupyter kernel: binds the five channels of a connection file and serves the messaging
/// protocol, handing code to a `KernelHandler`. Threads, one per socket role: shell (the caller of
/// `run()`, where the handler runs), control, heartbeat, and iopub (fed by a queue any thread can use).
public final class Kernel: @unchecked Sendable {
    let connection: ConnectionInfo
    let handler: KernelHandler
    let info: KernelInfo
    let session: MessageSession
    let log: KernelLog
    let redact: @Sendable (String) -> String
    /// The kernel this one hosts and relays (Python), if any.
    let subkernel: Subkernel?
    let makeStreamFilter: @Sendable () -> StreamTextFilter?

    let context: ZMQContext
    let shell: ZMQSocket
    let control: ZMQSocket
    let publisher: IOPubPublisher
    let stdin: StdinChannel
    let heartbeat: Heartbeat
    /// Subshell replies waiting for the shell thread to send them.
    let outbox: ShellOutbox
    let history = HistoryStore()

    private let stateLock = NSLock()
    private var currentCell: CellContext?
    private var stopping = false
    private var ran = false
    /// Shell-thread state: the last `execution_count` and requests read ahead while aborting after an error.
    var executionCount = 0
    var readAhead: [Message] = []
    /// Shell-thread state: the hosted kernel's next `execution_count` and the run it belongs to.
    var subkernelCount: (run: ObjectIdentifier, next: Int)?

    /// The largest frame a client may send (256 MiB); larger ones drop the connection.
    static let maxFrameBytes: Int64 = 256 << 20

    /// Binds every channel of `connection` (as CurveZMQ servers when it carries keys).
    /// - Parameter redact: applied to every string that leaves the kernel (message content, history, log lines).
    /// - Parameter listeners: sockets already listening on some channels' ports (`InheritedListeners`), adopted
    ///   instead of binding.
    /// - Parameter subkernel: a kernel to host (started when `run()` starts): the handler's `.forward` outcomes and
    ///   the requests it routes there are relayed to it, and everything it shows passes through `redact`.
    /// - Parameter messageRedactor: when given, gives `redact`'s equivalent for one outgoing message (checked once per
    ///   message instead of once per string).
    /// - Parameter streamFilter: makes the filter a hosted kernel's stream text passes before `redact` (one per run
    ///   of the hosted kernel): it may hold text back, so a secret written in pieces is still masked.
    /// - Parameter jsonScreen: when given, gives for one message whether JSON bytes as they are on the wire may hold
    ///   something `redact` would change; a hosted kernel's message it clears is forwarded as it came (re-signed),
    ///   not parsed and rebuilt (see `MessageSession`).
    public init(connection: ConnectionInfo, handler: KernelHandler, redact: @escaping @Sendable (String) -> String,
                listeners: [Channel: Int32] = [:], subkernel: Subkernel? = nil,
                streamFilter: @escaping @Sendable () -> StreamTextFilter? = { nil },
                messageRedactor: (@Sendable () -> (String) -> String)? = nil,
                jsonScreen: (@Sendable () -> (UnsafeRawBufferPointer) -> Bool)? = nil) throws {
        if connection.usesCurve && !ZMQContext.hasCurve { throw KernelError.curveUnavailable }
        self.connection = connection
        self.handler = handler
        self.redact = redact
        self.subkernel = subkernel
        self.makeStreamFilter = streamFilter
        info = handler.info
        log = KernelLog(redact: redact)
        session = MessageSession(key: connection.key, redact: redact, messageRedactor: messageRedactor, jsonScreen: jsonScreen)
        let context = try ZMQContext()
        self.context = context
        func open(_ channel: Channel, _ type: ZMQSocketType, configure: (ZMQSocket) throws -> Void = { _ in }) throws -> ZMQSocket {
            try Kernel.openSocket(context: context, connection: connection, channel: channel, type: type,
                                  listener: listeners[channel], configure: configure)
        }
        // Requests come in on ROUTERs: a peer sending a frame above `maxFrameBytes` is disconnected by libzmq
        // before the kernel allocates it.
        let handover: (ZMQSocket) throws -> Void = {
            try $0.setOption(ZMQ_ROUTER_HANDOVER, 1)
            try $0.setOption(ZMQ_MAXMSGSIZE, int64: Kernel.maxFrameBytes)
        }
        shell = try open(.shell, .router, configure: handover)
        control = try open(.control, .router, configure: handover)
        let stdinSocket = try open(.stdin, .router, configure: handover)
        // Verbose: every subscriber's subscription reaches us, so each new client gets its iopub_welcome.
        let xpub = try open(.iopub, .xpub) { try $0.setOption(ZMQ_XPUB_VERBOSE, 1) }
        let hb = try open(.hb, .rep)
        publisher = try IOPubPublisher(context: context, xpub: xpub, session: session, log: log)
        stdin = StdinChannel(socket: stdinSocket, session: session, log: log)
        heartbeat = Heartbeat(socket: hb, log: log)
        outbox = try ShellOutbox(context: context)
    }

    /// A socket for `channel`: linger 1 s, CurveZMQ server when the connection has keys, bound to its endpoint.
    private static func openSocket(context: ZMQContext, connection: ConnectionInfo, channel: Channel, type: ZMQSocketType,
                                   listener: Int32?, configure: (ZMQSocket) throws -> Void) throws -> ZMQSocket {
        let endpoint = connection.endpoint(for: channel)
        do {
            let socket = try ZMQSocket(context: context, type: type)
            try socket.setOption(ZMQ_LINGER, 1000)
            try configure(socket)
            if let publicKey = connection.curvePublicKey, let secretKey = connection.curveSecretKey {
                try socket.makeCurveServer(publicKey: publicKey, secretKey: secretKey)
            }
            if let listener { try socket.setOption(ZMQ_USE_FD, listener) }
            try socket.bind(endpoint)
            return socket
        } catch {
            throw KernelError.socketSetupFailed(channel: channel.rawValue, endpoint: endpoint, reason: "\(error)")
        }
    }

    /// Serves requests until a `shutdown_request` (on control or shell), then closes every socket and returns.
    /// Restarting is the kernel manager's job: it starts a new process.
    public func run() throws {
        try stateLock.withLock {
            guard !ran else { throw KernelError.alreadyRan }
            ran = true
        }
        let interruptSource = installSIGINTHandler()
        let threads = DispatchGroup()
        startThread("hubkernel-heartbeat", group: threads) { [heartbeat] in heartbeat.run() }
        startThread("hubkernel-iopub", group: threads) { [publisher] in publisher.run() }
        startThread("hubkernel-control", group: threads) { [self] in serveControl() }
        ParentWatcher.start(log: log)
        // As ipykernel 7 warns: signing stops forged requests, not readers (any local user can subscribe to iopub).
        if connection.key.isEmpty {
            log.log("the connection file's key is empty: messages are NOT signed, so any local process can send requests; "
                    + "let the kernel manager write a key")
        } else if connection.transport == .tcp && !connection.usesCurve {
            log.log("serving over TCP without CurveZMQ: messages are signed but sent in plain text; "
                    + "use the IPC transport or CurveZMQ keys from the kernel manager to encrypt them")
        }
        startSubkernel()
        serveShell()
        // Shutdown requested (or the context failed): stop the others and release everything.
        requestStop()
        subkernel?.shutdown()
        threads.wait()
        shell.close()
        outbox.close()
        stdin.close()
        publisher.closeQueue()
        context.terminate()
        interruptSource.cancel()
        signal(SIGINT, SIG_DFL)
    }

    private func startThread(_ name: String, group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            body()
            group.leave()
        }
        thread.name = name
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// SIGINT (interrupt_mode "signal") interrupts the running cell instead of killing the process.
    private func installSIGINTHandler() -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in self?.interruptRunningCell(reason: "SIGINT") }
        source.resume()
        return source
    }

    var isStopping: Bool { stateLock.withLock { stopping } }

    func setCurrentCell(_ cell: CellContext?) {
        stateLock.withLock { currentCell = cell }
    }

    /// Sets the running cell's interrupt flag (the handler polls it; a pending `input` throws).
    func interruptRunningCell(reason: String) {
        let cell = stateLock.withLock { currentCell }
        if let cell {
            if cell.interrupt() { subkernel?.interrupt() }
            log.log("interrupt (\(reason)): stopping cell \(cell.executionCount)")
        }
    }

    /// Starts shutting down (idempotent): interrupts the running cell, flushes iopub, then makes
    /// every blocking socket call on every thread return.
    func requestStop() {
        let first: Bool = stateLock.withLock {
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        interruptRunningCell(reason: "shutdown")
        publisher.stop()
        context.shutdown()
    }

    /// Sends a reply to `request` on `socket` (shell or control), addressed to the request's identities.
    func reply(on socket: ZMQSocket, to request: Message, _ msgType: String, _ content: [String: JSONValue],
               metadata: [String: JSONValue] = [:]) {
        let frames = session.encode(msgType, content: content, parent: request.header, metadata: metadata,
                                    identities: request.identities)
        do {
            try socket.send(frames)
        } catch let error as ZMQError where error.isTerminated {
            return
        } catch {
            log.log("could not send \(msgType): \(error)")
        }
    }

    /// Receives and verifies one message from `socket`; nil after logging when it must be dropped.
    /// Throws only when the context shut down.
    func receiveMessage(from socket: ZMQSocket, channel: String) throws -> Message? {
        let frames: [[UInt8]]
        do {
            guard let received = try socket.receive() else { return nil }
            frames = received
        } catch let error as ZMQError where error.isTerminated {
            throw error
        } catch {
            log.log("\(channel): \(error)")
            return nil
        }
        do {
            return try session.decode(frames)
        } catch {
            log.log("\(channel): \(error)")
            return nil
        }
    }

    /// Publishes busy, runs `body`, publishes idle: the status bracket every request gets, on every channel.
    func withBusyStatus(_ request: Message, _ body: () -> Void) {
        publisher.status("busy", parent: request.header)
        body()
        publisher.status("idle", parent: request.header)
    }

    /// Answers a `shutdown_request` (on control or shell) and begins stopping.
    func shutdown(_ request: Message, on socket: ZMQSocket) {
        let content: [String: JSONValue] = ["status": "ok", "restart": .bool(request.content["restart"]?.boolValue ?? false)]
        publisher.status("busy", parent: request.header)
        reply(on: socket, to: request, "shutdown_reply", content)
        publisher.publish("shutdown_reply", content: content, parent: request.header)
        publisher.status("idle", parent: request.header)
        log.log("shutdown requested (restart: \(content["restart"]!.boolValue!))")
        requestStop()
    }
}
