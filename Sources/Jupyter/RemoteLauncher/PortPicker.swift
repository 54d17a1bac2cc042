import Foundation

/// Listening TCP sockets on all addresses for the ports a remote kernel offers, chosen by the system or at random
/// within the provisioner's `--port-range` (as `launch_ipykernel.py` does, with a few retries).
enum PortPicker {
    /// `count` sockets bound to 0.0.0.0 and listening; the caller closes them.
    static func listen(count: Int, range: ClosedRange<Int>) throws -> [Int32] {
        var sockets: [Int32] = []
        do {
            for _ in 0..<count { sockets.append(try listenOne(range)) }
        } catch {
            sockets.forEach { close($0) }
            throw error
        }
        return sockets
    }

    private static func listenOne(_ range: ClosedRange<Int>) throws -> Int32 {
        for _ in 0..<(range == 0...0 ? 1 : 20) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { break }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(range == 0...0 ? 0 : Int.random(in: range)).bigEndian)
            address.sin_addr = in_addr(s_addr: INADDR_ANY)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if bound == 0 && Glibc.listen(fd, 16) == 0 { return fd }
            close(fd)
        }
        throw LauncherArguments.Invalid(description: "no free port in \(range == 0...0 ? "the system's range" : "\(range.lowerBound)..\(range.upperBound)"): \(String(cString: strerror(errno)))")
    }

    static func port(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
