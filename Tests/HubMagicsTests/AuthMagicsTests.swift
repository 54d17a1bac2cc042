import Foundation
import Hub
import Jupyter
import XCTest
@testable import HubMagics

/// Runs programs without running them (no real git in these tests).
private final class NoGit: CommandRunner, @unchecked Sendable {
    var calls: [[String]] = []
    func run(_ arguments: [String], input: String?, directory: String?, environment: [String: String]) throws -> CommandResult {
        calls.append(arguments)
        return CommandResult(status: arguments.starts(with: ["git", "rev-parse"]) ? 128 : 0, output: "")
    }
}

/// A Hub on a fake transport that knows one token.
private struct OneTokenHub: HTTPTransport {
    let token: String
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let bearer = request.headers.first { $0.name == "authorization" }?.value
        guard bearer == "Bearer \(token)" else { return HTTPResponse(status: 401) }
        let body = #"{"type":"user","name":"alice","fullname":"Alice A","orgs":[{"name":"acme"}],"auth":{"type":"access_token","accessToken":{"displayName":"laptop","role":"write"}}}"#
        return HTTPResponse(status: 200, body: Data(body.utf8))
    }
}

final class AuthMagicsTests: XCTestCase {
    private var folder = ""
    private var token = ""
    private let git = NoGit()

    override func setUp() {
        folder = NSTemporaryDirectory() + "hubkernel-authmagics-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        token = "hf_" + String((0..<34).map { _ in alphabet.randomElement()! })
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func session(_ variables: [String: String] = [:]) -> MagicSession {
        let environment = HubEnvironment(variables: ["HF_HOME": folder + "/hf", "HOME": folder, "HF_ENDPOINT": "http://127.0.0.1:9"]
            .merging(variables) { $1 })
        let registry = MagicRegistry(AuthMagics.all(runner: git))
        return MagicSession.standard(environment: environment, transport: OneTokenHub(token: token), registry: registry)
    }

    /// Runs `cell`, and checks the token appears nowhere in what was shown.
    @discardableResult
    private func run(_ cell: String, in session: MagicSession, answers: [String] = [],
                     file: StaticString = #filePath, line: UInt = #line) throws -> (result: RichOutput?, output: RecordingOutput) {
        let output = RecordingOutput()
        output.answers = answers
        defer {
            for event in output.events { XCTAssertFalse(event.contains(token), "token leaked: \(event)", file: file, line: line) }
        }
        let result = try MagicRunner(session: session).run(cell: cell, output: output)
        for text in [result?.text, result?.html, result?.json.map { "\($0)" }].compactMap({ $0 }) {
            XCTAssertFalse(text.contains(token), "token leaked in the result", file: file, line: line)
        }
        return (result, output)
    }

    func testLoginPromptsSavesAndReports() throws {
        let session = session()
        let (result, output) = try run("%hf_login --paste", in: session, answers: [token])
        XCTAssertEqual(result?.text, "Logged in as alice (token 'laptop', permission: write).")
        XCTAssertTrue(output.events.contains("out:Login successful.\n"))
        XCTAssertEqual(try String(contentsOfFile: folder + "/hf/token", encoding: .utf8), token)
        XCTAssertEqual(session.redact("x \(token) y"), "x \(TokenText.mask(token)) y", "the standard session masks the new token")

        let again = try run("%hf_login", in: session)
        XCTAssertTrue(again.result?.text.hasPrefix("Already logged in (token file") ?? false, again.result?.text ?? "")
        XCTAssertTrue(again.result?.text.contains("%hf_login --paste") ?? false, "says how to add an account: \(again.result?.text ?? "")")
        let second = try run("%hf_login --paste --name second", in: session, answers: [token])
        XCTAssertEqual(second.result?.text, "Logged in as alice (token 'second', permission: write). 'second' is now the active token; "
                       + "%auth_switch laptop goes back.", "a second account needs no --force, as `hf auth login --token`")
        XCTAssertEqual(TokenStore(environment: session.environment).storedTokens().names, ["laptop", "second"])
        XCTAssertFalse(second.output.events.contains { $0.contains("already in force") }, "no note in monospace above the result")
    }

    func testLoginWithoutStdinSaysHowToLogIn() {
        XCTAssertThrowsError(try run("%hf_login --paste", in: session())) { error in
            let error = error as? MagicError
            XCTAssertEqual(error?.name, "StdinNotAllowedError")
            XCTAssertTrue(error?.message.contains("HF_TOKEN") ?? false)
            XCTAssertTrue(error?.message.contains("hubkernel auth login") ?? false)
        }
    }

    func testLoginWithARejectedTokenKeepsItSecret() {
        let session = session()
        let wrong = token + "x"
        XCTAssertThrowsError(try run("%hf_login --paste", in: session, answers: [wrong])) { error in
            XCTAssertEqual((error as? AuthError)?.name, "HfHubHTTPError")
            XCTAssertFalse("\(error)".contains(wrong))
        }
        XCTAssertFalse(session.redact(wrong).contains(wrong), "a typed token is masked even when login fails")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/hf/token"))
    }

    func testWhoamiListSwitchLogout() throws {
        let session = session()
        try run("%hf_login --paste", in: session, answers: [token])
        let whoami = try run("%whoami", in: session).result
        for expected in ["alice", "Alice A", "acme", "laptop (write)", "token file", "http://127.0.0.1:9"] {
            XCTAssertTrue(whoami?.text.contains(expected) ?? false, "whoami shows \(expected)")
        }
        guard case .object(let fields)? = whoami?.json else { return XCTFail("whoami has JSON") }
        XCTAssertEqual(fields["role"], .string("write"))
        XCTAssertEqual(try run("%whoami --token-name laptop", in: session).result?.json.flatMap { json -> JSONValue? in
            if case .object(let f) = json { return f["token_source"] } else { return nil } },
                       .object(["kind": .string("stored_token"), "name": .string("laptop")]))

        let list = try run("%auth_list", in: session).result
        XCTAssertEqual(list?.text.split(separator: "\n").last.map(String.init), "*  laptop  \(TokenText.mask(token))")

        XCTAssertThrowsError(try run("%auth_switch", in: session)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "UsageError")
            XCTAssertTrue((error as? MagicError)?.message.contains("laptop") ?? false)
        }
        XCTAssertEqual(try run("%auth_switch laptop", in: session).result?.html, "<p>The current active token is: laptop</p>")

        let logout = try run("%hf_logout --token-name laptop", in: session).output
        XCTAssertTrue(logout.events.contains("err:Active token 'laptop' has been deleted.\n"))
        XCTAssertTrue(git.calls.contains(["git", "credential", "reject"]))
        XCTAssertThrowsError(try run("%whoami", in: session)) { error in
            XCTAssertEqual((error as? AuthError)?.name, "LocalTokenNotFoundError")
            XCTAssertTrue((error as? AuthError)?.message.contains("%hf_login") ?? false)
        }
    }

