import XCTest
@testable import Hub

final class HubEnvironmentTests: XCTestCase {
    func testDefaultsFollowHuggingFaceHub() {
        let env = HubEnvironment(variables: [:], homeDirectory: "/home/u")
        XCTAssertEqual(env.endpoint, "https://huggingface.co")
        XCTAssertEqual(env.home, "/home/u/.cache/huggingface")
        XCTAssertEqual(env.hubCache, "/home/u/.cache/huggingface/hub")
        XCTAssertEqual(env.tokenPath, "/home/u/.cache/huggingface/token")
        XCTAssertEqual(env.storedTokensPath, "/home/u/.cache/huggingface/stored_tokens")
        XCTAssertFalse(env.isOffline)
        XCTAssertEqual(env.etagTimeout, 10)
        XCTAssertEqual(env.downloadTimeout, 10)
    }

    func testOverridesAndPriority() {
        let env = HubEnvironment(variables: [
            "XDG_CACHE_HOME": "/xdg", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_TOKEN_PATH": "~/t/tok",
            "HF_ENDPOINT": "http://127.0.0.1:9/", "TRANSFORMERS_OFFLINE": "yes", "HF_HUB_ETAG_TIMEOUT": "3",
        ], homeDirectory: "/home/u")
        XCTAssertEqual(env.home, "/xdg/huggingface")
        XCTAssertEqual(env.hubCache, "/legacy")
        XCTAssertEqual(env.tokenPath, "/home/u/t/tok")
        XCTAssertEqual(env.storedTokensPath, "/home/u/t/stored_tokens")
        XCTAssertEqual(env.endpoint, "http://127.0.0.1:9")
        XCTAssertTrue(env.isOffline)
        XCTAssertEqual(env.etagTimeout, 3)

        let newer = HubEnvironment(variables: ["HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HUB_CACHE": "$BASE/${SUB}/$UNSET"],
                                   homeDirectory: "/h").withVariables(["BASE": "/b", "SUB": "s"])
        XCTAssertEqual(newer.hubCache, "/b/s/$UNSET")
    }

    func testIsTrueMatchesPython() {
        for value in ["1", "on", "YES", "True"] { XCTAssertTrue(HubEnvironment.isTrue(value), value) }
        for value in ["0", "", "no", "2", "auto"] { XCTAssertFalse(HubEnvironment.isTrue(value), value) }
        XCTAssertFalse(HubEnvironment.isTrue(nil))
    }
}

private extension HubEnvironment {
    func withVariables(_ extra: [String: String]) -> HubEnvironment {
        HubEnvironment(variables: variables.merging(extra) { $1 }, homeDirectory: "/h")
    }
}
