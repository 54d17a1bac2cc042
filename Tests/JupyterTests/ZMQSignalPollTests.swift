import CZeroMQ
import Foundation
import XCTest
@testable import Jupyter

/// The relay's wait (`ZMQSignalPoll`): every message is read, none waits for a later one, and an idle wait sleeps.
final class ZMQSignalPollTests: XCTestCase {
    private func pair(_ context: ZMQContext, _ name: String) throws -> (ZMQSocket, ZMQSocket) {
        let pull = try ZMQSocket(context: context, type: .pull)
        let push = try ZMQSocket(context: context, type: .push)
        try pull.bind("inproc://\(name)")
        try push.connect("inproc://\(name)")
        return (push, pull)
    }

    private func drain(_ socket: ZMQSocket) -> Int {
        var count = 0
        while (try? socket.receive(dontWait: true)) ?? nil != nil { count += 1 }
        return count
    }

    func testSocketsAreNamedAtFirstAndAnIdleWaitSleeps() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (push, pull) = try pair(context, "first")
        defer { push.close(); pull.close() }
        try push.send([Array("before".utf8)])
        var signals = ZMQSignalPoll()
        XCTAssertEqual(try signals.wait([pull], timeoutMilliseconds: -1), [true], "a socket new to the wait is looked at")
        XCTAssertEqual(drain(pull), 1)
        let started = Date()
        XCTAssertEqual(try signals.wait([pull], timeoutMilliseconds: 150), [false])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.14, "nothing came: it slept")
    }

    func testAMessageFromAnotherThreadWakesAForeverWait() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let (push, pull) = try pair(context, "wake")
        defer { push.close(); pull.close() }
        var signals = ZMQSignalPoll()
        _ = try signals.wait([pull], timeoutMilliseconds: 0)
        XCTAssertEqual(drain(pull), 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { try? push.send([Array("late".utf8)]) }
        var received = 0
        while received == 0 {
            let ready = try signals.wait([pull], timeoutMilliseconds: 5000)
            XCTAssertTrue(ready[0], "only the message can end this wait")
            received += drain(pull)
        }
        XCTAssertEqual(received, 1)
    }

    /// A DEALER that sends and receives on one socket (the relay's peers): a send can take in the news of a reply, so
    /// the socket is named again after it (`recheck`). Every reply of many quick round trips is read, none by timeout.
    func testRepliesToASocketThatAlsoSendsAreNeverMissed() throws {
        let context = try ZMQContext()
        defer { context.terminate() }
        let router = try ZMQSocket(context: context, type: .router)
        let dealer = try ZMQSocket(context: context, type: .dealer)
        defer { router.close(); dealer.close() }
        try router.bind("inproc://echo")
        try dealer.connect("inproc://echo")
        let rounds = 2000
        let echo = Thread {
            var echoed = 0
            while echoed < rounds, let frames = try? router.receive() {
                try? router.send(frames)
                echoed += 1
            }
        }
        echo.start()
        var signals = ZMQSignalPoll()
        var replies = 0
        for round in 0..<rounds {
            signals.recheck(dealer)
            try dealer.send([Array("\(round)".utf8)])
            var got = 0
            while got == 0 {
                let ready = try signals.wait([dealer], timeoutMilliseconds: 2000)
                XCTAssertTrue(ready[0], "round \(round): the reply's signal was lost")
                if !ready[0] { return }
                got = drain(dealer)
            }
            replies += got
        }
        XCTAssertEqual(replies, rounds)
    }
}
