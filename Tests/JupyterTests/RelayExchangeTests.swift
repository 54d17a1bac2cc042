import Foundation
import XCTest
@testable import Jupyter

/// The mailbox between the relay thread and the thread waiting on one forwarded request.
final class RelayExchangeTests: XCTestCase {
    /// A request sent before HubKernel's own busy and execute_input: the relay shows nothing of it before `announce`.
    func testTheRelayWaitsForTheAnnouncement() {
        let exchange = RelayExchange(msgID: "m", announced: false)
        let announcedAt = Date(timeIntervalSinceNow: 0.1)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { exchange.announce() }
        exchange.waitUntilAnnounced(timeout: 5)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(announcedAt), -0.01)
        let started = Date()
        exchange.waitUntilAnnounced(timeout: 5)
        XCTAssertLessThan(Date().timeIntervalSince(started), 0.05, "announced once, for good")
    }

    func testAnAnnouncementThatNeverComesOnlyDelaysTheRelay() {
        let exchange = RelayExchange(msgID: "m", announced: false)
        let started = Date()
        exchange.waitUntilAnnounced(timeout: 0.1)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.09)
        XCTAssertTrue(elapsedUnder(0.05) { RelayExchange(msgID: "n").waitUntilAnnounced(timeout: 5) }, "announced by default")
    }

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

    private func elapsedUnder(_ seconds: Double, _ body: () -> Void) -> Bool {
        let started = Date()
        body()
        return Date().timeIntervalSince(started) < seconds
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        var value: Int { lock.withLock { count } }
    }
}
