import Glibc

extension RPCServer {
    /// Takes standard output for the protocol: returns a new descriptor for the real stdout (pass it as `output`) and
    /// points descriptor 1 at stderr, so a stray `print` anywhere in the process lands on stderr instead of
    /// corrupting the stream. Call once, before anything is written; nil (nothing changed) when `dup` fails.
    public static func takeStandardOutput() -> Int32? {
        let protocolOutput = dup(STDOUT_FILENO)
        guard protocolOutput >= 0 else { return nil }
        guard dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else {
            close(protocolOutput)
            return nil
        }
        return protocolOutput
    }
}
