import Foundation
import XCTest
@testable import Jupyter

/// A `Kernel` with `ScriptedHandler` running on its own thread over ipc sockets in a temp directory.
final class RunningKernel {
    let connection: ConnectionInfo
    let kernel: Kernel
    let directory: URL
    private let stopped = DispatchSemaphore(value: 0)

    init(key: String = "test-key-\(UUID().uuidString)", curve: (publicKey: String, secretKey: String)? = nil,
         redact: @escaping @Sendable (String) -> String = { $0 }) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hk-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var ports: [Channel: Int] = [:]
        for (offset, channel) in Channel.allCases.enumerated() { ports[channel] = offset + 1 }
        connection = ConnectionInfo(transport: .ipc, ip: directory.appendingPathComponent("k").path, ports: ports, key: key,
                                    curvePublicKey: curve?.publicKey, curveSecretKey: curve?.secretKey)
        kernel = try Kernel(connection: connection, handler: ScriptedHandler(), redact: redact)
        let thread = Thread { [kernel, stopped] in
            do { try kernel.run() } catch { XCTFail("run() threw \(error)") }
            stopped.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for `run()` to return.
    func waitUntilStopped(timeout: Double = 5) -> Bool {
        stopped.wait(timeout: .now() + timeout) == .success
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}
