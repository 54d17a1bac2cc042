import JSONCore

/// The server's side of sending: messages to the client through the writer, and server→client requests.
final class Connection: @unchecked Sendable {
    let writer: MessageWriter
    let pending = PendingClientRequests()

    init(writer: MessageWriter) {
        self.writer = writer
    }

    @discardableResult
    func send(_ message: RPCMessage) -> Bool { writer.send(message) }

    func notify(_ method: String, params: JSONValue?) {
        send(.notification(RPCNotification(method: method, params: params)))
    }

    func logMessage(_ type: MessageType, _ message: String) {
        notify("window/logMessage", params: ["type": .number(Double(type.rawValue)), "message": .string(message)])
    }

    /// Sends a request to the client and blocks until its response. When `context` is cancelled meanwhile, the wait
    /// ends with `RPCError.requestCancelled` and the client is sent `$/cancelRequest` for it.
    func request(_ method: String, params: JSONValue?, on context: RequestContext?) throws -> JSONValue {
        if context?.isCancelled == true { throw RPCError.requestCancelled }
        guard let id = pending.register() else { throw ConnectionClosedError() }
        context?.onCancel { [weak self] in
            guard let self else { return }
            self.pending.fail(id, with: RPCError.requestCancelled)
            self.notify("$/cancelRequest", params: ["id": .number(Double(id))])
        }
        if !send(.request(RPCRequest(id: .int(id), method: method, params: params))) {
            pending.fail(id, with: ConnectionClosedError())
        }
        return try pending.wait(id).get()
    }

    /// Ends every wait and drops every later message.
    func close() {
        writer.close()
        pending.closeAll()
    }
}
