import Foundation
import XCTest
@testable import Hub

final class AuthServiceTests: XCTestCase {
    func testLoginValidatesSavesActivatesAndNamesTheToken() throws {
        let home = TemporaryHome()
        let token = makeFakeToken()
        let transport = StubTransport.hub([token: whoamiJSON(user: "alice", displayName: "laptop", role: "write")])
        let environment = home.environment(["HF_ENDPOINT": "http://127.0.0.1:9"])
        let runner = RecordingRunner()
        let service = AuthService(environment: environment, transport: transport, runner: runner)

        let result = try service.login(token: "  \(token)\n", name: nil, addToGitCredential: false)
        XCTAssertEqual(result.name, "laptop")
        XCTAssertEqual(result.outcome.notes.first, "Token is valid (permission: write).")
        XCTAssertEqual(home.read("hf/token"), token)
        XCTAssertEqual(home.read("hf/stored_tokens"), "[laptop]\nhf_token = \(token)\n\n")
        XCTAssertTrue(runner.calls.isEmpty, "git is not touched without --add-to-git-credential")
        XCTAssertEqual(try service.chain.resolve()?.source, .tokenFile(path: environment.tokenPath))

        _ = try service.login(token: token, name: "renamed", addToGitCredential: false)
        XCTAssertEqual(service.store.storedTokens().names, ["laptop", "renamed"])
    }

    func testLoginRefusesBadTokensWithoutWritingAnything() {
        let home = TemporaryHome()
        let service = AuthService(environment: home.environment(), transport: StubTransport.hub([:]), runner: RecordingRunner())
        let cases: [(String, String)] = [("", "ValueError"), (" \n", "ValueError"), ("api_org_" + makeFakeToken(prefix: ""), "ValueError"), (makeFakeToken(), "HfHubHTTPError")]
        for (entered, name) in cases {
            XCTAssertThrowsError(try service.login(token: entered, name: nil, addToGitCredential: false)) { error in
                XCTAssertEqual((error as? AuthError)?.name, name)
            }
        }
        XCTAssertNil(home.read("hf/token"))
        XCTAssertNil(home.read("hf/stored_tokens"))
    }

    func testGitCredentialOnLoginAndLogout() throws {
        let home = TemporaryHome()
        let token = makeFakeToken()
        let transport = StubTransport.hub([token: whoamiJSON(user: "a", displayName: "t")])
        let environment = home.environment()
        let noHelper = RecordingRunner()
        let warned = try AuthService(environment: environment, transport: transport, runner: noHelper).login(token: token, name: nil, addToGitCredential: true)
        XCTAssertTrue(warned.outcome.warnings.contains(GitCredential.noHelperWarning))
        XCTAssertEqual(noHelper.calls.map(\.arguments), [["git", "config", "--list"]])

        let withHelper = RecordingRunner(answers: ["git config --list": CommandResult(status: 0, output: "credential.helper=store\n")])
        let service = AuthService(environment: environment, transport: transport, runner: withHelper)
        _ = try service.login(token: token, name: nil, addToGitCredential: true)
        XCTAssertEqual(withHelper.calls.map(\.arguments).last, ["git", "credential", "approve"])
        XCTAssertEqual(withHelper.calls.last?.input, "url=https://huggingface.co\nusername=hf_user\npassword=\(token)\n\n")
        _ = try service.logout(name: nil)
        XCTAssertEqual(withHelper.calls.last?.arguments, ["git", "credential", "reject"])
    }

    func testLogoutByNameAllAndNotLoggedIn() throws {
        let home = TemporaryHome()
        let environment = home.environment()
        let a = makeFakeToken(), b = makeFakeToken()
        try home.write("[a]\nhf_token = \(a)\n\n[b]\nhf_token = \(b)\n\n", to: "hf/stored_tokens")
        try SecretFile.write(a, to: environment.tokenPath)
        let runner = RecordingRunner()
        let service = AuthService(environment: environment, transport: StubTransport.hub([:]), runner: runner)

        let byName = try service.logout(name: "a")
        XCTAssertEqual(byName.warnings, ["Active token 'a' has been deleted."])
        XCTAssertNil(home.read("hf/token"))
        XCTAssertEqual(home.read("hf/stored_tokens"), "[b]\nhf_token = \(b)\n\n")
        XCTAssertThrowsError(try service.logout(name: "zzz"))

        _ = try service.logout(name: nil)
        XCTAssertNil(home.read("hf/stored_tokens"))
        XCTAssertEqual(try service.logout(name: nil).warnings, ["Not logged in!"])
        XCTAssertEqual(runner.calls.filter { $0.arguments == ["git", "credential", "reject"] }.count, 2)

        let stillIn = AuthService(environment: home.environment(["HF_TOKEN": a]), transport: StubTransport.hub([:]), runner: runner)
        try home.write("[b]\nhf_token = \(b)\n\n", to: "hf/stored_tokens")
        XCTAssertTrue(try stillIn.logout(name: nil).warnings.last?.contains("still logged in: environment variable HF_TOKEN") ?? false)
    }

    func testSwitchAndList() throws {
        let home = TemporaryHome()
        let a = makeFakeToken(), b = makeFakeToken(), env = makeFakeToken()
        try home.write("[b]\nhf_token = \(b)\nexpires_at = 1000\n\n[a]\nhf_token = \(a)\n\n[empty]\nnote = x\n\n", to: "hf/stored_tokens")
        let service = AuthService(environment: home.environment(), transport: StubTransport.hub([:]), runner: RecordingRunner())
        var listed = service.list(now: Date(timeIntervalSince1970: 2000))
        XCTAssertEqual(listed.tokens.map(\.isActive), [false, false, false])
        XCTAssertTrue(listed.outcome.warnings.first?.contains("No active token is set") ?? false)

        let outcome = try service.switchTo(name: "a", addToGitCredential: false)
        XCTAssertEqual(outcome.notes.last, "The current active token is: a")
        XCTAssertEqual(home.read("hf/token"), a)
        listed = service.list(now: Date(timeIntervalSince1970: 2000))
        XCTAssertTrue(listed.showsExpiry)
        XCTAssertEqual(listed.tokens.map(\.name), ["b", "a", "empty"], "file order, as Python prints it")
        XCTAssertEqual(listed.tokens.map(\.isActive), [false, true, false])
        XCTAssertEqual(listed.tokens.map(\.masked), [TokenText.mask(b), TokenText.mask(a), "<not set>"])
        XCTAssertTrue(listed.tokens[0].expires.hasSuffix("(expired)"))
        XCTAssertEqual(listed.tokens[1].expires, "")

        let overridden = AuthService(environment: home.environment(["HF_TOKEN": env]), transport: StubTransport.hub([:]), runner: RecordingRunner())
        XCTAssertEqual(try overridden.switchTo(name: "b", addToGitCredential: false).warnings,
                       ["environment variable HF_TOKEN is set and will override the access token you've just switched to."])
        XCTAssertThrowsError(try service.switchTo(name: "empty", addToGitCredential: false)) { error in
            XCTAssertEqual((error as? AuthError)?.name, "TokenNotFoundError")
        }
    }
}
