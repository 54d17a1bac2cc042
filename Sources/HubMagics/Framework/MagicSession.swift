import Foundation
import Hub
import Jupyter

/// State that lives as long as the kernel (or the CLI command): the Hub environment
/// (which `%dotenv` can extend), the HTTP transport, the token redactor, and the magics.
public final class MagicSession: @unchecked Sendable {
    private let lock = NSLock()
    private var _environment: HubEnvironment
    private var _redactor: @Sendable (String) -> String = { $0 }
    private var _variables: [String: String] = [:]
    private var _python: Subkernel?

    /// The magics this session knows, in `%lsmagic` order.
    public let registry: MagicRegistry
    /// How requests reach the Hub.
    public let transport: HTTPTransport

    public init(environment: HubEnvironment = .current, transport: HTTPTransport, registry: MagicRegistry = .standard) {
        _environment = environment
        self.transport = transport
        self.registry = registry
    }

    /// The Hub settings in force now.
    public var environment: HubEnvironment {
        get { lock.withLock { _environment } }
        set { lock.withLock { _environment = newValue } }
    }

    /// Values set with `%set NAME VALUE`, expanded as `$NAME` in later magic lines (papermill parameters).
    public var variables: [String: String] {
        get { lock.withLock { _variables } }
        set { lock.withLock { _variables = newValue } }
    }

    /// The Python kernel HubKernel hosts (the kernel sets it; nil in the terminal).
    public var python: Subkernel? {
        get { lock.withLock { _python } }
        set { lock.withLock { _python = newValue } }
    }

    /// Masks every known token in `text`. Every string that leaves the kernel passes through it.
    public func redact(_ text: String) -> String { lock.withLock { _redactor }(text) }

    /// Replaces the redaction filter (the auth layer installs one that knows every token source).
    public func setRedactor(_ redactor: @escaping @Sendable (String) -> String) {
        lock.withLock { _redactor = redactor }
    }
}

/// What a running magic sees: the session and this run's output.
public struct MagicContext: Sendable {
    public let session: MagicSession
    public let output: MagicOutput

    public init(session: MagicSession, output: MagicOutput) {
        self.session = session
        self.output = output
    }

    public var environment: HubEnvironment { session.environment }

    /// Throws `MagicError.interrupted` once the user interrupted; call between steps of long work.
    public func checkCancellation(_ whatWasKept: String = "") throws {
        if output.isCancelled {
            throw MagicError.interrupted("Interrupted." + (whatWasKept.isEmpty ? "" : " " + whatWasKept))
        }
    }
}
