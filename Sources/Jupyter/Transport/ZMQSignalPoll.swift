import Foundation

/// Waits for incoming messages on libzmq sockets for a thread that drains each socket it is told about (reads until
/// none is left). `zmq_poll` asks every socket for its events before and after it waits, two system calls a socket
/// each time (and the relay holds eight); this waits on the sockets' signal descriptors (`ZMQ_FD`) with one `poll` and
/// names only the sockets whose descriptor fired, plus those marked with `recheck`.
///
/// libzmq's signal descriptor says that the socket has news to take in, not that a message is there; and any call on
/// the socket (a send too) may take that news in without a message being read. So a socket is named after each such
/// call (`recheck`), and once at first; a named socket that holds nothing costs one empty read.
struct ZMQSignalPoll {
    private var due: Set<ObjectIdentifier> = []
    private var lastSockets: Set<ObjectIdentifier> = []

    /// Names `socket` at the next `wait` whatever its descriptor says (call after sending on it).
    mutating func recheck(_ socket: ZMQSocket) {
        due.insert(ObjectIdentifier(socket))
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever; 0 when a socket is due) until a socket of `sockets` may have a
    /// message, or a descriptor of `descriptors` is readable; returns which to look at, sockets first. The caller
    /// must read each named socket until it has nothing left.
    mutating func wait(_ sockets: [ZMQSocket], descriptors: [Int32] = [], timeoutMilliseconds: Int) throws -> [Bool] {
        let current = Set(sockets.map(ObjectIdentifier.init))
        due.formUnion(current.subtracting(lastSockets))  // new here: its news may have been taken in before
        lastSockets = current
        var fds = try sockets.map { pollfd(fd: try $0.cachedSignalDescriptor(), events: Int16(POLLIN), revents: 0) }
            + descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let timeout = sockets.contains { due.contains(ObjectIdentifier($0)) } ? 0 : Int32(clamping: timeoutMilliseconds)
        while Glibc.poll(&fds, nfds_t(fds.count), timeout) < 0 {
            guard errno == EINTR else { throw ZMQError(operation: "poll", code: errno) }
        }
        let fired = fds.map { $0.revents != 0 }
        var ready = fired
        for (index, socket) in sockets.enumerated() where due.remove(ObjectIdentifier(socket)) != nil {
            ready[index] = true
        }
        return ready
    }
}
