import Foundation
import XCTest
@testable import Jupyter

/// The mailbox between the relay thread and the thread waiting on one forwarded request.
final class RelayExchangeTests: XCTestCase {
    /// Handed over after the reply: the relay publishes the idle once, then the waiting thread hears of it.
    func testIdleHandedOverIsPublishedByTheRelayOnce() {
        let exchange = RelayExchange(msgID: "m")
        let published = Counter()
        XCTAssertTrue(exchange.handOverIdle { published.add() })
        XCTAssertEqual(published.value, 0)
        exchange.childWentIdle()
        XCTAssertEqual(published.value, 1)
        XCTAssertTrue(exchange.idleWasPublished)
        guard case .idle? = exchange.next(timeout: 1) else { return XCTFail("the waiting thread hears of the idle") }
    }

    /// The child's idle came before the reply went out: the waiting thread publishes the idle itself.
    func testIdleThatCameFirstStaysWithTheWaitingThread() {
        let exchange = RelayExchange(msgID: "m")
        let published = Counter()
        exchange.childWentIdle()
        XCTAssertFalse(exchange.handOverIdle { published.add() })
        XCTAssertEqual(published.value, 0)
        XCTAssertFalse(exchange.idleWasPublished)
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
