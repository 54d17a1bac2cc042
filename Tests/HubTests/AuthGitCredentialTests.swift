import Foundation
import XCTest
@testable import Hub

final class AuthGitCredentialTests: XCTestCase {
    func testSendsWhatHuggingFaceHubSends() {
        let runner = RecordingRunner()
        let git = GitCredential(environment: HubEnvironment(variables: ["HF_ENDPOINT": "http://127.0.0.1:9/"]), runner: runner)
        let token = makeFakeToken()
        git.approve(token: token)
        git.reject()
        XCTAssertEqual(runner.calls.map(\.arguments), [["git", "credential", "approve"], ["git", "credential", "reject"]])
        XCTAssertEqual(runner.calls[0].input, "url=http://127.0.0.1:9\nusername=hf_user\npassword=\(token)\n\n")
        XCTAssertEqual(runner.calls[1].input, "url=http://127.0.0.1:9\nusername=hf_user\n\n")
    }

    func testParsesHelpersLikeTheRegex() {
        let output = """
            user.name=x
            credential.helper=store
            credential.helper=cache --timeout 30
            CREDENTIAL.HELPER = /usr/bin/helper-x
            credential.https://huggingface.co.helper=store2
            credential.helper=!f() { echo; }; f
            credential.helper=store
            """
        XCTAssertEqual(GitCredential.parseHelpers(output), ["/usr/bin/helper-x", "cache", "store"])
    }

    /// With a real git and a throw-away HOME: the `store` helper receives the token for the endpoint.
    func testRealGitStoreHelper() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else { throw XCTSkip("git is not installed") }
        let home = TemporaryHome()
        var variables = ["HOME": home.path, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "HF_ENDPOINT": "http://127.0.0.1:9"]
        let environment = HubEnvironment(variables: variables)
        let git = GitCredential(environment: environment)
        XCTAssertEqual(git.helpers(), [])
        try home.write("[credential]\n\thelper = store\n", to: ".gitconfig")
        XCTAssertEqual(git.helpers(), ["store"])
        let token = makeFakeToken()
        XCTAssertTrue(git.approve(token: token))
        XCTAssertEqual(home.read(".git-credentials"), "http://hf_user:\(token)@127.0.0.1%3a9\n")
        XCTAssertTrue(git.reject())
        XCTAssertEqual(home.read(".git-credentials"), "")
        variables["PATH"] = "/nonexistent"
        XCTAssertFalse(GitCredential(environment: HubEnvironment(variables: variables)).approve(token: token), "no git: reported, not thrown")
    }
}
