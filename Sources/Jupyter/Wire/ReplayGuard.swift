import Foundation

/// Remembers signatures already accepted, so a replayed message is rejected. Bounded like
/// jupyter_client's `Session.digest_history`: at `capacity` + 1 entries a random 10% is forgotten.
final class ReplayGuard: @unchecked Sendable {
    let capacity: Int
    private var seen: Set<[UInt8]> = []
    private let lock = NSLock()

    init(capacity: Int = 1 << 16) {
        self.capacity = capacity
    }

    /// Records `signature`; false when it was already recorded (a replay).
    func admit(_ signature: [UInt8]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard capacity > 0 else { return true }
        guard seen.insert(signature).inserted else { return false }
        if seen.count > capacity {
            let cull = max(seen.count / 10, seen.count - capacity)
            for stale in seen.shuffled().prefix(cull) { seen.remove(stale) }
        }
        return true
    }

    var count: Int { lock.withLock { seen.count } }
}
