import CZeroMQ

/// The libzmq the kernel is linked with.
public enum ZeroMQ {
    /// `"4.3.5"`, from `zmq_version`.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
