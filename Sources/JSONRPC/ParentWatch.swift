import Foundation

/// Whether the process that started the server (`processId` of `initialize`) is gone: LSP asks the server to exit
/// then. Checked with `kill(pid, 0)` (ESRCH: no such process), at most once per `interval`.
final class ParentWatch: @unchecked Sendable {
    let pid: pid_t
    let interval: TimeInterval
    private let lock = NSLock()
    private var lastCheck: TimeInterval = 0
    private var gone = false

    init(pid: pid_t, interval: TimeInterval) {
        self.pid = pid
        self.interval = interval
    }

    /// True once the parent is found gone; the check itself runs at most once per `interval`.
    func parentIsGone() -> Bool {
        lock.withLock {
            guard !gone else { return true }
            let now = ProcessInfo.processInfo.systemUptime
            guard now - lastCheck >= interval else { return false }
            lastCheck = now
            gone = kill(pid, 0) == -1 && errno == ESRCH
            return gone
        }
    }
}
