import Foundation

/// Runs blocking work (HTTP transfers) on up to `workers` threads.
enum ParallelWork {
    /// `items.map(body)` with `workers` threads, results in input order; at most `heavyWorkers` of them at once
    /// on items `isHeavy` says are heavy (nil: no such limit). After the first error no new item starts; running
    /// ones finish. Cancellation wins over other errors, with the partial bytes kept by every interrupted item added up.
    static func map<T, R>(_ items: [T], workers: Int, heavyWorkers: Int? = nil, isHeavy: @escaping (T) -> Bool = { _ in false },
                          isCancelled: @escaping @Sendable () -> Bool, _ body: @escaping (T) throws -> R) throws -> [R] {
        guard !items.isEmpty else { return [] }
        let state = SharedState<R>(count: items.count)
        let group = DispatchGroup()
        let threads = max(1, min(workers, items.count))
        let heavyGate = heavyWorkers.flatMap { $0 < threads ? DispatchSemaphore(value: max(1, $0)) : nil }
        for _ in 0..<threads {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                while let index = state.next(), !isCancelled() {
                    let gate = isHeavy(items[index]) ? heavyGate : nil
                    gate?.wait()
                    defer { gate?.signal() }
                    do { state.store(try body(items[index]), at: index) } catch { state.fail(error) }
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        group.wait()
        let errors = state.errors
        let cancelled = errors.compactMap { error -> Int64? in
            if case .cancelled(let kept) = (error as? HubError)?.kind { return kept }
            return nil
        }
        if !cancelled.isEmpty || (isCancelled() && errors.isEmpty && state.results.contains { $0 == nil }) {
            throw HubError(.cancelled(kept: cancelled.reduce(0, +)))
        }
        if let first = errors.first { throw first }
        return state.results.map { $0! }
    }

    private final class SharedState<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var cursor = 0
        private var failed = false
        private(set) var results: [R?]
        private var collected: [Error] = []

        init(count: Int) { results = Array(repeating: nil, count: count) }

        func next() -> Int? {
            lock.withLock {
                guard !failed, cursor < results.count else { return nil }
                defer { cursor += 1 }
                return cursor
            }
        }

        func store(_ result: R, at index: Int) { lock.withLock { results[index] = result } }
        func fail(_ error: Error) { lock.withLock { failed = true; collected.append(error) } }
        var errors: [Error] { lock.withLock { collected } }
    }
}
