import Foundation

/// The hosted kernel's connection file: IPC sockets inside a fresh directory only this user can enter, and a
/// fresh signing key. Other local users can neither connect nor subscribe to the child's (unmasked) iopub.
struct SubkernelConnection {
    let directory: String
    let info: ConnectionInfo
    var filePath: String { directory + "/kernel.json" }

    /// Makes the directory (0700) under `temporaryDirectory` and writes the connection file (0600) into it, with `key`
    /// (nil or empty: a fresh random one).
    init(key: String? = nil, temporaryDirectory: String = NSTemporaryDirectory()) throws {
        directory = try PrivateDirectory.make(in: temporaryDirectory, prefix: "hubkernel-python")
        var ports: [Channel: Int] = [:]
        for (index, channel) in Channel.allCases.enumerated() { ports[channel] = index + 1 }
        info = ConnectionInfo(transport: .ipc, ip: directory + "/ipc", ports: ports, key: key.flatMap { $0.isEmpty ? nil : $0 } ?? PrivateDirectory.randomKey(), kernelName: "python3")
        try PrivateDirectory.writeSecret(info.json.serialized(), to: filePath)
    }

    /// Removes the directory with the connection file and the socket files.
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
