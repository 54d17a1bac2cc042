import XCTest
@testable import JSONRPC

final class ProgressTests: XCTestCase {
    func testReportsAreThrottledButBeginEndAndTheFinalStateAreSent() {
        let peer = TestPeer { server in
            server.onRequest("download") { _, context in
                let progress = context.progress
                progress.begin(title: "Downloading gpt2", cancellable: true, message: "starting", percentage: 0)
                let start = ProcessInfo.processInfo.systemUptime
                for index in 1...1000 {
                    progress.report(message: "file \(index)", percentage: index / 10)
                    let due = start + 0.28 * Double(index) / 1000
                    let wait = due - ProcessInfo.processInfo.systemUptime
                    if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                }
                progress.end(message: "done")
                return "ok"
            }
        }
        peer.initialize()
        peer.request(1, "download", ["workDoneToken": 7])
        var values: [JSONValue] = []
        while let message = peer.read(), message["method"] == "$/progress" {
            XCTAssertEqual(message["params"]?["token"], 7)
            values.append(message["params"]?["value"] ?? .null)
            XCTAssertLessThan(values.count, 20)
            if values.count >= 20 { break }
        }
        let kinds = values.map { $0["kind"]?.stringValue ?? "?" }
        XCTAssertEqual(kinds.first, "begin")
        XCTAssertEqual(kinds.last, "end")
        XCTAssertEqual(values.first, ["kind": "begin", "title": "Downloading gpt2", "cancellable": true, "message": "starting", "percentage": 0])
        XCTAssertEqual(values.last, ["kind": "end", "message": "done"])
        let reports = values.filter { $0["kind"] == "report" }
        XCTAssertEqual(reports.count, kinds.count - 2)
        XCTAssertGreaterThanOrEqual(reports.count, 2)
        XCTAssertLessThanOrEqual(reports.count, 4)
        XCTAssertEqual(reports.last, ["kind": "report", "message": "file 1000", "percentage": 100])
    }

    func testAHeldReportIsSentAfterTheIntervalWithoutWaitingForEnd() {
        let sent = Box<[RPCMessage]>()
        sent.value = []
        let lock = NSLock()
        let progress = WorkDoneProgress(token: .string("t"), interval: 0.1) { message in lock.withLock { sent.value!.append(message) } }
        progress.begin(title: "t")
        progress.report(percentage: 10)
        progress.report(message: "m")
        XCTAssertEqual(lock.withLock { sent.value!.count }, 1)
        Thread.sleep(forTimeInterval: 0.3)
        let params = lock.withLock { sent.value! }.compactMap { message -> JSONValue? in
            if case .notification(let notification) = message { return notification.params?["value"] }
            return nil
        }
        XCTAssertEqual(params, [["kind": "begin", "title": "t", "cancellable": false], ["kind": "report", "message": "m", "percentage": 10]])
        progress.end()
        XCTAssertEqual(lock.withLock { sent.value!.count }, 3)  // nothing held: no extra report before end
    }

    func testWithoutATokenProgressSendsNothing() {
        let peer = TestPeer { server in
            server.onRequest("work") { _, context in
                XCTAssertFalse(context.progress.isEnabled)
                context.progress.begin(title: "x")
                context.progress.report(percentage: 50)
                context.progress.end()
                return 1
            }
        }
        peer.initialize()
        peer.request(1, "work")
        XCTAssertResult(peer.read(), 1, id: 1)
    }
}
