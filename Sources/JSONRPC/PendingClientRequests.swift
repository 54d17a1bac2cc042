import Foundation
import JSONCore

/// Thrown by a server→client request when the connection ended before the client answered.
public struct ConnectionClosedError: Error, Sendable, Equatable, CustomStringConvertible {
    public init() {}
    public var description: String { "The connection to the client closed before it answered." }
}

/// Requests the server sent to the client, each waiting for its response. Their ids (1, 2, …) are the server's
/// own id space; a response is matched by id, and one for an id nobody waits for is ignored.
final class PendingClientRequests: @unchecked Sendable {
    private let condition = NSCondition()
    private var nextID = 1
    private var waiting: Set<Int> = []
    private var outcomes: [Int: Result<JSONValue, Error>] = [:]
    private var closed = false

    /// A new id to wait on, or nil once closed.
    func register() -> Int? {
        condition.withLock {
            guard !closed else { return nil }
            let id = nextID
            nextID += 1
            waiting.insert(id)
            return id
        }
    }

    /// Blocks until `id` is answered, failed, or the connection closes.
    func wait(_ id: Int) -> Result<JSONValue, Error> {
        condition.lock()
        defer { condition.unlock() }
        while outcomes[id] == nil && !closed { condition.wait() }
        waiting.remove(id)
        return outcomes.removeValue(forKey: id) ?? .failure(ConnectionClosedError())
    }

    /// Routes the client's response to its waiter.
    func resolve(_ response: RPCResponse) {
        guard case .int(let id)? = response.id else { return }
        finish(id, with: response.outcome.mapError { $0 as Error })
    }

    /// Ends the wait for `id` with `error` (a cancelled handler, a failed write).
    func fail(_ id: Int, with error: Error) {
        finish(id, with: .failure(error))
    }

    private func finish(_ id: Int, with outcome: Result<JSONValue, Error>) {
        condition.withLock {
            guard !closed, waiting.contains(id), outcomes[id] == nil else { return }
            outcomes[id] = outcome
            condition.broadcast()
        }
    }

    /// Wakes every waiter with `ConnectionClosedError`; later registrations fail.
    func closeAll() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }
}
