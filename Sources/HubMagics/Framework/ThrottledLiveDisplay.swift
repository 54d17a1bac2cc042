import Foundation

/// A display updated in place, at most ten times a second, whatever shows it (a notebook's `update_display_data`,
/// the backend's `hub/display`). An update that comes too soon is not lost: the latest one is sent when the interval
/// has passed (so a stalled transfer still shows where it stalled); the final state is always sent, and nothing
/// after it.
class ThrottledLiveDisplay: LiveDisplay, @unchecked Sendable {
    static let minimumInterval: TimeInterval = 0.1

    /// Shows one state; `isFinal` for the last.
    private let deliver: @Sendable (RichOutput, _ isFinal: Bool) -> Void
    private let lock = NSLock()
    private let sendLock = NSLock()
    private var lastSent = Date()
    private var pending: RichOutput?
    private var flushScheduled = false
    private var finished = false

    init(deliver: @escaping @Sendable (RichOutput, _ isFinal: Bool) -> Void) {
        self.deliver = deliver
    }

    func update(_ output: RichOutput) {
        let wait: TimeInterval? = lock.withLock {
            guard !finished else { return nil }
            let elapsed = Date().timeIntervalSince(lastSent)
            if elapsed >= Self.minimumInterval {
                lastSent = Date()
                pending = nil
                return 0
            }
            pending = output
            if flushScheduled { return nil }
            flushScheduled = true
            return Self.minimumInterval - elapsed
        }
        guard let wait else { return }
        if wait == 0 {
            send(output)
        } else {
            DispatchQueue.global().asyncAfter(deadline: .now() + wait) { [self] in flush() }
        }
    }

    func finish(_ output: RichOutput) {
        lock.withLock {
            finished = true
            pending = nil
        }
        send(output, isFinal: true)
    }

    private func flush() {
        let due: RichOutput? = lock.withLock {
            flushScheduled = false
            guard !finished, let output = pending else { return nil }
            pending = nil
            lastSent = Date()
            return output
        }
        if let due { send(due) }
    }

    /// Sends in order; once `finish` has begun, only the final state goes out.
    private func send(_ output: RichOutput, isFinal: Bool = false) {
        sendLock.withLock {
            if !isFinal && lock.withLock({ finished }) { return }
            deliver(output, isFinal)
        }
    }
}
