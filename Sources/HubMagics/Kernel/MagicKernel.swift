import Hub
import Jupyter

/// The `KernelHandler` that runs HubKernel cells: each cell is a sequence of magic lines.
public final class MagicKernel: KernelHandler {
    public let session: MagicSession
    private let runner: MagicRunner
    private let completer: MagicCompleter

    public init(session: MagicSession) {
        self.session = session
        runner = MagicRunner(session: session)
        completer = MagicCompleter(session: session)
    }

    public var info: KernelInfo { HubKernelInfo.kernelInfo }

    public func execute(code: String, context: ExecutionContext) -> ExecutionOutcome {
        let output = JupyterMagicOutput(context: context)
        do {
            let result = try runner.run(cell: code, output: output)
            return .ok(result: result?.mimeBundle)
        } catch let error as MagicError where error.name == MagicError.interrupted("").name {
            return .interrupted(message: error.message)
        } catch let error as UserFacingError {
            if let url = error.helpURL {
                output.show(RichOutput(text: "\(error.message)\n\(url)",
                                       html: "<p><b>\(HTML.escape(error.name))</b>: \(HTML.escape(error.message)) \(HTML.link(url))</p>"))
            }
            return .error(name: error.name, value: error.message, traceback: [Self.traceback(name: error.name, message: error.message)])
        } catch {
            let message = String(describing: error)
            return .error(name: "Error", value: message, traceback: [Self.traceback(name: "Error", message: message)])
        }
    }

    public func complete(code: String, cursorPosition: Int) -> Completion {
        let (matches, start) = completer.complete(code: code, cursor: cursorPosition)
        return Completion(matches: matches, cursorStart: start, cursorEnd: cursorPosition)
    }

    public func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MimeBundle? {
        completer.inspect(code: code, cursor: cursorPosition)?.mimeBundle
    }

    public func isComplete(code: String) -> CodeCompleteness {
        CellParser.endsWithContinuation(code) ? .incomplete(indent: "") : .complete
    }

    /// One traceback line as terminals and notebooks show errors: the name in red.
    static func traceback(name: String, message: String) -> String {
        "\u{1B}[0;31m\(name)\u{1B}[0m: \(message)"
    }
}
