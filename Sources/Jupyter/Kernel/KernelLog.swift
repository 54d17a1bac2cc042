import Foundation

/// The kernel's diagnostic log: one line per event on stderr (never on the notebook), redacted.
final class KernelLog: @unchecked Sendable {
    private let redact: @Sendable (String) -> String
    private let lock = NSLock()

    init(redact: @escaping @Sendable (String) -> String) {
        self.redact = redact
    }

    func log(_ message: String) {
        let line = "[hubkernel] " + redact(message) + "\n"
        lock.withLock { FileHandle.standardError.write(Data(line.utf8)) }
    }
}
