import Foundation
import JSONCore

/// LSP work-done progress (`$/progress` with `WorkDoneProgressBegin`, `…Report`, `…End`) on the `workDoneToken` the
/// client put in a request's params. Without a token every call does nothing.
///
/// Reports are throttled to one per `interval` (0.1 s: at most 10 a second): a report that comes too soon is held,
/// merged with later ones (LSP keeps a field a report leaves out), and sent when the interval has passed, or just
/// before `end` when it differs from what the client last saw. `begin` and `end` are never dropped. Thread-safe.
public final class WorkDoneProgress: @unchecked Sendable {
    /// The request's `workDoneToken`, or nil.
    public let token: ProgressToken?
    let interval: TimeInterval
    private let send: @Sendable (RPCMessage) -> Void

    private struct State: Equatable {
        var message: String?
        var percentage: Int?
    }
    private enum Phase { case idle, running, ended }

    private let lock = NSLock()
    private var phase = Phase.idle
    private var shown = State()
    private var held: State?
    private var lastSent: TimeInterval = 0
    private var flushScheduled = false

    init(token: ProgressToken?, interval: TimeInterval = 0.1, send: @escaping @Sendable (RPCMessage) -> Void) {
        self.token = token
        self.interval = interval
        self.send = send
    }

    /// Whether the client asked for progress (the request carried a `workDoneToken`).
    public var isEnabled: Bool { token != nil }

    /// Starts the progress (once; later calls do nothing). `percentage` is clamped to 0…100.
    public func begin(title: String, cancellable: Bool = false, message: String? = nil, percentage: Int? = nil) {
        lock.withLock {
            guard token != nil, phase == .idle else { return }
            phase = .running
            var value: [String: JSONValue] = ["kind": "begin", "title": .string(title), "cancellable": .bool(cancellable)]
            if let message { value["message"] = .string(message) }
            if let percentage = clamped(percentage) { value["percentage"] = .number(Double(percentage)) }
            shown = State(message: message, percentage: clamped(percentage))
            emit(value)
        }
    }

    /// Reports a new message and/or percentage, at most 10 a second (see the type's documentation).
    public func report(message: String? = nil, percentage: Int? = nil) {
        lock.withLock {
            guard phase == .running else { return }
            let base = held ?? shown
            let state = State(message: message ?? base.message, percentage: clamped(percentage) ?? base.percentage)
            if now() - lastSent >= interval {
                held = nil
                emitReport(state)
            } else {
                held = state
                scheduleFlush()
            }
        }
    }

    /// Ends the progress, first sending a held report that differs from what was shown. Later calls do nothing.
    public func end(message: String? = nil) {
        lock.withLock {
            guard phase == .running else { return }
            if let held, held != shown { emitReport(held) }
            held = nil
            phase = .ended
            var value: [String: JSONValue] = ["kind": "end"]
            if let message { value["message"] = .string(message) }
            emit(value)
        }
    }

    private func emitReport(_ state: State) {
        var value: [String: JSONValue] = ["kind": "report"]
        if let message = state.message { value["message"] = .string(message) }
        if let percentage = state.percentage { value["percentage"] = .number(Double(percentage)) }
        shown = state
        emit(value)
    }

    /// Sends one `$/progress` (under `lock`, so begin, reports and end leave in order).
    private func emit(_ value: [String: JSONValue]) {
        guard let token else { return }
        lastSent = now()
        send(.notification(RPCNotification(method: "$/progress", params: ["token": token.json, "value": .object(value)])))
    }

    private func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let delay = max(0, lastSent + interval - now())
        DispatchQueue.global().asyncAfter(deadline: .now() + delay) { [weak self] in self?.flush() }
    }

    private func flush() {
        lock.withLock {
            flushScheduled = false
            guard phase == .running, let held else { return }
            if now() - lastSent < interval {
                scheduleFlush()
                return
            }
            self.held = nil
            if held != shown { emitReport(held) }
        }
    }

    private func clamped(_ percentage: Int?) -> Int? { percentage.map { min(100, max(0, $0)) } }

    private func now() -> TimeInterval { ProcessInfo.processInfo.systemUptime }
}
