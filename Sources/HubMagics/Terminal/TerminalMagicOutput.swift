import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `MagicOutput` for a terminal (`hubkernel auth …`, `hubkernel download …`): results on
/// standard output, warnings and progress on standard error, prompts read from standard input
/// (without echo for passwords on a terminal; a plain line when input is piped).
public final class TerminalMagicOutput: MagicOutput, @unchecked Sendable {
    private let redact: @Sendable (String) -> String
    private let lock = NSLock()
    private let cancelled: @Sendable () -> Bool

    /// - Parameters:
    ///   - redact: masks tokens in everything written.
    ///   - cancelled: whether the user pressed Ctrl-C.
    public init(redact: @escaping @Sendable (String) -> String, cancelled: @escaping @Sendable () -> Bool) {
        self.redact = redact
        self.cancelled = cancelled
    }

    public var isCancelled: Bool { cancelled() }
    public var isTerminal: Bool { true }

    public func print(_ text: String) { write(text, to: stdout) }
    /// Errors, warnings and their fixes name commands, not magics (tables and results on standard
    /// output keep their layout).
    public func warn(_ text: String) { write(commandWording(text), to: stderr) }

    public func commandWording(_ text: String) -> String { CommandLineRoutes.terminalWording(text) }

    /// A failed command's error, `Name: message` (and its page below), on standard error; on a terminal wrapped at
    /// spaces to its width, so that `(did you mean --revision?)` is not split at the edge.
    public func error(name: String, message: String, helpURL: String?) {
        var text = commandWording("\(name): \(message)")
        if isatty(STDERR_FILENO) == 1 { text = TextWrap.wrap(text, width: TerminalWidth.columns(of: STDERR_FILENO) - 1) }
        write(text + "\n" + (helpURL.map { "  \($0)\n" } ?? ""), to: stderr)
    }

    public func show(_ output: RichOutput) {
        write(output.text.hasSuffix("\n") ? output.text : output.text + "\n", to: stdout)
    }

    public func liveDisplay(_ initial: RichOutput) -> LiveDisplay {
        TerminalLiveDisplay(output: self, initial: initial, isTerminal: isatty(STDERR_FILENO) == 1)
    }

    public func prompt(_ question: String, password: Bool) throws -> String {
        let interactive = isatty(STDIN_FILENO) == 1
        var saved = termios()
        let hideInput = interactive && password && tcgetattr(STDIN_FILENO, &saved) == 0
        if hideInput {  // before the question: what is typed once it shows is neither echoed nor flushed
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        if interactive { write(question, to: stderr) }
        defer {
            if hideInput {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                write("\n", to: stderr)
            }
        }
        guard let line = readLine(strippingNewline: true) else {
            throw MagicError("NoInputError", "Standard input ended before an answer was given. Type the answer, or pipe it in: `printf '%s' \"$TOKEN\" | hubkernel auth login`.")
        }
        return line
    }

    func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        let safe = redact(text)
        lock.withLock {
            fputs(safe, stream)
            fflush(stream)
        }
    }
}

/// A one-line progress display redrawn with `\r` on a terminal; when standard error is not
/// a terminal only the final state is written.
final class TerminalLiveDisplay: LiveDisplay, @unchecked Sendable {
    private let output: TerminalMagicOutput
    private let isTerminal: Bool
    private let lock = NSLock()
    private var lastDrawn = Date.distantPast
    private var finished = false

    init(output: TerminalMagicOutput, initial: RichOutput, isTerminal: Bool) {
        self.output = output
        self.isTerminal = isTerminal
        update(initial)
    }

    func update(_ rendered: RichOutput) {
        guard isTerminal else { return }
        let due: Bool = lock.withLock {
            guard !finished, Date().timeIntervalSince(lastDrawn) >= 0.1 else { return false }
            lastDrawn = Date()
            return true
        }
        guard due else { return }
        let line = rendered.text.split(separator: "\n").last.map(String.init) ?? ""
        // A line wider than the terminal wraps, and "\r" would then redraw only its last row.
        output.write("\r\u{1B}[2K" + Self.fit(line, width: TerminalWidth.columns(of: STDERR_FILENO) - 1), to: stderr)
    }

    /// `line` in at most `width` characters, giving way in this order: the bar (a run of █ and ░,
    /// shrunk keeping its proportion), the title before it (cut with "…"), then the end of the line;
    /// so the numbers after the bar stay readable the longest.
    static func fit(_ line: String, width: Int) -> String {
        var characters = Array(line)
        guard characters.count > width else { return line }
        let isBar: (Character) -> Bool = { $0 == "█" || $0 == "░" }
        if let start = characters.firstIndex(where: isBar) {
            let end = characters[start...].firstIndex { !isBar($0) } ?? characters.endIndex
            let filled = characters[start..<end].filter { $0 == "█" }.count
            let newLength = max(0, (end - start) - (characters.count - width))
            let newFilled = filled * newLength / (end - start)
            var rest = Array(characters[end...])
            if newLength == 0 { rest = Array(rest.drop { $0 == " " }) }
            else { rest = Array(repeating: "█", count: newFilled) + Array(repeating: "░", count: newLength - newFilled) + rest }
            var title = Array(characters[..<start])
            while title.last == " " { title.removeLast() }
            let room = width - 1 - rest.count  // for the title and the space after it
            if title.count > room { title = room >= 2 ? Array(title.prefix(room - 1)) + ["…"] : [] }
            characters = title.isEmpty ? rest : title + [" "] + rest
        }
        guard characters.count > width else { return String(characters) }
        return String(characters.prefix(max(width - 1, 0))) + "…"
    }

    func finish(_ rendered: RichOutput) {
        lock.withLock { finished = true }
        output.write((isTerminal ? "\r\u{1B}[2K" : "") + rendered.text + "\n", to: stderr)
    }
}

/// The width of a terminal in columns.
enum TerminalWidth {
    private typealias IOCtl = @convention(c) (Int32, UInt, UnsafeMutableRawPointer) -> Int32
    /// `ioctl` is variadic in C, which Swift does not import; called with its pointer argument only.
    private static let ioctl: IOCtl? = dlsym(nil, "ioctl").map { unsafeBitCast($0, to: IOCtl.self) }

    /// `TIOCGWINSZ` on `descriptor`, else `$COLUMNS`, else 80.
    static func columns(of descriptor: Int32) -> Int {
        var size = winsize()
        if let ioctl, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init) ?? 80
    }
}
