import Foundation
import Hub
import Jupyter
import XCTest
@testable import HubMagics

/// `%download` through the magics runner, with a one-file Hub answering in memory.
final class DownloadMagicTests: XCTestCase {
    /// Answers the routes a download of `org/repo` needs; records requests.
    final class OneFileHub: HTTPTransport, @unchecked Sendable {
        static let content = Data("{\"a\": 1}".utf8)
        static let commit = String(repeating: "9", count: 40)
        private let lock = NSLock()
        private var log: [HTTPRequest] = []
        var requests: [HTTPRequest] { lock.withLock { log } }

        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            lock.withLock { log.append(request) }
            let oid = Digest.gitBlobID(of: Self.content)
            if request.url.contains("/api/models/org/repo/revision/") {
                return HTTPResponse(status: 200, body: Data("{\"sha\":\"\(Self.commit)\"}".utf8))
            }
            if request.url.contains("/api/models/org/repo/tree/") {
                return HTTPResponse(status: 200, body: Data("[{\"type\":\"file\",\"path\":\"config.json\",\"oid\":\"\(oid)\",\"size\":\(Self.content.count)}]".utf8))
            }
            if request.url.hasSuffix("/resolve/main/config.json") || request.url.hasSuffix("/resolve/\(Self.commit)/config.json") {
                let headers = HTTPHeaders([("X-Repo-Commit", Self.commit), ("ETag", "\"\(oid)\""), ("Content-Length", "\(Self.content.count)")])
                return HTTPResponse(status: 200, headers: headers, body: request.method == "HEAD" ? Data() : Self.content)
            }
            return HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", Self.commit)]))
        }
    }

    /// Records prints and live displays (updates and the final state).
    final class DisplayRecorder: MagicOutput, LiveDisplay, @unchecked Sendable {
        private let lock = NSLock()
        var events: [String] = []
        var isCancelled = false
        func record(_ event: String) { lock.withLock { events.append(event) } }
        func print(_ text: String) { record("out:" + text) }
        func warn(_ text: String) { record("err:" + text) }
        func show(_ output: RichOutput) { record("show:" + output.text) }
        func liveDisplay(_ initial: RichOutput) -> LiveDisplay { record("live:" + initial.text); return self }
        func update(_ output: RichOutput) { record("update:" + output.text) }
        func finish(_ output: RichOutput) { record("finish:" + output.text) }
        func prompt(_ question: String, password: Bool) throws -> String { throw MagicError("StdinNotAllowedError", "no") }
    }

    var root: String!
    let hub = OneFileHub()

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hk-dlmagic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    func session(_ extra: [String: String] = [:]) -> MagicSession {
        let variables = ["HF_ENDPOINT": "http://hub.test", "HF_HOME": root + "/home", "HF_HUB_CACHE": root + "/cache"].merging(extra) { $1 }
        return MagicSession(environment: HubEnvironment(variables: variables, homeDirectory: root), transport: hub)
    }

    func testDownloadGivesPathsAsTextAndJSONAndFinishesTheDisplay() throws {
        let output = DisplayRecorder()
        let result = try XCTUnwrap(try MagicRunner(session: session()).run(cell: "%download org/repo config.json", output: output))
        let expected = root + "/cache/models--org--repo/snapshots/\(OneFileHub.commit)/config.json"
        XCTAssertEqual(result.text, expected)
        guard case .object(let json)? = result.json else { return XCTFail("no JSON") }
        XCTAssertEqual(json["paths"], .array([.string(expected)]))
        XCTAssertEqual(json["commit"], .string(OneFileHub.commit))
        XCTAssertEqual(FileManager.default.contents(atPath: expected), OneFileHub.content)
        XCTAssertTrue(output.events.first?.hasPrefix("live:Downloading org/repo/config.json") ?? false, "\(output.events)")
        XCTAssertTrue(output.events.last?.hasPrefix("finish:Done: org/repo — 1 downloaded") ?? false, "\(output.events)")
    }

    func testDryRunListsFilesAndFetchesNothing() throws {
        let output = DisplayRecorder()
        let result = try XCTUnwrap(try MagicRunner(session: session()).run(cell: "%download org/repo --dry-run", output: output))
        XCTAssertTrue(result.text.contains("config.json"), result.text)
        XCTAssertTrue(result.text.contains("[dry-run] 1 of 1 file(s) would be downloaded (8 B)."), result.text)
        XCTAssertFalse(hub.requests.contains { $0.url.contains("/resolve/") })
        XCTAssertTrue(output.events.isEmpty, "a dry run shows no progress bar")
    }

    func testNoProgressDisplayWhenProgressBarsAreDisabled() throws {
        let output = DisplayRecorder()
        let cell = "%download org/repo config.json"
        let result = try XCTUnwrap(try MagicRunner(session: session(["HF_HUB_DISABLE_PROGRESS_BARS": "1"])).run(cell: cell, output: output))
        XCTAssertTrue(result.text.hasSuffix("/config.json"), result.text)
        XCTAssertTrue(output.events.isEmpty, "HF_HUB_DISABLE_PROGRESS_BARS hides the live display: \(output.events)")
        _ = try MagicRunner(session: session(["HF_HUB_DISABLE_PROGRESS_BARS": "0"])).run(cell: cell + " --force-download", output: output)
        XCTAssertFalse(output.events.isEmpty, "0 keeps it")
    }

    func testStoredTokenChosenByNameIsSent() throws {
        let tokens = "[work]\nhf_token = token-for-work\n\n[home]\nhf_token = token-for-home\n"
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        try Data(tokens.utf8).write(to: URL(fileURLWithPath: root + "/home/stored_tokens"))
        _ = try MagicRunner(session: session(["HF_TOKEN": "token-from-env"])).run(cell: "%download org/repo config.json --token-name home",
                                                                                   output: DisplayRecorder())
        XCTAssertEqual(Set(hub.requests.compactMap { $0.headers.first { $0.name == "Authorization" }?.value }), ["Bearer token-for-home"])
        XCTAssertThrowsError(try MagicRunner(session: session()).run(cell: "%download org/repo --token-name nope", output: DisplayRecorder())) { error in
            XCTAssertEqual((error as? UserFacingError)?.name, "TokenNotFoundError")
            XCTAssertTrue((error as? UserFacingError)?.message.contains("work, home") ?? false, "\(error)")
        }
    }

    func testEnvironmentTokenIsSentByDefaultAndNotWhenImplicitTokensAreDisabled() throws {
        _ = try MagicRunner(session: session(["HF_TOKEN": "token-from-env"])).run(cell: "%download org/repo config.json", output: DisplayRecorder())
        XCTAssertTrue(hub.requests.allSatisfy { $0.headers.contains { $0 == ("Authorization", "Bearer token-from-env") } })
        let before = hub.requests.count
        _ = try MagicRunner(session: session(["HF_TOKEN": "token-from-env", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"]))
            .run(cell: "%download org/repo config.json --force-download", output: DisplayRecorder())
        XCTAssertTrue(hub.requests.dropFirst(before).allSatisfy { !$0.headers.contains { $0.name == "Authorization" } })
    }

    func testBadArgumentsAreUsageErrors() {
        for cell in ["%download org/repo --repo-type modle", "%download org/repo --max-workers 0", "%download"] {
            XCTAssertThrowsError(try MagicRunner(session: session()).run(cell: cell, output: DisplayRecorder()), cell) { error in
                XCTAssertEqual((error as? MagicError)?.name, "UsageError", "\(cell): \(error)")
            }
        }
        XCTAssertThrowsError(try MagicRunner(session: session()).run(cell: "%download a/b/c", output: DisplayRecorder())) { error in
            XCTAssertEqual((error as? UserFacingError)?.name, "InvalidRepoID")
        }
    }

    func testMissingFileIsNamedAndTheDisplayEnds() {
        let output = DisplayRecorder()
        XCTAssertThrowsError(try MagicRunner(session: session()).run(cell: "%download org/repo nope.txt", output: output)) { error in
            XCTAssertEqual((error as? UserFacingError)?.name, "RemoteEntryNotFoundError")
        }
        XCTAssertTrue(output.events.last?.hasPrefix("finish:") ?? false)
    }

    func testInterruptBecomesKeyboardInterrupt() {
        let output = DisplayRecorder()
        output.isCancelled = true
        XCTAssertThrowsError(try MagicRunner(session: session()).run(cell: "%download org/repo", output: output)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "KeyboardInterrupt", "\(error)")
        }
    }

    func testCompletesRepoTypesAndCachedRepos() throws {
        try FileManager.default.createDirectory(atPath: root + "/cache/models--org--cached", withIntermediateDirectories: true)
        let completer = MagicCompleter(session: session())
        XCTAssertEqual(completer.complete(code: "%download org/repo --repo-type da", cursor: 34).matches, ["dataset"])
        XCTAssertEqual(completer.complete(code: "%download org/c", cursor: 15).matches, ["org/cached"])
    }
}
