import Foundation
import JSONCore

extension RPCServer {
    /// Handles one frame's body; returns the exit status when it was `exit`.
    func handle(_ body: [UInt8]) -> Int32? {
        let message: RPCMessage
        do {
            message = try RPCMessage.decode(body)
        } catch {
            let failure = error as? MessageDecodingError
                ?? MessageDecodingError(id: nil, error: RPCError(code: ErrorCode.parseError, message: "Parse error"))
            connection.send(.response(RPCResponse(id: failure.id, outcome: .failure(failure.error))))
            return nil
        }
        switch message {
        case .response(let response):
            connection.pending.resolve(response)
        case .notification(let notification):
            return handleNotification(notification)
        case .request(let request):
            handleRequest(request)
        }
        return nil
    }

    /// `exit` ends the run in any state; before `initialize` and after `shutdown` the others are dropped (cancellation
    /// still reaches requests in flight). Notifications never get a response, so an unknown one (`$/…` or not) is ignored.
    private func handleNotification(_ notification: RPCNotification) -> Int32? {
        let (state, handler): (LifecycleState, NotificationHandler?) = lock.withLock {
            (self.state, notificationHandlers[notification.method])
        }
        switch notification.method {
        case "exit":
            return state == .shutDown ? 0 : 1
        case "$/cancelRequest":
            guard state != .uninitialized, let id = notification.params?["id"].flatMap(RequestID.init(json:)) else { return nil }
            cancel(id)
        case "window/workDoneProgress/cancel":
            guard state != .uninitialized, let token = notification.params?["token"].flatMap(ProgressToken.init(json:)),
                  let id = lock.withLock({ tokenOwners[token] }) else { return nil }
            cancel(id)
        default:
            guard state == .running, let handler else { return nil }
            notificationQueue.async { handler(notification.params) }
        }
        return nil
    }

    private func handleRequest(_ request: RPCRequest) {
        lock.lock()
        let refusal: RPCError?
        switch (state, request.method) {
        case (.uninitialized, "initialize"):
            state = .initializing
            lock.unlock()
            startInitialize(request)
            return
        case (.initializing, "initialize"), (.running, "initialize"):
            refusal = RPCError(code: ErrorCode.invalidRequest, message: "initialize may only be sent once.")
        case (.uninitialized, _), (.initializing, _):
            refusal = RPCError(code: ErrorCode.serverNotInitialized, message: "The server is not initialized: send initialize first.")
        case (.shutDown, _):
            refusal = RPCError(code: ErrorCode.invalidRequest, message: "The server is shut down: only the exit notification is accepted.")
        case (.running, "shutdown"):
            state = .shutDown
            let hook = shutdownHandler
            lock.unlock()
            hook?()
            connection.send(.response(RPCResponse(id: request.id, outcome: .success(.null))))
            return
        case (.running, _):
            if inFlight[request.id] != nil {
                refusal = RPCError(code: ErrorCode.invalidRequest, message: "The id \(request.id) is already used by a request in flight.")
            } else if let handler = requestHandlers[request.method] {
                let context = register(request)
                lock.unlock()
                spawn(context) { try handler(request.params, context) }
                return
            } else {
                refusal = RPCError(code: ErrorCode.methodNotFound, message: "Method not found: \(request.method)")
            }
        }
        lock.unlock()
        if let refusal { connection.send(.response(RPCResponse(id: request.id, outcome: .failure(refusal)))) }
    }

    /// Runs the user's `initialize` handler: the server is running once it succeeded, and uninitialized again if it failed.
    private func startInitialize(_ request: RPCRequest) {
        let params: InitializeParams
        do {
            params = try InitializeParams(json: request.params)
        } catch {
            lock.withLock { state = .uninitialized }
            connection.send(.response(RPCResponse(id: request.id, outcome: .failure(RPCServer.rpcError(error)))))
            return
        }
        let context: RequestContext = lock.withLock {
            if let pid = params.processId, pid > 0, pid <= Int(Int32.max) {
                parentWatch = ParentWatch(pid: pid_t(pid), interval: options.parentCheckInterval)
            }
            return register(request)
        }
        let handler = initializeHandler
        spawn(context, onFinish: { succeeded, claimed in
            self.lock.withLock {
                if self.state == .initializing { self.state = succeeded && claimed ? .running : .uninitialized }
            }
        }) { try handler(params, context).json }
    }

    /// A context for `request`, tracked until answered. Call with `lock` held.
    private func register(_ request: RPCRequest) -> RequestContext {
        let token = request.params?["workDoneToken"].flatMap(ProgressToken.init(json:))
        let connection = self.connection
        let progress = WorkDoneProgress(token: token, interval: options.progressInterval) { connection.send($0) }
        let context = RequestContext(id: request.id, method: request.method, progress: progress, connection: connection)
        inFlight[request.id] = context
        if let token { tokenOwners[token] = request.id }
        return context
    }

    /// Runs `work` on a thread of its own and answers with its outcome, unless the request was answered already
    /// (cancelled). `onFinish(succeeded, answered)` runs before the answer is sent.
    private func spawn(_ context: RequestContext, onFinish: (@Sendable (Bool, Bool) -> Void)? = nil,
                       _ work: @escaping @Sendable () throws -> JSONValue) {
        let thread = Thread {
            let outcome: Result<JSONValue, RPCError>
            do {
                outcome = .success(try work())
            } catch {
                outcome = .failure(RPCServer.rpcError(error))
            }
            let claimed = context.claimResponse()
            if case .success = outcome { onFinish?(true, claimed) } else { onFinish?(false, claimed) }
            if claimed { self.deliver(context, outcome) }
        }
        thread.name = "jsonrpc-\(context.method)"
        thread.start()
    }

    /// Answers `$/cancelRequest` (or a cancelled progress token) at once with -32800, then tells the handler.
    /// An id that is unknown or already answered is ignored.
    func cancel(_ id: RequestID) {
        guard let context = lock.withLock({ inFlight[id] }), context.claimResponse() else { return }
        deliver(context, .failure(.requestCancelled))
        context.cancel()
    }

    /// Sends the one response of `context` (the caller won `claimResponse()`), ending its progress first if it runs.
    private func deliver(_ context: RequestContext, _ outcome: Result<JSONValue, RPCError>) {
        lock.withLock {
            if inFlight[context.id] === context { inFlight[context.id] = nil }
            if let token = context.progress.token, tokenOwners[token] == context.id { tokenOwners[token] = nil }
        }
        context.progress.end()
        connection.send(.response(RPCResponse(id: context.id, outcome: outcome)))
    }

    /// A thrown error as the error to answer with: an `RPCError` as is, anything else as -32603 with its description.
    static func rpcError(_ error: Error) -> RPCError {
        error as? RPCError ?? RPCError(code: ErrorCode.internalError, message: String(describing: error))
    }
}
