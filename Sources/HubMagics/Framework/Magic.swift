import Hub
import Jupyter

/// A cell command such as `%download`. Implementations are small value types; all state
/// they need lives in the `MagicContext`.
///
/// ```swift
/// struct EchoMagic: Magic {
///     let spec = MagicSpec(name: "echo", summary: "Print text", positionals: [.init("TEXT", help: "…", repeated: true)])
///     func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
///         context.output.print(arguments.positionals.joined(separator: " "))
///         return nil
///     }
/// }
/// ```
public protocol Magic: Sendable {
    var spec: MagicSpec { get }

    /// Runs the magic. Outputs go to `context.output` as they happen; the returned value,
    /// if any, is the cell's result (`execute_result` in a notebook, plain text in a terminal).
    /// Throw a `UserFacingError` (engine errors are) or a `MagicError` to fail the cell.
    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput?
}

/// A failure found by the magics layer itself (bad arguments, no stdin, cancelled …).
public struct MagicError: UserFacingError, Equatable {
    public var name: String
    public var message: String
    public var helpURL: String?

    public init(_ name: String, _ message: String, helpURL: String? = nil) {
        self.name = name
        self.message = message
        self.helpURL = helpURL
    }

    /// Bad arguments for a magic; `message` says how to fix them.
    public static func usage(_ message: String) -> MagicError { MagicError("UsageError", message) }

    /// The user interrupted the cell (kernel interrupt, Ctrl-C).
    public static func interrupted(_ message: String) -> MagicError { MagicError("KeyboardInterrupt", message) }
}