    func testTokenSourceJSONAndTable() throws {
        let session = session(["HF_TOKEN": token, "HUGGINGFACE_TOKEN": token + "2"])
        let json = try run("%token_source --json", in: session).result
        let parsed = try JSONSerialization.jsonObject(with: Data(json!.text.utf8)) as? [String: Any]
        let winner = parsed?["winner"] as? [String: Any]
        XCTAssertEqual((winner?["source"] as? [String: Any])?["variable"] as? String, "HF_TOKEN")
        XCTAssertEqual(winner?["masked"] as? String, TokenText.mask(token))
        XCTAssertTrue((parsed?["warnings"] as? [String])?.contains { $0.hasPrefix("HUGGINGFACE_TOKEN is a deprecated name") } ?? false)
        let table = try run("%token_source", in: session).result
        XCTAssertTrue(table?.text.contains("HF_TOKEN is set; environment variables come before the token file.") ?? false)
        XCTAssertTrue(table?.html?.contains("<tr style=\"font-weight:bold\"><td style=\"text-align:left;white-space:nowrap\">HF_TOKEN</td>") ?? false)
    }

    func testWriteTokenWarningOnceWhoamiIsKnown() throws {
        let session = session(["HF_TOKEN": token])
        let before = try run("%token_source", in: session).result?.text ?? ""
        XCTAssertFalse(before.contains("This is a write token"), "no whoami yet: no role warning")
        try run("%whoami", in: session)
        let after = try run("%token_source", in: session).result?.text ?? ""
        XCTAssertTrue(after.contains("This is a write token"), after)
        XCTAssertTrue(after.contains("Account: alice, token 'laptop' (write)."), after)
    }

    func testDotEnvLoadsOnlyHubVariablesAndNeverEchoes() throws {
        let session = session()
        let path = folder + "/project.env"
        try "HF_TOKEN=\(token)\nAWS_SECRET=abc123456\nexport HF_HUB_DISABLE_IMPLICIT_TOKEN=1\n".write(toFile: path, atomically: false, encoding: .utf8)
        let (result, output) = try run("%dotenv \(path)", in: session)
        XCTAssertEqual(session.environment.variables["HF_TOKEN"], token)
        XCTAssertTrue(session.environment.disablesImplicitToken)
        XCTAssertNil(session.environment.variables["AWS_SECRET"])
        XCTAssertTrue(result?.text.contains("Loaded 2 variables") ?? false)
        XCTAssertTrue(result?.text.contains("Ignored 1 variable") ?? false)
        XCTAssertFalse(result?.text.contains("abc123456") ?? true)
        XCTAssertTrue(output.events.contains { $0.hasPrefix("err:") && $0.contains("not in a git repository") })
        XCTAssertEqual(session.redact(token), TokenText.mask(token))
        XCTAssertThrowsError(try run("%dotenv \(folder)/missing.env", in: session)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "FileNotFoundError")
        }
    }

    func testCompletionAndHelp() throws {
        let session = session()
        try run("%hf_login --paste", in: session, answers: [token])
        let completer = MagicCompleter(session: session)
        XCTAssertEqual(completer.complete(code: "%whoami --token-name la", cursor: 23).matches, ["laptop"])
        XCTAssertEqual(completer.complete(code: "%auth_switch ", cursor: 13).matches, ["laptop"])
        XCTAssertEqual(completer.complete(code: "%hf_login --a", cursor: 13).matches, ["--add-to-git-credential"])
        for name in ["hf_login", "hf_logout", "whoami", "auth_list", "auth_switch", "token_source", "dotenv"] {
            XCTAssertTrue(try run("%\(name) --help", in: session).result?.text.hasPrefix("Usage: %\(name)") ?? false, name)
        }
    }
}
