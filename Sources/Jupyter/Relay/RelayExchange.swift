import Foundation

/// What the relay hands the thread waiting on one forwarded request.
enum RelayEvent: Sendable {
    /// The child's reply on shell or control.
    case reply(Message)
    /// The child asks the user something (`input()`, `getpass`) on behalf of this request.
    case inputRequest(Message)
    /// The child's `idle` for this request: every output it made is already relayed.
    case idle
    /// The child ended before answering; the text says how (`was killed by SIGKILL (probably out of memory)`).
    case died(String)
}

/// The mailbox of one forwarded request, matched by the request's `msg_id` (never "the next message").
final class RelayExchange: @unchecked Sendable {
    let msgID: String
    /// The `execution_count` to put in this request's `execute_result`s (HubKernel owns the counter).
    let executionCount: Int?
    /// HubKernel's own request (`evaluate`): the child's outputs for it are not shown.
    let quiet: Bool
    /// Python's `execute_input` for this request goes to the frontends (a subshell's execute: HubKernel publishes
    /// its own for the main shell's cells).
    let relaysExecuteInput: Bool
    /// Python's `busy` for this request goes to the frontends: a cell that is all Python's, whose busy and
    /// `execute_input` HubKernel leaves to Python (they come when ipykernel's would, and cost HubKernel nothing).
    let relaysBusy: Bool
    private let condition = NSCondition()
    private var events: [RelayEvent] = []

    init(msgID: String, executionCount: Int? = nil, quiet: Bool = false, relaysExecuteInput: Bool = false,
         relaysBusy: Bool = false) {
        self.msgID = msgID
        self.executionCount = executionCount
        self.quiet = quiet
        self.relaysExecuteInput = relaysExecuteInput
        self.relaysBusy = relaysBusy
    }

    func post(_ event: RelayEvent) {
        condition.withLock {
            events.append(event)
            condition.broadcast()
        }
    }

    private var idlePublisher: (@Sendable () -> Void)?
    private var childIdle = false
    private var publishedIdle = false

    /// Called by the waiting thread once the frontend has its reply: from then on the relay publishes the request's
    /// idle itself, as soon as the child's came (after the child's last outputs), instead of waking that thread for
    /// it. False when the child's idle came already: the caller publishes it.
    func handOverIdle(_ publish: @escaping @Sendable () -> Void) -> Bool {
        condition.withLock {
            guard !childIdle else { return false }
            idlePublisher = publish
            return true
        }
    }

    /// The child's idle came (relay thread): publishes the request's idle when it was handed over, then posts `.idle`.
    func childWentIdle() {
        let publish = condition.withLock { () -> (@Sendable () -> Void)? in
            let publish = idlePublisher
            idlePublisher = nil
            childIdle = true
            publishedIdle = publish != nil
            return publish
        }
        publish?()
        post(.idle)
    }

    /// Whether the relay published the request's idle (`handOverIdle`).
    var idleWasPublished: Bool { condition.withLock { publishedIdle } }

    /// The next event, waiting up to `timeout` seconds (nil: forever); nil when none came in time.
    func next(timeout: Double? = nil) -> RelayEvent? {
        condition.withLock {
            let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
            while events.isEmpty {
                if let deadline {
                    guard condition.wait(until: deadline) else { return nil }
                } else {
                    condition.wait()
                }
            }
            return events.removeFirst()
        }
    }
}
