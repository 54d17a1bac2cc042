import Foundation
import JSONCore

/// A JSON-RPC 2.0 server speaking the LSP 3.17 base protocol and lifecycle over two file descriptors (stdin/stdout).
///
/// Register handlers by method name, then call `run()` on the thread that should read input; it returns the status
/// to exit with. Threads: the caller of `run()` reads and dispatches; each request's handler runs on a thread of its
/// own, so a long one (a download) never holds up another (`whoami`); notification handlers run one at a time, in
/// arrival order, on one serial queue. Writes go through one locked `MessageWriter`.
///
/// The lifecycle, as LSP 3.17 specifies it: `initialize` first (before it, requests get -32002 ServerNotInitialized
/// and notifications are dropped, except `exit`); a second `initialize` gets -32600; `shutdown` answers null, after
/// which requests get -32600; `exit` ends the run with 0 when `shutdown` came first, else 1. End of input ends it the
/// same way. When `initialize` names a `processId`, the run ends (1) once that process is gone.
///
///     let server = RPCServer(output: RPCServer.takeStandardOutput() ?? STDOUT_FILENO) { _, _ in InitializeResult(serverInfo: ServerInfo(name: "hubkernel")) }
///     server.onRequest("hub/whoami") { params, context in ["name": "julien"] }
///     exit(server.run())
public final class RPCServer: @unchecked Sendable {
    /// Handles a request: returns the result, or throws (`RPCError` as is, anything else as -32603 InternalError).
    public typealias RequestHandler = @Sendable (_ params: JSONValue?, _ context: RequestContext) throws -> JSONValue
    /// Handles a notification.
    public typealias NotificationHandler = @Sendable (_ params: JSONValue?) -> Void
    /// Handles `initialize`; throwing answers with the error and leaves the server uninitialized.
    public typealias InitializeHandler = @Sendable (InitializeParams, RequestContext) throws -> InitializeResult

    /// How the server reads, writes and watches.
    public struct Options: Sendable {
        /// Applied to every string of every outgoing payload (params, result, error message and data, object keys
        /// included), e.g. to mask tokens.
        public var outgoingTextFilter: @Sendable (String) -> String
        public var maxHeaderBytes: Int
        public var maxBodyBytes: Int
        /// How often the parent process is looked for (LSP `processId`).
        public var parentCheckInterval: TimeInterval
        /// The least time between two progress reports of one request.
        public var progressInterval: TimeInterval

        public init(outgoingTextFilter: @escaping @Sendable (String) -> String = { $0 },
                    maxHeaderBytes: Int = MessageReader.defaultMaxHeaderBytes,
                    maxBodyBytes: Int = MessageReader.defaultMaxBodyBytes,
                    parentCheckInterval: TimeInterval = 1, progressInterval: TimeInterval = 0.1) {
            self.outgoingTextFilter = outgoingTextFilter
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
            self.parentCheckInterval = parentCheckInterval
            self.progressInterval = progressInterval
        }
    }

    let options: Options
    let reader: MessageReader
    let connection: Connection
    let initializeHandler: InitializeHandler
    let notificationQueue = DispatchQueue(label: "jsonrpc.notifications")

    let lock = NSLock()
    var state = LifecycleState.uninitialized
    var requestHandlers: [String: RequestHandler] = [:]
    var notificationHandlers: [String: NotificationHandler] = [:]
    var shutdownHandler: (@Sendable () -> Void)?
    /// Requests not yet answered, and the progress tokens they own.
    var inFlight: [RequestID: RequestContext] = [:]
    var tokenOwners: [ProgressToken: RequestID] = [:]
    var parentWatch: ParentWatch?
    var stopRequested = false
    var ran = false

    /// A server reading frames from `input` and writing them to `output` (neither is closed by the server).
    public init(input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO, options: Options = Options(),
                initialize: @escaping InitializeHandler) {
        self.options = options
        reader = MessageReader(fileDescriptor: input, maxHeaderBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes)
        connection = Connection(writer: MessageWriter(fileDescriptor: output, outgoingTextFilter: options.outgoingTextFilter))
        initializeHandler = initialize
    }

    /// Registers the handler of request `method` (replacing an earlier one). `initialize` and `shutdown` are the
    /// server's own; see `init` and `onShutdown`.
    public func onRequest(_ method: String, _ handler: @escaping RequestHandler) {
        lock.withLock { requestHandlers[method] = handler }
    }

    /// Registers the handler of notification `method` (e.g. `initialized`). `exit`, `$/cancelRequest` and
    /// `window/workDoneProgress/cancel` are the server's own.
    public func onNotification(_ method: String, _ handler: @escaping NotificationHandler) {
        lock.withLock { notificationHandlers[method] = handler }
    }

    /// Runs when `shutdown` arrives, before it is answered.
    public func onShutdown(_ handler: @escaping @Sendable () -> Void) {
        lock.withLock { shutdownHandler = handler }
    }

    /// Sends a notification to the client.
    public func notify(_ method: String, params: JSONValue? = nil) {
        connection.notify(method, params: params)
    }

    /// Sends `window/logMessage` (the only way to log to the client: stdout carries the protocol only).
    public func logMessage(_ type: MessageType, _ message: String) {
        connection.logMessage(type, message)
    }

    /// Sends a request to the client and blocks until it answers (see `RequestContext.sendRequest`).
    public func sendRequest(_ method: String, params: JSONValue? = nil) throws -> JSONValue {
        try connection.request(method, params: params, on: nil)
    }

    /// Ends `run()` from another thread within about 0.1 s (status as at end of input).
    public func stop() {
        lock.withLock { stopRequested = true }
    }

    /// Reads and serves messages until `exit`, end of input, `stop()` or the parent's death; returns the status to
    /// exit with: 0 when `shutdown` was answered first, else 1. Unanswered requests are then cancelled, waits for the
    /// client end with `ConnectionClosedError`, and nothing more is written. SIGPIPE is ignored from here on, so a
    /// client that goes away cannot kill the process. Runs once.
    public func run() -> Int32 {
        let first: Bool = lock.withLock {
            defer { ran = true }
            return !ran
        }
        guard first else { return 1 }
        signal(SIGPIPE, SIG_IGN)
        var status: Int32
        loop: while true {
            switch reader.next(shouldStop: { self.shouldStop() }) {
            case .message(let body):
                if let exitStatus = handle(body) {
                    status = exitStatus
                    break loop
                }
            case .malformed(let reason):
                connection.send(.response(RPCResponse(id: nil, outcome: .failure(
                    RPCError(code: ErrorCode.parseError, message: "Parse error: \(reason)")))))
            case .endOfInput, .stopped:
                status = lock.withLock { state == .shutDown ? 0 : 1 }
                if parentWatch?.parentIsGone() == true { status = 1 }
                break loop
            }
        }
        finishRun()
        return status
    }

    private func shouldStop() -> Bool {
        let (stop, watch) = lock.withLock { (stopRequested, parentWatch) }
        return stop || watch?.parentIsGone() == true
    }

    private func finishRun() {
        connection.close()
        let pending: [RequestContext] = lock.withLock {
            defer {
                inFlight.removeAll()
                tokenOwners.removeAll()
            }
            return Array(inFlight.values)
        }
        for context in pending where context.claimResponse() { context.cancel() }
    }
}
