import Jupyter

/// One piece of rich output: always plain text (terminals, `jupyter console`, logs),
/// optionally HTML (notebooks) and JSON (for other tools to consume).
public struct RichOutput: Sendable, Equatable {
    public var text: String
    public var html: String?
    public var json: JSONValue?
    /// For a display that reports progress: what a progress report says (not part of the MIME bundle).
    public var progress: ProgressNote?

    public init(text: String, html: String? = nil, json: JSONValue? = nil, progress: ProgressNote? = nil) {
        self.text = text
        self.html = html
        self.json = json
        self.progress = progress
    }

    /// The MIME type of the machine-readable result beside HTML. JupyterLab ranks `application/json`
    /// above `text/html`, so a bundle with both would show a raw JSON tree instead of the table.
    public static let resultMimeType = "application/vnd.hubkernel+json"

    /// The Jupyter MIME bundle: `text/plain`, plus `text/html`, plus the JSON — as `application/json`
    /// when it is the presentation (no HTML, e.g. `--json`), else as `resultMimeType`.
    public var mimeBundle: MimeBundle {
        var bundle: MimeBundle = ["text/plain": .string(text)]
        if let html { bundle["text/html"] = .string(html) }
        if let json { bundle[html == nil ? "application/json" : Self.resultMimeType] = json }
        return bundle
    }
}

/// What a progress display says, for frontends with a progress notion of their own (the backend's `$/progress`).
public struct ProgressNote: Sendable, Equatable {
    /// The same words as the display's line: bytes, rate over this run's bytes, time left, or why it waits.
    public var message: String
    /// 0–100, nil while the total is not known.
    public var percentage: Int?

    public init(message: String, percentage: Int? = nil) {
        self.message = message
        self.percentage = percentage
    }
}

/// Where a running magic sends its output and how it asks the user: a notebook cell
/// (`JupyterMagicOutput`) or a terminal (`TerminalMagicOutput`). Safe to use from any thread.
public protocol MagicOutput: AnyObject, Sendable {
    /// Plain text on standard output (a `stream` message in a notebook).
    func print(_ text: String)
    /// A warning on standard error.
    func warn(_ text: String)
    /// A rich display that stays as it is.
    func show(_ output: RichOutput)
    /// A display that is replaced in place as work progresses (a progress bar).
    func liveDisplay(_ initial: RichOutput) -> LiveDisplay
    /// Asks the user a question; with `password`, the answer is not shown.
    /// Throws a `MagicError` when nobody can answer (no stdin in this frontend) or on interrupt.
    func prompt(_ question: String, password: Bool) throws -> String
    /// True once the user interrupted (kernel interrupt, Ctrl-C). Long work polls it.
    var isCancelled: Bool { get }
    /// `text` naming commands as this frontend runs them: `%hf_login` in a notebook,
    /// `hubkernel auth login` in a terminal. For advice put into tables before their layout.
    func commandWording(_ text: String) -> String
    /// True in a terminal: a live display there shows only its last line, and the user can be asked
    /// to choose between ways of doing something (`hubkernel auth login`: browser or paste).
    var isTerminal: Bool { get }
}

extension MagicOutput {
    public func commandWording(_ text: String) -> String { text }
    public var isTerminal: Bool { false }
}

/// A display that can be updated in place. Updates are cheap to call often: the
/// implementation may drop updates that arrive faster than it shows them; `finish` is never dropped.
public protocol LiveDisplay: AnyObject, Sendable {
    func update(_ output: RichOutput)
    func finish(_ output: RichOutput)
}
