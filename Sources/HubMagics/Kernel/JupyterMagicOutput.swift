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

/// A notebook display updated in place (`update_display_data`), throttled by `ThrottledLiveDisplay`.
final class JupyterLiveDisplay: ThrottledLiveDisplay, @unchecked Sendable {
    init(context: ExecutionContext, initial: RichOutput) {
        let displayID = "hubkernel-" + UUID().uuidString.lowercased()
        context.display(initial.mimeBundle, metadata: [:], displayID: displayID)
        super.init { output, _ in context.updateDisplay(output.mimeBundle, metadata: [:], displayID: displayID) }
    }
}
