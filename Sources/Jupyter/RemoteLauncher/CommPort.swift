import Foundation

/// The launcher's communication port: the server connects, sends one JSON object and closes. `{"signum": N}`
/// signals the kernel (0: is it alive? answered by accepting at all), `{"shutdown": 1}` ends the listening. Once
/// the kernel has exited the port closes, so the server's next poll is refused and it knows the kernel is gone.
final class CommPort {
    enum Request: Equatable {
        case signal(Int32)
        case shutdown
    }

    let fd: Int32
    var port: Int { PortPicker.port(of: fd) }

    init(fd: Int32) { self.fd = fd }

    /// Serves requests until the kernel has exited or a shutdown request arrived; returns which.
    func serve(kernelExited: () -> Bool, signal: (Int32) -> Void) -> Request? {
        defer { close(fd) }
        while !kernelExited() {
            var waiting = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&waiting, 1, 250) > 0 else { continue }
            let connection = accept(fd, nil, nil)
            guard connection >= 0 else { continue }
            let requests = Self.read(connection).map(Self.parse) ?? []
            close(connection)
            for request in requests {
                switch request {
                case .signal(let number): if number > 0 { signal(number) }
                case .shutdown: return .shutdown
                }
            }
        }
        return nil
    }

    /// The request's bytes up to the sender's close (at most 64 KiB, 2 s).
    private static func read(_ connection: Int32) -> [UInt8]? {
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65536 {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return count == 0 ? bytes : nil }
            bytes += buffer[0..<count]
        }
        return nil
    }

    /// `{"signum": N}` and/or `{"shutdown": 1}` (both may come in one object).
    static func parse(_ bytes: [UInt8]) -> [Request] {
        guard let object = (try? JSONValue.parse(bytes))?.objectValue else { return [] }
        var requests: [Request] = []
        if let number = object["signum"]?.intValue, (0...64).contains(number) { requests.append(.signal(Int32(number))) }
        if let flag = object["shutdown"], flag.intValue != 0 || flag.boolValue == true { requests.append(.shutdown) }
        return requests
    }
}
