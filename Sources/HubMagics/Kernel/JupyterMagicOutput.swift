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

/// A display updated in place, at most ten times a second; the final state is always sent.
final class JupyterLiveDisplay: LiveDisplay, @unchecked Sendable {
    static let minimumInterval: TimeInterval = 0.1

    private let context: ExecutionContext
    private let displayID = "hubkernel-" + UUID().uuidString.lowercased()
    private let lock = NSLock()
    private var lastSent = Date()
    private var finished = false

    init(context: ExecutionContext, initial: RichOutput) {
        self.context = context
        context.display(initial.mimeBundle, metadata: [:], displayID: displayID)
    }

    func update(_ output: RichOutput) {
        let due: Bool = lock.withLock {
            guard !finished, Date().timeIntervalSince(lastSent) >= Self.minimumInterval else { return false }
            lastSent = Date()
            return true
        }
        if due { context.updateDisplay(output.mimeBundle, metadata: [:], displayID: displayID) }
    }

    func finish(_ output: RichOutput) {
        lock.withLock { finished = true }
        context.updateDisplay(output.mimeBundle, metadata: [:], displayID: displayID)
    }
}
