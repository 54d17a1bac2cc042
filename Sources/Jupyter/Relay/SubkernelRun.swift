import CZeroMQ
import Foundation

/// One life of the hosted kernel: its process, its connection, and the relay thread that owns the four sockets
/// HubKernel holds to it (shell, stdin and control DEALERs per frontend identity — `SubkernelPeers` — and an iopub
/// SUB) and routes every message it sends by the `msg_id` of its parent.
final class SubkernelRun: @unchecked Sendable {
    /// What the relay needs from the kernel it serves.
    struct Sinks: Sendable {
        /// Shows one of the child's iopub messages to the frontends (re-signed and masked by the kernel).
        var publish: @Sendable (Message) -> Void
        /// Frames that show one of the child's iopub messages as it came, re-signed by the kernel; nil when it
        /// may hold something to mask (then it goes through `publish`).
        var forward: @Sendable (RawMessage) -> [ZMQFrame]? = { _ in nil }
        /// Shows frames `forward` gave.
        var publishFrames: @Sendable ([ZMQFrame]) -> Void = { _ in }
        /// Makes the filter every stream text passes (one per run, used on the relay thread only).
        var makeStreamFilter: @Sendable () -> StreamTextFilter?
        /// A line for the kernel log.
        var log: @Sendable (String) -> Void
        /// The key Python's connection is signed with: the kernel's own, so a message relayed unchanged keeps the
        /// signature it came with (Python can read the kernel's connection file anyway); nil: a fresh one.
        var linkKey: String? = nil
        /// The session id of the kernel that relays: an ipykernel child puts it in its own headers
        /// (`SubkernelSpec.command(connectionFile:session:)`), so its messages are relayed with their header as it is.
        var frontendSession: String? = nil
    }

    let connection: SubkernelConnection
    let process: ChildProcess
    let startedAt = Date()
    private let session: MessageSession
    private let context: ZMQContext
    private let commandsIn: ZMQSocket
    private let commandsLock = NSLock()
    private let sinks: Sinks

    private let lock = NSLock()
    private var exchanges: [String: RelayExchange] = [:]
    private var _kernelInfo: [String: JSONValue]?
    private var _exitDescription: String?
    private var _openComms: Set<String> = []
    private var iopubLive = false
    /// Whether a frontend's request was sent to the child yet: before it, no user code ran there.
    private var servedFrontend = false
    private var allConnected = false
    private let readiness = NSCondition()

    /// The first frame of each message on the command queue: which socket to send the rest on, or what to do.
    private enum Command: UInt8 {
        case shell, stdin, control, childExited, stop

        init(_ channel: Channel) {
            switch channel {
            case .stdin: self = .stdin
            case .control: self = .control
            default: self = .shell
            }
        }

        /// The request channel this command sends on (nil for the relay's own commands).
        var channel: Channel? {
            switch self {
            case .shell: return .shell
            case .stdin: return .stdin
            case .control: return .control
            case .childExited, .stop: return nil
            }
        }
    }

