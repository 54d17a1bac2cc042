import Foundation
import Hub
import Jupyter

/// The `KernelHandler` that runs HubKernel cells: HubKernel's magic lines run here; with a hosted Python
/// (`session.python`), the rest of a cell goes on to it (`CellRouting` decides which lines are which).
public final class MagicKernel: KernelHandler {
    public let session: MagicSession
    private let runner: MagicRunner
    private let completer: MagicCompleter
    private let magicNames: Set<String>
    private let environmentSync: PythonEnvironmentSync

    public init(session: MagicSession) {
        self.session = session
        runner = MagicRunner(session: session)
        completer = MagicCompleter(session: session)
        magicNames = Set(session.registry.names)
        environmentSync = PythonEnvironmentSync(session: session)
    }

    public var info: KernelInfo { HubKernelInfo.kernelInfo }

    public func execute(code: String, context: ExecutionContext) -> ExecutionOutcome {
        let output = JupyterMagicOutput(context: context)
        do {
            guard session.python != nil else { return .ok(result: try runner.run(cell: code, output: output)?.mimeBundle) }
            let plan = try CellRouting.plan(code, magicNames: magicNames)
            let result = try runner.run(cell: plan.magics, output: output)
            environmentSync.pushChanges()
            guard let python = plan.python else { return .ok(result: result?.mimeBundle) }
            if let result { output.show(result) }  // the cell's result is Python's; the magic's stays visible
            return .forward(code: python)
        } catch let error as MagicError where error.name == MagicError.interrupted("").name {
            return .interrupted(message: error.message)
        } catch let error as UserFacingError {
            // The error box says it; this only adds the page to click (the message is not repeated).
            if let url = error.helpURL { output.show(RichOutput(text: url, html: "<p>Open \(HTML.link(url))</p>")) }
            return .error(name: error.name, value: error.message, traceback: [Self.traceback(name: error.name, message: error.message)])
        } catch {
            let message = String(describing: error)
            return .error(name: "Error", value: message, traceback: [Self.traceback(name: "Error", message: message)])
        }
    }

    public func forwardsWholeCell(code: String) -> Bool {
        guard session.python != nil, !environmentSync.hasChanges,
              let plan = try? CellRouting.plan(code, magicNames: magicNames) else { return false }
        return plan.magics.isEmpty && plan.python == code
    }

    public func complete(code: String, cursorPosition: Int) -> Completion {
        let (matches, start) = completer.complete(code: code, cursor: cursorPosition)
        return Completion(matches: matches, cursorStart: start, cursorEnd: cursorPosition)
    }

    public func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MimeBundle? {
        completer.inspect(code: code, cursor: cursorPosition)?.mimeBundle
    }

    public func routesToSubkernel(code: String, cursorPosition: Int?) -> Bool {
        guard let cursorPosition else {
            return (try? CellRouting.plan(code, magicNames: magicNames))?.python != nil
        }
        let line = Self.line(in: code, at: cursorPosition)
        if CellRouting.isHubKernelLine(line, magicNames: magicNames, orPrefix: true) { return false }
        return (try? CellRouting.plan(code, magicNames: magicNames))?.python != nil
            || !line.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// The line of `code` that holds the cursor (a Unicode-scalar offset, as Jupyter counts).
    static func line(in code: String, at cursor: Int) -> String {
        let scalars = Array(code.unicodeScalars)
        let position = min(max(0, cursor), scalars.count)
        var start = position
        while start > 0 && scalars[start - 1] != "\n" { start -= 1 }
        var end = position
        while end < scalars.count && scalars[end] != "\n" { end += 1 }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: scalars[start..<end])
        return String(line)
    }

    public func isComplete(code: String) -> CodeCompleteness {
        CellParser.endsWithContinuation(code) ? .incomplete(indent: "") : .complete
    }

    /// One traceback line as terminals and notebooks show errors: the name in red.
    static func traceback(name: String, message: String) -> String {
        "\u{1B}[0;31m\(name)\u{1B}[0m: \(message)"
    }
}
