import Foundation
import XCTest
@testable import Hub

final class AuthDotEnvTests: XCTestCase {
    func testParsesQuotesExportAndComments() {
        let text = """
            # a comment
            export HF_TOKEN='single # kept'
            HF_HOME = "/data/hf"   # trailing comment
            HF_ENDPOINT=http://127.0.0.1:9#not-a-comment
            OTHER=1
            HF_MULTI="a\\nb \\"q\\""
            not a line
            HF_EMPTY=
            HF_SPACED=  value with spaces  # c

            """
        let file = DotEnv.parse(text)
        XCTAssertEqual(file.entries.map(\.key), ["HF_TOKEN", "HF_HOME", "HF_ENDPOINT", "OTHER", "HF_MULTI", "HF_EMPTY", "HF_SPACED"])
        XCTAssertEqual(file.hubVariables, [
            "HF_TOKEN": "single # kept", "HF_HOME": "/data/hf", "HF_ENDPOINT": "http://127.0.0.1:9#not-a-comment",
            "HF_MULTI": "a\nb \"q\"", "HF_EMPTY": "", "HF_SPACED": "value with spaces",
        ])
        XCTAssertEqual(file.ignoredKeys, ["OTHER"])
        XCTAssertEqual(file.badLines, [7])
    }

    func testGitIgnoreStatusAsksGit() {
        let ignored = RecordingRunner(answers: ["git rev-parse --show-toplevel": CommandResult(status: 0, output: "/repo\n")])
        XCTAssertEqual(GitIgnoreStatus.check("/repo/.env", runner: ignored, environment: [:]), .ignored)
        XCTAssertEqual(ignored.calls.last?.arguments, ["git", "check-ignore", "-q", ".env"])
        let notIgnored = RecordingRunner(answers: ["git rev-parse --show-toplevel": CommandResult(status: 0, output: "/repo\n"),
                                                   "git check-ignore -q .env": CommandResult(status: 1, output: "")])
        XCTAssertEqual(GitIgnoreStatus.check("/repo/.env", runner: notIgnored, environment: [:]), .notIgnored(repositoryRoot: "/repo"))
        let outside = RecordingRunner(answers: ["git rev-parse --show-toplevel": CommandResult(status: 128, output: "fatal")])
        XCTAssertEqual(GitIgnoreStatus.check("/tmp/.env", runner: outside, environment: [:]), .notInRepository)
    }
}
