/// What a kernel runs: the language side of a Jupyter kernel. The `Kernel` owns the
/// sockets and the protocol; a handler only turns code into outputs.
///
/// Every method is called on the shell thread, one request at a time.
public protocol KernelHandler: AnyObject {
    /// The language and banner parts of `kernel_info_reply`.
    var info: KernelInfo { get }

    /// Runs one cell. Outputs go through `context` as they happen; the return value
    /// becomes the `execute_reply` (and, for `.error`, the iopub `error` message).
    func execute(code: String, context: ExecutionContext) -> ExecutionOutcome

    /// `complete_request`: matches for the text around `cursorPosition` (in Unicode scalars, as the spec says).
    func complete(code: String, cursorPosition: Int) -> Completion

    /// `inspect_request`: help for the name at the cursor, or nil when there is nothing to show.
    func inspect(code: String, cursorPosition: Int, detailLevel: Int) -> MimeBundle?

    /// `is_complete_request`: whether the code can run as typed.
    func isComplete(code: String) -> CodeCompleteness

    /// Whether a `complete`/`inspect` (with the cursor) or `is_complete` (cursor nil) request for `code` is the
    /// hosted kernel's to answer rather than this handler's. Only asked when the kernel hosts one.
    func routesToSubkernel(code: String, cursorPosition: Int?) -> Bool

    /// Whether `execute(code:context:)` would do nothing but return `.forward(code: code)`: the whole cell is the
    /// hosted kernel's, unchanged. The kernel then sends it on at once and skips `execute`. False when unsure.
    func forwardsWholeCell(code: String) -> Bool
}

extension KernelHandler {
    public func routesToSubkernel(code: String, cursorPosition: Int?) -> Bool { false }
    public func forwardsWholeCell(code: String) -> Bool { false }
}

/// The handler's part of `kernel_info_reply`.
public struct KernelInfo: Sendable, Equatable {
    public var implementation: String
    public var implementationVersion: String
    public var languageName: String
    public var languageVersion: String
    public var mimetype: String
    public var fileExtension: String
    public var banner: String
    public var helpLinks: [(text: String, url: String)]

    public init(implementation: String, implementationVersion: String, languageName: String, languageVersion: String,
                mimetype: String, fileExtension: String, banner: String, helpLinks: [(text: String, url: String)]) {
        self.implementation = implementation
        self.implementationVersion = implementationVersion
        self.languageName = languageName
        self.languageVersion = languageVersion
        self.mimetype = mimetype
        self.fileExtension = fileExtension
        self.banner = banner
        self.helpLinks = helpLinks
    }

    public static func == (lhs: KernelInfo, rhs: KernelInfo) -> Bool {
        lhs.implementation == rhs.implementation && lhs.implementationVersion == rhs.implementationVersion
            && lhs.languageName == rhs.languageName && lhs.languageVersion == rhs.languageVersion
            && lhs.mimetype == rhs.mimetype && lhs.fileExtension == rhs.fileExtension && lhs.banner == rhs.banner
            && lhs.helpLinks.map { $0.text + "\n" + $0.url } == rhs.helpLinks.map { $0.text + "\n" + $0.url }
    }
}

/// How a cell ended.
public enum ExecutionOutcome: Sendable, Equatable {
    /// Success, with an optional `execute_result`.
    case ok(result: MimeBundle?)
    /// Failure: becomes an iopub `error` and an `execute_reply` with status `error`.
    case error(name: String, value: String, traceback: [String])
    /// The cell stopped because of an interrupt (reported as ename `KeyboardInterrupt`, like ipykernel).
    case interrupted(message: String)
    /// The handler's part ran; `code` goes on to the hosted kernel as the rest of this request, and its reply
    /// becomes the `execute_reply`.
    case forward(code: String)
}

/// `complete_reply` content.
public struct Completion: Sendable, Equatable {
    public var matches: [String]
    public var cursorStart: Int
    public var cursorEnd: Int

    public init(matches: [String], cursorStart: Int, cursorEnd: Int) {
        self.matches = matches
        self.cursorStart = cursorStart
        self.cursorEnd = cursorEnd
    }
}

/// `is_complete_reply` status.
public enum CodeCompleteness: Sendable, Equatable {
    case complete
    case incomplete(indent: String)
    case invalid
    case unknown
}

/// Why `ExecutionContext.input` could not return an answer.
public enum InputError: Error, Sendable, Equatable {
    /// The frontend sent `allow_stdin: false` (nbclient, papermill, some consoles).
    case stdinNotAllowed
    /// The cell was interrupted while waiting for the answer.
    case interrupted
}

/// The running cell's view of the kernel: where its outputs go and how it asks the user.
/// Safe to call from any thread while the cell runs (e.g. download worker threads).
public protocol ExecutionContext: AnyObject, Sendable {
    /// This cell's `execution_count`.
    var executionCount: Int { get }
    /// Whether the frontend can answer `input_request`s for this cell.
    var allowsStdin: Bool { get }
    /// True once an interrupt (message or SIGINT) arrived for this cell. Long work polls it.
    var isInterrupted: Bool { get }

    /// Sends a `stream` message (`stdout` or `stderr`).
    func stream(_ text: String, toStandardError: Bool)
    /// Sends `display_data`; with a `displayID`, later `updateDisplay` calls replace it in place.
    func display(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String?)
    /// Sends `update_display_data` for a display created with the same `displayID`.
    func updateDisplay(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String)
    /// Sends `clear_output`.
    func clearOutput(wait: Bool)
    /// Sends an `input_request` on stdin and blocks until the `input_reply` (or an interrupt).
    func input(prompt: String, password: Bool) throws -> String
}
