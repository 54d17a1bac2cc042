import Hub
import XCTest
@testable import HubMagics

/// Records what a magic sends, in order.
final class RecordingOutput: MagicOutput, @unchecked Sendable {
    var events: [String] = []
    var answers: [String] = []
    var isCancelled = false
    func print(_ text: String) { events.append("out:" + text) }
    func warn(_ text: String) { events.append("err:" + text) }
    func show(_ output: RichOutput) { events.append("show:" + output.text) }
    func liveDisplay(_ initial: RichOutput) -> LiveDisplay { fatalError("not used") }
    func prompt(_ question: String, password: Bool) throws -> String {
        guard !answers.isEmpty else { throw MagicError("StdinNotAllowedError", "no") }
        return answers.removeFirst()
    }
}

struct OfflineTransport: HTTPTransport {
    func send(_ request: HTTPRequest) throws -> HTTPResponse { throw HTTPTransportError(kind: .cannotConnect, url: request.url, detail: "test") }
}

final class RunnerAndCompletionTests: XCTestCase {
    let session = MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"), transport: OfflineTransport())

    func testRunsLinesInOrderAndStopsAtFirstError() {
        let output = RecordingOutput()
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%echo a\n%echo --stderr b\n%nope\n%echo c", output: output)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "UnknownMagic")
        }
        XCTAssertEqual(output.events, ["out:a\n", "err:b\n"])
    }

    func testUnknownMagicNamesTheClosest() {
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%lsmgic", output: RecordingOutput())) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("did you mean %lsmagic?") ?? false, "\(error)")
        }
    }

    func testHelpFlagShowsHelpInsteadOfRunning() throws {
        let output = RecordingOutput()
        let result = try MagicRunner(session: session).run(cell: "%sleep --help", output: output)
        XCTAssertTrue(result?.text.hasPrefix("Usage: %sleep SECONDS") ?? false, result?.text ?? "nil")
        XCTAssertEqual(output.events, [])
    }

    func testSleepStopsOnCancellation() {
        let output = RecordingOutput()
        output.isCancelled = true
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%sleep 30", output: output)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "KeyboardInterrupt")
        }
    }

    func testCompletion() {
        let completer = MagicCompleter(session: session)
        XCTAssertEqual(completer.complete(code: "%ls", cursor: 3).matches, ["%lsmagic"])
        XCTAssertEqual(completer.complete(code: "%echo a\n  %sl", cursor: 13).start, 10)
        XCTAssertEqual(completer.complete(code: "%echo --s", cursor: 9).matches, ["--stderr"])
        XCTAssertEqual(completer.complete(code: "%help ls", cursor: 8).matches, ["lsmagic"])
        XCTAssertEqual(completer.complete(code: "%help ls", cursor: 8).start, 6)
        XCTAssertNotNil(completer.inspect(code: "%sleep 1", cursor: 2))
        XCTAssertNil(completer.inspect(code: "# just a comment", cursor: 2))
    }

    func testTableRendersTextAndEscapedHTML() {
        var table = Table(columns: ["a", "bb"])
        table.append(["<x>", "1"], highlighted: true)
        XCTAssertEqual(table.text, "a    bb\n---  --\n<x>  1")
        XCTAssertTrue(table.html.contains("<tr style=\"font-weight:bold\"><td style=\"text-align:left;white-space:nowrap\">&lt;x&gt;</td>"))
    }
}

final class RichOutputBundleTests: XCTestCase {
    func testJSONBesideHTMLUsesTheVendorTypeSoLabShowsTheHTML() {
        let both = RichOutput(text: "t", html: "<b>t</b>", json: .object(["a": .string("b")])).mimeBundle
        XCTAssertEqual(Set(both.keys), ["text/plain", "text/html", "application/vnd.hubkernel+json"])
        let jsonOnly = RichOutput(text: "{}", json: .object([:])).mimeBundle
        XCTAssertEqual(Set(jsonOnly.keys), ["text/plain", "application/json"])
    }
}