    /// Writes the connection file, starts the child with `command` (`{connection_file}` filled in) and the relay thread.
    init(spec: SubkernelSpec, environment: [String: String], sinks: Sinks) throws {
        let connection = try SubkernelConnection(key: sinks.linkKey)
        self.connection = connection
        self.sinks = sinks
        session = MessageSession(key: connection.info.key, username: "hubkernel")
        context = try ZMQContext()
        let endpoint = "inproc://hubkernel-relay-\(UUID().uuidString)"
        let commandsOut = try ZMQSocket(context: context, type: .pull)
        commandsIn = try ZMQSocket(context: context, type: .push)
        let iopub: ZMQSocket
        do {
            for socket in [commandsOut, commandsIn] { try socket.setOption(ZMQ_LINGER, 0) }
            try commandsOut.setOption(ZMQ_RCVHWM, 0)
            try commandsIn.setOption(ZMQ_SNDHWM, 0)
            try commandsOut.bind(endpoint)
            try commandsIn.connect(endpoint)
            iopub = try ZMQSocket(context: context, type: .sub)
            try iopub.setOption(ZMQ_LINGER, 0)
            try iopub.setOption(ZMQ_RCVHWM, 0)
            try iopub.setOption(ZMQ_SUBSCRIBE, bytes: [])
        } catch {
            connection.remove()
            throw error
        }
        var variables = environment.merging(spec.environment) { $1 }
        variables["JPY_PARENT_PID"] = String(getpid())
        let log = sinks.log
        let exitRelay = ExitRelay()
        let tail = outputTail
        do {
            let arguments = spec.command(connectionFile: connection.filePath, session: sinks.frontendSession)
            process = try ChildProcess(arguments: arguments, environment: variables,
                                       onOutput: { line in
                                           tail.append(line)
                                           log("python: " + line)
                                       }, onExit: { status in exitRelay.run?(status) })
        } catch {
            connection.remove()
            throw error
        }
        exitRelay.run = { [weak self] status in self?.childExited(status: status) }
        let peers = SubkernelPeers(context: context, ownIdentity: Array(session.sessionID.utf8),
                                   endpoint: { [info = connection.info] in info.endpoint(for: $0) })
        let thread = Thread { [self] in relayLoop(commands: commandsOut, iopub: iopub, peers: peers) }
        thread.name = "hubkernel-relay"
        thread.stackSize = 4 << 20
        thread.start()
    }

    /// Set once the process is started, so the exit callback can reach the run.
    private final class ExitRelay: @unchecked Sendable { var run: (@Sendable (Int32) -> Void)? }

