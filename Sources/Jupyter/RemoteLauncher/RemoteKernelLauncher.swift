import Foundation

/// A kernel started by a remote-kernel provisioner (launcher protocol version 1, as Enterprise Gateway and
/// gateway_provisioners speak it; see `launch_ipykernel.py`): it picks its own ports and signing key, writes them to
/// a private connection file, starts the kernel on it, sends the connection info sealed to the server's public key
/// to the response address, then keeps a communication port open through which the server signals the kernel
/// (interrupt, terminate, poll) and ends the launcher. Nothing secret is on the command line: the kernel reads its
/// tokens where it runs.
public struct RemoteKernelLauncher {
    public let arguments: LauncherArguments
    /// The kernel's argv for a connection file path.
    public let kernelCommand: (String) -> [String]
    public let environment: [String: String]
    /// Where the launcher says what it does (the provisioner's kernel log).
    public let log: (String) -> Void

    public init(arguments: LauncherArguments, environment: [String: String], log: @escaping (String) -> Void,
                kernelCommand: @escaping (String) -> [String]) {
        self.arguments = arguments
        self.environment = environment
        self.log = log
        self.kernelCommand = kernelCommand
    }

    /// Runs until the kernel has exited (or the server asked the launcher to stop); returns the exit status.
    public func run() throws -> Int32 {
        let sockets = try PortPicker.listen(count: Channel.allCases.count + 1, range: arguments.portRange)
        let comm = CommPort(fd: sockets[sockets.count - 1])
        var ports: [Channel: Int] = [:]
        for (channel, fd) in zip(Channel.allCases, sockets) {
            ports[channel] = PortPicker.port(of: fd)
            close(fd)  // the kernel binds them (launch_ipykernel.py does the same)
        }
        let directory = try PrivateDirectory.make(prefix: "hubkernel-remote")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let info = ConnectionInfo(ip: "0.0.0.0", ports: ports, key: PrivateDirectory.randomKey(), kernelName: "hubkernel")
        let file = directory + "/kernel-\(arguments.kernelID).json"
        try PrivateDirectory.writeSecret(info.json.serialized(), to: file)

        let log = self.log
        let kernel = try ChildProcess(arguments: kernelCommand(file), environment: environment,
                                      onOutput: { log($0) }, onExit: { log("kernel " + ChildProcess.describe(status: $0)) })
        do {
            try reply(info, kernelPID: kernel.pid, commPort: comm.port)
        } catch {
            kernel.terminate()
            close(comm.fd)
            throw error
        }
        log("kernel \(arguments.kernelID) started (pid \(kernel.pid)); ports \(ports.values.sorted()), communication port \(comm.port)")
        let ending = comm.serve(kernelExited: { kernel.status != nil }, signal: { number in
            log("signal \(ChildProcess.signalName(number)) for the kernel")
            kill(kernel.pid, number)
        })
        if ending == .shutdown {
            log("shutdown requested: waiting for the kernel to exit")
            if !kernel.waitForExit(seconds: 10) { kernel.terminate() }
        }
        _ = kernel.waitForExit(seconds: 5)
        return kernel.status.map { $0 & 0x7F == 0 ? ($0 >> 8) & 0xFF : 128 + ($0 & 0x7F) } ?? 1
    }

    /// Sends the sealed connection info, with the kernel's pid and the communication port, to the response address.
    private func reply(_ info: ConnectionInfo, kernelPID: pid_t, commPort: Int) throws {
        guard case .object(var object) = info.json else { return }
        object["pid"] = .number(Double(kernelPID))
        object["pgid"] = .number(Double(getpgid(kernelPID)))
        object["comm_port"] = .number(Double(commPort))
        object["kernel_id"] = .string(arguments.kernelID)
        let payload = try ConnectionInfoSealer.seal(JSONValue.object(object).serialized(), publicKey: arguments.publicKey)
        try ResponseAddress.send(Array(payload.utf8), host: arguments.responseHost, port: arguments.responsePort)
    }
}

/// The server's response address: one TCP connection, the payload, then close.
enum ResponseAddress {
    static func send(_ bytes: [UInt8], host: String, port: Int) throws {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw LauncherArguments.Invalid(description: "--response-address host '\(host)' cannot be resolved")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw LauncherArguments.Invalid(description: "no socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw LauncherArguments.Invalid(description: "cannot reach the response address \(host):\(port) (\(String(cString: strerror(errno)))): the server must be reachable from this host")
        }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw LauncherArguments.Invalid(description: "sending to \(host):\(port) failed: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }
}
