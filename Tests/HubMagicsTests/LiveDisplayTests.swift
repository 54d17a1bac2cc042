import Foundation
import Jupyter
import XCTest
@testable import HubMagics

/// Records display messages as "display:TEXT" / "update:TEXT".
final class RecordingContext: ExecutionContext, @unchecked Sendable {
    private let lock = NSLock()
    private var _sent: [String] = []
    var sent: [String] { lock.withLock { _sent } }
    let executionCount = 1
    let allowsStdin = false
    let isInterrupted = false
    private func record(_ kind: String, _ data: MimeBundle) {
        guard case .string(let text)? = data["text/plain"] else { return }
        lock.withLock { _sent.append(kind + ":" + text) }
    }
    func stream(_ text: String, toStandardError: Bool) {}
    func display(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String?) { record("display", data) }
    func updateDisplay(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String) { record("update", data) }
    func clearOutput(wait: Bool) {}
    func input(prompt: String, password: Bool) throws -> String { throw InputError.stdinNotAllowed }
}

final class LiveDisplayTests: XCTestCase {
    func testAnUpdateThatComesTooSoonIsSentLaterNotLost() {
        let context = RecordingContext()
        let display = JupyterLiveDisplay(context: context, initial: RichOutput(text: "0%"))
        display.update(RichOutput(text: "10%"))
        display.update(RichOutput(text: "40%"))
        XCTAssertEqual(context.sent, ["display:0%"], "both came within 100 ms of the first display")
        Thread.sleep(forTimeInterval: 0.25)
        XCTAssertEqual(context.sent, ["display:0%", "update:40%"], "the latest one arrives once the interval has passed")
    }

    func testNothingAfterTheFinalState() {
        let context = RecordingContext()
        let display = JupyterLiveDisplay(context: context, initial: RichOutput(text: "0%"))
        display.update(RichOutput(text: "50%"))
        display.finish(RichOutput(text: "Done"))
        display.update(RichOutput(text: "99%"))
        Thread.sleep(forTimeInterval: 0.25)
        XCTAssertEqual(context.sent, ["display:0%", "update:Done"])
    }
}
