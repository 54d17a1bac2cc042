import XCTest
@testable import Jupyter

/// History semantics follow IPython's HistoryManager (what ipykernel answers).
final class HistoryStoreTests: XCTestCase {
    private func store(_ inputs: [String]) -> HistoryStore {
        let history = HistoryStore()
        for (offset, input) in inputs.enumerated() { history.record(line: offset + 1, input: input) }
        return history
    }

    private func rows(_ reply: [String: JSONValue]) -> [JSONValue] { reply["history"]?.arrayValue ?? [] }

    func testTailIsTheLastNOldestFirst() {
        let history = store(["a", "b", "c", "d"])
        XCTAssertEqual(rows(history.reply(to: ["hist_access_type": "tail", "n": 2, "output": false, "raw": true])),
                       [[1, 3, "c"], [1, 4, "d"]])
        XCTAssertEqual(rows(history.reply(to: ["hist_access_type": "tail", "output": false, "raw": true])).count, 4)
    }

    func testOutputPairsInputWithResultText() {
        let history = store(["a", "b"])
        history.setOutput(line: 2, output: "B")
        XCTAssertEqual(rows(history.reply(to: ["hist_access_type": "tail", "n": 2, "output": true, "raw": true])),
                       [[1, 1, ["a", nil]], [1, 2, ["b", "B"]]])
    }

    func testRangeIsStartInclusiveStopExclusiveInTheCurrentSession() {
        let history = store(["a", "b", "c", "d"])
        XCTAssertEqual(rows(history.reply(to: ["hist_access_type": "range", "session": 0, "start": 2, "stop": 4, "output": false, "raw": true])),
                       [[1, 2, "b"], [1, 3, "c"]])
        XCTAssertEqual(history.range(session: 1, start: 3, stop: nil).map(\.input), ["c", "d"])
        XCTAssertEqual(history.range(session: -1, start: 1, stop: nil), [])
        XCTAssertEqual(history.range(session: 7, start: 1, stop: nil), [])
    }

    func testSearchGlobUniqueAndN() {
        let history = store(["%echo a", "%help", "%echo b", "%echo a", "%ECHO c"])
        XCTAssertEqual(history.search(pattern: "%echo*", n: nil, unique: false).map(\.line), [1, 3, 4])
        XCTAssertEqual(history.search(pattern: "%echo*", n: nil, unique: true).map(\.line), [3, 4])
        XCTAssertEqual(history.search(pattern: "%echo*", n: 2, unique: false).map(\.line), [3, 4])
        XCTAssertEqual(history.search(pattern: "%echo ?", n: nil, unique: false).count, 3)
        XCTAssertEqual(history.search(pattern: "*", n: nil, unique: false).count, 5)
    }

    func testUnknownAccessTypeIsEmpty() {
        XCTAssertEqual(rows(store(["a"]).reply(to: ["hist_access_type": "sideways", "output": false, "raw": true])), [])
    }
}
