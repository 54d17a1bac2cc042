import Foundation

/// The hosted kernel's connection file: IPC sockets inside a fresh directory only this user can enter, and a
/// fresh signing key. Other local users can neither connect nor subscribe to the child's (unmasked) iopub.
struct SubkernelConnection {
    let directory: String
    let info: ConnectionInfo
    var filePath: String { directory + "/kernel.json" }

    /// Makes the directory (0700) under `temporaryDirectory` and writes the connection file (0600) into it.
    init(temporaryDirectory: String = NSTemporaryDirectory()) throws {
        var template = Array(((temporaryDirectory as NSString).appendingPathComponent("hubkernel-python-XXXXXX")).utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ChildProcessError.spawnFailed("cannot make a private directory in \(temporaryDirectory): \(String(cString: strerror(errno)))")
        }
        directory = String(cString: made)
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        var ports: [Channel: Int] = [:]
        for (index, channel) in Channel.allCases.enumerated() { ports[channel] = index + 1 }
        info = ConnectionInfo(transport: .ipc, ip: directory + "/ipc", ports: ports, key: key, kernelName: "python3")
        let object: JSONValue = [
            "transport": "ipc", "ip": .string(info.ip), "key": .string(key), "signature_scheme": "hmac-sha256",
            "kernel_name": "python3",
            "shell_port": .number(Double(ports[.shell]!)), "iopub_port": .number(Double(ports[.iopub]!)),
            "stdin_port": .number(Double(ports[.stdin]!)), "control_port": .number(Double(ports[.control]!)),
            "hb_port": .number(Double(ports[.hb]!)),
        ]
        let path = directory + "/kernel.json"
        guard FileManager.default.createFile(atPath: path, contents: Data(object.serialized()), attributes: [.posixPermissions: 0o600]) else {
            throw ChildProcessError.spawnFailed("cannot write \(path)")
        }
    }

    /// Removes the directory with the connection file and the socket files.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
