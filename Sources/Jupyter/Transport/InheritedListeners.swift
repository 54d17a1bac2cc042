import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP sockets already listening on the kernel's ports, handed over by `hubkernel-launcher` (the kernelspec's
/// command), which binds them before hubkernel's libraries are even loaded; the kernel's ZeroMQ sockets adopt them
/// (`ZMQ_USE_FD`) instead of binding again. `HUBKERNEL_LISTEN_FDS` names them: `shell:3,iopub:4,…`.
public enum InheritedListeners {
    public static let variable = "HUBKERNEL_LISTEN_FDS"

    /// The handed-over sockets that really listen on the port `connection` gives their channel, marked close-on-exec;
    /// any other descriptor named is closed. Unsets the variable, so that no child process sees it.
    public static func take(for connection: ConnectionInfo) -> [Channel: Int32] {
        guard let value = getenv(variable).map({ String(cString: $0) }) else { return [:] }
        unsetenv(variable)
        var listeners: [Channel: Int32] = [:]
        for entry in value.split(separator: ",") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let fd = Int32(parts[1]), fd > 2 else { continue }
            if let channel = Channel(rawValue: String(parts[0])), connection.transport == .tcp,
               listeners[channel] == nil, let port = connection.ports[channel], listensOnTCP(fd, port: port) {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                listeners[channel] = fd
            } else {
                close(fd)
            }
        }
        return listeners
    }

    /// True when `fd` is a listening IPv4 TCP socket bound to `port`.
    static func listensOnTCP(_ fd: Int32, port: Int) -> Bool {
        var accepting: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &size) == 0, accepting == 1 else { return false }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return named == 0 && address.sin_family == sa_family_t(AF_INET) && Int(UInt16(bigEndian: address.sin_port)) == port
    }
}
