import Foundation
import XCTest
@testable import Hub

final class AuthWhoAmITests: XCTestCase {
    func testParsesTheFieldsShown() throws {
        let info = try XCTUnwrap(WhoAmIInfo.parse(Data(whoamiJSON(user: "alice", displayName: "laptop", role: "fineGrained",
                                                                  orgs: ["acme", "lab"], fullName: "Alice A").utf8)))
        XCTAssertEqual(info, WhoAmIInfo(user: "alice", fullName: "Alice A", accountType: "user", organizations: ["acme", "lab"],
                                        tokenDisplayName: "laptop", role: .fineGrained))
        XCTAssertEqual(info.tokenName, "laptop")
        let oauth = try XCTUnwrap(WhoAmIInfo.parse(Data(whoamiJSON(user: "bob", displayName: nil, role: "write").utf8)))
        XCTAssertEqual(oauth.tokenName, "oauth-bob", "as _validate_and_save_token names OAuth tokens")
        XCTAssertEqual(oauth.role, .write)
        XCTAssertNil(oauth.fullName, "an empty fullname is no full name")
        XCTAssertNil(WhoAmIInfo.parse(Data("[]".utf8)))
    }

    func testSendsTheTokenOnlyToTheEndpoint() throws {
        let token = makeFakeToken()
        let transport = StubTransport.hub([token: whoamiJSON(user: "alice", displayName: "t")])
        let environment = HubEnvironment(variables: ["HF_ENDPOINT": "http://127.0.0.1:9/"])
        _ = try WhoAmIClient(environment: environment, transport: transport).fetch(ResolvedToken(value: token, source: .environment(variable: "HF_TOKEN")))
        let request = try XCTUnwrap(transport.requests.first)
        XCTAssertEqual(request.url, "http://127.0.0.1:9/api/whoami-v2")
        XCTAssertEqual(request.method, "GET")
        XCTAssertTrue(request.headers.contains { $0.name == "authorization" && $0.value == "Bearer \(token)" })

        XCTAssertNotNil(AuthorizationPolicy.header(for: token, url: "HTTP://127.0.0.1:9/x", endpoint: "http://127.0.0.1:9"))
        XCTAssertNotNil(AuthorizationPolicy.header(for: token, url: "https://huggingface.co:443/a", endpoint: "https://huggingface.co"))
        for other in ["http://127.0.0.1:10/x", "https://127.0.0.1:9/x", "http://localhost:9/x", "https://cdn-lfs.hf.co/x", "not a url"] {
            XCTAssertNil(AuthorizationPolicy.header(for: token, url: other, endpoint: "http://127.0.0.1:9"), other)
        }
    }

    func testErrorsSayWhatToDo() {
        let token = ResolvedToken(value: makeFakeToken(), source: .environment(variable: "HF_TOKEN"))
        let environment = HubEnvironment(variables: ["HF_ENDPOINT": "http://127.0.0.1:9"])
        func failure(_ transport: StubTransport, _ environment: HubEnvironment = environment) -> AuthError? {
            do { _ = try WhoAmIClient(environment: environment, transport: transport).fetch(token); return nil } catch { return error as? AuthError }
        }
        let unauthorized = failure(.hub([:]))
        XCTAssertEqual(unauthorized, .invalidToken(source: .environment(variable: "HF_TOKEN"), endpoint: "http://127.0.0.1:9"))
        XCTAssertTrue(unauthorized?.message.contains("invalid or expired: create a new one at http://127.0.0.1:9/settings/tokens, then %hf_login") ?? false)
        XCTAssertTrue(unauthorized?.message.contains("HF_TOKEN takes precedence") ?? false)

        let limited = failure(StubTransport { _ in HTTPResponse(status: 429) })
        XCTAssertEqual(limited?.name, "HfHubHTTPError")
        let broken = failure(StubTransport { _ in HTTPResponse(status: 500, headers: HTTPHeaders([("X-Error-Message", "boom")])) })
        XCTAssertEqual(broken, .serverError(status: 500, url: "http://127.0.0.1:9/api/whoami-v2", detail: "boom"))
        let refused = failure(StubTransport { request in throw HTTPTransportError(kind: .cannotConnect, url: request.url, detail: "refused") })
        XCTAssertEqual(refused, .unreachable(url: "http://127.0.0.1:9/api/whoami-v2", detail: "refused"))
        XCTAssertTrue(refused?.message.contains("http://127.0.0.1:9/api/whoami-v2") ?? false, "names the endpoint that failed")
        XCTAssertEqual(failure(StubTransport { _ in HTTPResponse(status: 200, body: Data("<html>".utf8)) }), .unexpectedResponse(url: "http://127.0.0.1:9/api/whoami-v2"))
        XCTAssertEqual(failure(.hub([:]), HubEnvironment(variables: ["HF_HUB_OFFLINE": "1"])), .offline)
        for error in [unauthorized, limited, broken, refused].compactMap({ $0 }) {
            XCTAssertFalse(error.message.contains(token.value))
        }
    }
}
