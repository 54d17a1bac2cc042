import Foundation
import JSONCore

/// What a request handler gets besides its params: the request's id, its cancellation, and the ways to talk to the
/// client while it runs. Thread-safe.
public final class RequestContext: @unchecked Sendable {
    public let id: RequestID
    public let method: String
    /// Work-done progress on the request's `workDoneToken`; does nothing when the request has none.
    public let progress: WorkDoneProgress
    let connection: Connection

    private let lock = NSLock()
    private var cancelled = false
    private var cancelCallbacks: [@Sendable () -> Void] = []
    private var answered = false

    init(id: RequestID, method: String, progress: WorkDoneProgress, connection: Connection) {
        self.id = id
        self.method = method
        self.progress = progress
        self.connection = connection
    }

    /// True once the client cancelled the request (or the connection ended): its answer is already sent or moot, and
    /// whatever the handler returns is dropped.
    public var isCancelled: Bool { lock.withLock { cancelled } }

    /// Runs `callback` once when the request is cancelled (at once if it already is). It runs on the server's reader
    /// thread: it must return quickly (e.g. cancel a download), never wait for the client.
    public func onCancel(_ callback: @escaping @Sendable () -> Void) {
        let runNow: Bool = lock.withLock {
            if cancelled { return true }
            cancelCallbacks.append(callback)
            return false
        }
        if runNow { callback() }
    }

    /// Sends a notification to the client.
    public func notify(_ method: String, params: JSONValue? = nil) {
        connection.notify(method, params: params)
    }

    /// Sends `window/logMessage`.
    public func logMessage(_ type: MessageType, _ message: String) {
        connection.logMessage(type, message)
    }

    /// Sends a request to the client and blocks until it answers; returns its result.
    /// - Throws: the client's `RPCError`; `RPCError.requestCancelled` when this request is cancelled meanwhile
    ///   (the client then gets `$/cancelRequest`); `ConnectionClosedError` when the connection ends first.
    public func sendRequest(_ method: String, params: JSONValue? = nil) throws -> JSONValue {
        try connection.request(method, params: params, on: self)
    }

    /// True the first time only: whoever gets it sends the request's one response.
    func claimResponse() -> Bool {
        lock.withLock {
            defer { answered = true }
            return !answered
        }
    }

    /// Marks the request cancelled and runs its callbacks (once).
    func cancel() {
        let callbacks: [@Sendable () -> Void] = lock.withLock {
            guard !cancelled else { return [] }
            cancelled = true
            defer { cancelCallbacks.removeAll() }
            return cancelCallbacks
        }
        for callback in callbacks { callback() }
    }
}
