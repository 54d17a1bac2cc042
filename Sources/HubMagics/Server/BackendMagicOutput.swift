import Foundation
import Hub
import JSONRPC

/// `MagicOutput` for a request to the backend (`hub/runMagic`, `hub/download` …): text as `hub/stream`
/// notifications, displays as `hub/display` (live ones updated in place by display id, at most ten times a second),
/// a progress display also as `$/progress` when the request carries a `workDoneToken`, and questions as a
/// `hub/prompt` request to the client. Every notification names the request it belongs to.
final class BackendMagicOutput: MagicOutput, @unchecked Sendable {
    private let context: RequestContext
    /// The answer to the next password prompt, given by the client with the request (`hub/login {token}`).
    var presetAnswer: String?
    /// The JSON of the last display that had some: a magic that ends by updating its display (a browser login)
    /// rather than returning a result answers with it.
    private(set) var lastJSON: JSONValue? {
        get { lock.withLock { _lastJSON } }
        set { lock.withLock { _lastJSON = newValue } }
    }
    private var _lastJSON: JSONValue?
    private let lock = NSLock()

    init(context: RequestContext) {
        self.context = context
    }

    /// The request's id as JSON, for the notifications that belong to it.
    var requestJSON: JSONValue {
        switch context.id {
        case .int(let value): return .number(Double(value))
        case .string(let value): return .string(value)
        }
    }

    func print(_ text: String) { stream(text, name: "stdout") }
    func warn(_ text: String) { stream(text, name: "stderr") }

    func show(_ output: RichOutput) { display(output, displayID: nil, update: false) }

    func liveDisplay(_ initial: RichOutput) -> LiveDisplay {
        BackendLiveDisplay(output: self, progress: context.progress, initial: initial)
    }

    var isCancelled: Bool { context.isCancelled }

    func prompt(_ question: String, password: Bool) throws -> String {
        if isCancelled { throw MagicError.interrupted("Interrupted while waiting for an answer.") }
        if password, let preset = presetAnswer {
            presetAnswer = nil
            return preset
        }
        let answer: JSONValue
        do {
            answer = try context.sendRequest("hub/prompt", params: ["request": requestJSON, "prompt": .string(question),
                                                                    "password": .bool(password)])
        } catch {
            if isCancelled { throw MagicError.interrupted("Interrupted while waiting for an answer.") }
            throw MagicError("StdinNotAllowedError", "The client did not answer the prompt (\(error)): give the token another way (the `token` option of hub/login, or HF_TOKEN).")
        }
        guard let value = answer["value"]?.stringValue else {
            throw MagicError("StdinNotAllowedError", "The client's answer to hub/prompt had no string `value`.")
        }
        return value
    }

    func display(_ output: RichOutput, displayID: String?, update: Bool) {
        if let json = output.json { lastJSON = json }
        context.notify("hub/display", params: ["request": requestJSON, "displayId": displayID.map(JSONValue.string) ?? .null,
                                               "data": .object(output.mimeBundle), "update": .bool(update)])
    }

    private func stream(_ text: String, name: String) {
        context.notify("hub/stream", params: ["request": requestJSON, "name": .string(name), "text": .string(text)])
    }
}

/// A live display over the backend: `hub/display` with a display id, then updates with `update: true`; a display
/// that reports progress also drives the request's `$/progress` (begin at the first state, report, end at the last).
final class BackendLiveDisplay: ThrottledLiveDisplay, @unchecked Sendable {
    init(output: BackendMagicOutput, progress: WorkDoneProgress, initial: RichOutput) {
        let displayID = "hubkernel-" + UUID().uuidString.lowercased()
        output.display(initial, displayID: displayID, update: false)
        if let note = initial.progress {
            progress.begin(title: initial.text.components(separatedBy: ":").first ?? "HubKernel", cancellable: true,
                           message: note.message, percentage: note.percentage)
        }
        super.init { state, isFinal in
            output.display(state, displayID: displayID, update: true)
            if isFinal {
                progress.end(message: state.progress?.message ?? state.text)
            } else if let note = state.progress {
                progress.report(message: note.message, percentage: note.percentage)
            }
        }
    }
}
