import Foundation
import Jupyter

/// `MagicOutput` for a notebook cell: streams, `display_data`, live displays as
/// `update_display_data`, and prompts through the frontend's stdin channel.
final class JupyterMagicOutput: MagicOutput, @unchecked Sendable {
    private let context: ExecutionContext

    init(context: ExecutionContext) { self.context = context }

    func print(_ text: String) { context.stream(text, toStandardError: false) }
    func warn(_ text: String) { context.stream(text, toStandardError: true) }
    func show(_ output: RichOutput) { context.display(output.mimeBundle, metadata: [:], displayID: nil) }
    func liveDisplay(_ initial: RichOutput) -> LiveDisplay { JupyterLiveDisplay(context: context, initial: initial) }
    var isCancelled: Bool { context.isInterrupted }

    func prompt(_ question: String, password: Bool) throws -> String {
        do {
            return try context.input(prompt: question, password: password)
        } catch InputError.stdinNotAllowed {
            throw MagicError("StdinNotAllowedError", "This frontend does not answer prompts (it sent allow_stdin: false, as nbclient and papermill do).")
        } catch InputError.interrupted {
            throw MagicError.interrupted("Interrupted while waiting for an answer.")
        }
    }
}

/// A display updated in place, at most ten times a second. An update that comes too soon is not
/// lost: the latest one is sent when the interval has passed (so a stalled transfer still shows
/// where it stalled); the final state is always sent, and nothing after it.
final class JupyterLiveDisplay: LiveDisplay, @unchecked Sendable {
    static let minimumInterval: TimeInterval = 0.1

    private let context: ExecutionContext
    private let displayID = "hubkernel-" + UUID().uuidString.lowercased()
    private let lock = NSLock()
    private let sendLock = NSLock()
    private var lastSent = Date()
    private var pending: RichOutput?
    private var flushScheduled = false
    private var finished = false

    init(context: ExecutionContext, initial: RichOutput) {
        self.context = context
        context.display(initial.mimeBundle, metadata: [:], displayID: displayID)
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
            context.updateDisplay(output.mimeBundle, metadata: [:], displayID: displayID)
        }
    }
}
