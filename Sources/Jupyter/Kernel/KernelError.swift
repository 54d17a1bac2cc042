/// Why the kernel could not start.
public enum KernelError: Error, Sendable, CustomStringConvertible {
    /// The connection file asks for CurveZMQ but this libzmq has no Curve support.
    case curveUnavailable
    /// A channel's socket could not be set up or bound.
    case socketSetupFailed(channel: String, endpoint: String, reason: String)
    /// `run()` was called twice.
    case alreadyRan

    public var description: String {
        switch self {
        case .curveUnavailable:
            return "The connection file carries CurveZMQ keys but this libzmq was built without Curve (libsodium). Install a libzmq with Curve support, or start the kernel with transport_encryption disabled."
        case .socketSetupFailed(let channel, let endpoint, let reason):
            if reason.contains("in use") {
                return "Cannot open the \(channel) channel on \(endpoint): \(reason). Another process holds the port; let Jupyter pick new ports by restarting the kernel."
            }
            return "Cannot open the \(channel) channel on \(endpoint): \(reason). Check 'ip' in the connection file: it must be an address of this machine "
                + "(127.0.0.1, 0.0.0.0, or one of its interfaces); let Jupyter write the file rather than editing it."
        case .alreadyRan:
            return "This kernel already ran; create a new Kernel to start again."
        }
    }
}