    /// The last lines the child wrote to stdout/stderr (why it failed to start, usually).
    private final class OutputTail: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines = Array((lines + [line]).suffix(5)) } }
        var all: [String] { lock.withLock { lines } }
    }
    private let outputTail = OutputTail()
    var lastOutputLines: [String] { outputTail.all }

    // MARK: State

    /// The child's `kernel_info_reply` content once it answered (it is then ready).
    var kernelInfo: [String: JSONValue]? { lock.withLock { _kernelInfo } }
    /// How the child ended, once it has.
    var exitDescription: String? { lock.withLock { _exitDescription } }
    /// Comms open between the frontend and the child.
    var openComms: Set<String> { lock.withLock { _openComms } }

    func noteComm(opened: String?, closed: String?) {
        lock.withLock {
            if let opened { _openComms.insert(opened) }
            if let closed { _openComms.remove(closed) }
        }
    }

    /// Waits until the child answered `kernel_info` and its iopub is live, it died, or `timeout` passed (or `cancelled()`).
    /// True when ready.
    func waitUntilReady(timeout: Double, cancelled: () -> Bool = { false }) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while Date() < deadline {
            if isReady { return true }
            if exitDescription != nil || cancelled() { return false }
            readiness.withLock { _ = readiness.wait(until: min(deadline, Date(timeIntervalSinceNow: 0.05))) }
        }
        return isReady
    }

    var isReady: Bool { lock.withLock { _kernelInfo != nil && iopubLive && allConnected } }

    // MARK: Sending

    /// Sends `message` to the child on `channel` (re-signed with the child's key, nothing masked), and when
    /// `exchange` is given registers the mailbox its answers go to. Any thread. The message's `identities` are the
    /// frontend's as its request came (none: HubKernel's own): the first is the routing id the child sees it from,
    /// the rest go before the delimiter as they came.
    func send(_ message: Message, on channel: Channel, exchange: RelayExchange? = nil) {
        if let exchange {
            if let ended = exitDescription {
                exchange.post(.died(ended))
                return
            }
            lock.withLock {
                exchanges[exchange.msgID] = exchange
                if !exchange.quiet { servedFrontend = true }
            }
        }
        var outgoing = message
        let routingID = outgoing.identities.first ?? []
        outgoing.identities = Array(outgoing.identities.dropFirst())
        command(Command(channel), [routingID] + session.encode(outgoing))
    }

    /// Stops waiting for answers to `msgID`.
    func forget(_ msgID: String) {
        lock.withLock { _ = exchanges.removeValue(forKey: msgID) }
    }

    /// A header for a request HubKernel itself makes to the child.
    func makeHeader(_ msgType: String) -> MessageHeader { session.makeHeader(msgType) }

    /// Stops the relay thread and closes the sockets (the process is the caller's to end).
    func close() {
        command(.stop)
        _ = stopped.wait(timeout: .now() + 2)
        commandsLock.withLock { commandsIn.close() }
        context.terminate()
        connection.remove()
    }

    private let stopped = DispatchSemaphore(value: 0)

    private func command(_ command: Command, _ frames: [[UInt8]] = []) {
        commandsLock.withLock { try? commandsIn.send([[command.rawValue]] + frames, dontWait: true) }
    }

    // MARK: The relay thread

    private func relayLoop(commands: ZMQSocket, iopub: ZMQSocket, peers initialPeers: SubkernelPeers) {
        var peers = initialPeers
        var signals = ZMQSignalPoll()
        var holdback = StreamHoldback(filter: sinks.makeStreamFilter())
        var lastNudge = Date.distantPast
        // Each socket connects once the child has bound it (its IPC file exists): a ROUTER drops what it sends to
        // a peer not connected yet, and an `input_request` lost that way would leave Python waiting forever. The
        // request sockets (`peers`) are made once all three exist; requests sent before then wait in `pending`.
        var iopubConnected = false
        var pending: [(Channel, [[UInt8]])] = []
        func bound(_ channel: Channel) -> Bool {
            FileManager.default.fileExists(atPath: String(connection.info.endpoint(for: channel).dropFirst("ipc://".count)))
        }
        defer {
            for socket in [commands, iopub] { socket.close() }
            peers.closeAll()
            stopped.signal()
        }
        while true {
            if !lock.withLock({ allConnected }) {
                if !iopubConnected && bound(.iopub) {
                    do { try iopub.connect(connection.info.endpoint(for: .iopub)) } catch { sinks.log("relay: \(error)") }
                    iopubConnected = true
                }
                if iopubConnected && [Channel.shell, .stdin, .control].allSatisfy(bound) {
                    do { _ = try peers.socket(for: [], channel: .shell) } catch { sinks.log("relay: \(error)") }
                    lock.withLock { allConnected = true }
                    for (channel, frames) in pending { forward(frames, on: channel, peers: &peers, signals: &signals) }
                    pending.removeAll()
                }
            }
            let connected = lock.withLock { allConnected }
            if connected && kernelInfo == nil && exitDescription == nil && Date().timeIntervalSince(lastNudge) > 0.25 {
                // Until it answers, ask again (a request sent before its socket was bound may be lost).
                lastNudge = Date()
                let header = session.makeHeader("kernel_info_request")
                if let socket = try? peers.socket(for: [], channel: .shell) {
                    signals.recheck(socket)
                    try? socket.send(session.encode(Message(header: header)), dontWait: true)
                }
            }
            let requestSockets = peers.all
            let ready: [Bool]
            do {
                let untilHeldTextIsDue = holdback.millisecondsToNextDeadline()
                let timeout = isReady ? untilHeldTextIsDue : (untilHeldTextIsDue < 0 ? 20 : min(20, untilHeldTextIsDue))
                ready = try signals.wait([commands, iopub] + requestSockets.map(\.socket), timeoutMilliseconds: timeout)
            } catch {
                sinks.log("relay: \(error)")
                return
            }
            // The child's messages first: what it sent before it ended is relayed before its requests fail.
            if ready[1] { drainIOPub(iopub, holdback: &holdback) }
            for held in holdback.expire() { sinks.publish(held) }
            for (index, entry) in requestSockets.enumerated() where ready[index + 2] {
                if entry.channel == .stdin {
                    drain(entry.socket) { routeInputRequest($0) }
                } else {
                    drain(entry.socket) { routeReply($0) }
                }
            }
            guard ready[0] else { continue }
            while let frames = try? commands.receive(dontWait: true) {
                guard let first = frames.first?.first, let command = Command(rawValue: first) else { continue }
                let message = Array(frames.dropFirst())
                switch command {
                case .stop: return
                case .childExited: failAll(holdback: &holdback)
                case .shell, .stdin, .control:
                    guard let channel = command.channel else { continue }
                    if lock.withLock({ allConnected }) {
                        forward(message, on: channel, peers: &peers, signals: &signals)
                    } else {
                        pending.append((channel, message))
                    }
                }
            }
        }
    }

    /// Sends a command's message (`[routing id, frames…]`) on the socket of its frontend's identity.
    private func forward(_ frames: [[UInt8]], on channel: Channel, peers: inout SubkernelPeers, signals: inout ZMQSignalPoll) {
        guard let routingID = frames.first else { return }
        do {
            let socket = try peers.socket(for: routingID, channel: channel)
            signals.recheck(socket)
            try socket.send(Array(frames.dropFirst()))
        } catch {
            sinks.log("relay: could not send to Python's \(channel.rawValue): \(error)")
        }
    }

    private func drain(_ socket: ZMQSocket, _ handle: (Message) -> Void) {
        while let frames = try? socket.receive(dontWait: true) {
            do {
                handle(try session.decode(frames))
            } catch {
                sinks.log("relay: dropped a message from Python: \(error)")
            }
        }
    }

    /// The child's iopub messages, read in place: only the header and parent are parsed before it is known what the
    /// relay must look at (`relayIOPub`).
    private func drainIOPub(_ socket: ZMQSocket, holdback: inout StreamHoldback) {
        while let frames = try? socket.receiveFrames(dontWait: true) {
            do {
                try relayIOPub(try session.decodeRaw(frames, overlappingCheckFrom: Self.inPlaceStreamBytes), holdback: &holdback)
            } catch {
                sinks.log("relay: dropped a message from Python: \(error)")
            }
        }
    }

    private func exchange(for message: Message) -> RelayExchange? {
        exchange(forParent: message.parentHeader)
    }

    private func exchange(forParent parentHeader: [String: JSONValue]) -> RelayExchange? {
        guard let parent = parentHeader["msg_id"]?.stringValue else { return nil }
        return lock.withLock { exchanges[parent] }
    }

    private func routeReply(_ message: Message) {
        if message.msgType == "kernel_info_reply" && message.parentHeader["session"]?.stringValue == session.sessionID {
            lock.withLock { if _kernelInfo == nil { _kernelInfo = message.content } }
            readiness.withLock { readiness.broadcast() }
            return
        }
        exchange(for: message)?.post(.reply(message))
    }

    private func routeInputRequest(_ message: Message) {
        guard let exchange = exchange(for: message) else {
            sinks.log("relay: Python asked for input outside a request; answered empty")
            return
        }
        exchange.post(.inputRequest(message))
    }

    /// One of the child's iopub messages: its own bookkeeping (status, execute_input, welcome) stays here;
    /// everything else goes on; stream text through the holdback, whose held text goes before a new output
    /// and before the request's idle. What needs no change is forwarded as it came (`forward`); only what must be
    /// looked into or changed is parsed.
    private func relayIOPub(_ raw: RawMessage, holdback: inout StreamHoldback) throws {
        let parent = raw.parentID
        if !iopubLiveSnapshot() {
            try session.confirm(raw)
            lock.withLock { iopubLive = true }
            readiness.withLock { readiness.broadcast() }
        }
        let exchange = exchange(forParent: raw.parentHeader)
        switch raw.msgType {
        case "iopub_welcome":
            return
        case "execute_input":
            guard exchange?.relaysExecuteInput == true else { return }
        case "status":
            if try session.decode(raw).content["execution_state"]?.stringValue == "idle" {
                for held in holdback.release(parent: parent) { sinks.publish(held) }
                exchange?.childWentIdle()
                return
            }
            guard exchange?.relaysBusy == true else { return }  // Python's busy goes on only for a cell it announces
        default:
            break
        }
        if exchange?.quiet == true && raw.msgType != "debug_event" { return }  // HubKernel's own question: nothing to show
        // A debug event's parent is whichever request Python saw last (HubKernel's own quiet ones too): it is the
        // debugger's, for every frontend, whatever its parent.
        let ownRequest = raw.parentHeader["session"]?.stringValue == session.sessionID && exchange == nil
            && raw.msgType != "debug_event"
        if ownRequest || (raw.parentHeader["msg_id"]?.stringValue == nil && !lock.withLock({ servedFrontend })) {
            // What the child writes while it starts (a debugger's warning about frozen modules, a thread's text) has
            // no parent, or the parent of HubKernel's own kernel_info nudge: a frontend of ipykernel itself never
            // sees it (it is sent before the kernel answers kernel_info, and jupyter_client drains iopub once it
            // did), and no frontend sent that parent. It goes to the kernel log, masked, instead of to iopub.
            let message = try session.decode(raw)
            let text = message.msgType == "stream" ? message.content["text"]?.stringValue ?? "" : message.msgType
            sinks.log("python, not for a frontend's request (not shown): " + text.trimmingCharacters(in: .newlines))
            return
        }
        switch raw.msgType {
        case "stream":
            // Read by its ends, screened and signed anew while its own signature is checked on another thread; the
            // filter records it only once that check passed.
            if raw.content.count >= Self.inPlaceStreamBytes,
               let piece = raw.content.withUnsafeBytes({ JSONStreamPiece(content: $0, window: holdback.endWindow) }),
               let frames = sinks.forward(raw), try confirmed(raw), holdback.admitUnchanged(piece, parent: parent) {
                sinks.publishFrames(frames)
            } else if let admitted = holdback.admit(try session.decode(raw), parent: parent) {
                sinks.publish(admitted)
            }
            return
        case "comm_open", "comm_close":
            let commID = try session.decode(raw).content["comm_id"]?.stringValue
            noteComm(opened: raw.msgType == "comm_open" ? commID : nil, closed: raw.msgType == "comm_close" ? commID : nil)
        case "display_data", "execute_result", "error", "clear_output":
            // A new output (or none): the frontend will not join a later stream piece to the held text, so it goes
            // first, in order. Updates, comm messages and other streams leave it held.
            for held in holdback.release(parent: parent) { sinks.publish(held) }
        default:
            break
        }
        if raw.msgType == "execute_result", let count = exchange?.executionCount {
            var relayed = try session.decode(raw)
            relayed.content["execution_count"] = .number(Double(count))
            sinks.publish(relayed)
        } else if let frames = sinks.forward(raw), try confirmed(raw) {
            sinks.publishFrames(frames)
        } else {
            sinks.publish(try session.decode(raw))
        }
    }

    /// True once `raw`'s signature check passed (it throws when it failed).
    private func confirmed(_ raw: RawMessage) throws -> Bool {
        try session.confirm(raw)
        return true
    }

    /// Stream pieces this large are let through by their ends (`StreamHoldback.admitUnchanged`), their signature
    /// checked on another thread meanwhile; below it, parsing costs little.
    static let inPlaceStreamBytes = 64 * 1024

    private func iopubLiveSnapshot() -> Bool { lock.withLock { iopubLive } }

    // MARK: The child's end

    private func childExited(status: Int32) {
        let description = ChildProcess.describe(status: status)
        lock.withLock { _exitDescription = description }
        readiness.withLock { readiness.broadcast() }
        sinks.log("Python \(description)")
        // The relay thread fails the waiting requests, after relaying what the child sent before it ended.
        command(.childExited)
    }

    private func failAll(holdback: inout StreamHoldback) {
        for held in holdback.release(parent: nil) { sinks.publish(held) }
        let waiting = lock.withLock { () -> [RelayExchange] in
            defer { exchanges.removeAll() }
            return Array(exchanges.values)
        }
        let description = exitDescription ?? "ended"
        for exchange in waiting { exchange.post(.died(description)) }
    }
}
