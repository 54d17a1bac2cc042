import Foundation
import XCTest
@testable import Hub

/// `OAuthClient`, `DeviceLogin` and `OIDCTokenSource` against stub endpoints.
final class AuthOAuthTests: XCTestCase {
    private let home = TemporaryHome()

    override func setUp() { OIDCTokenSource.shared.reset() }
    override func tearDown() { OIDCTokenSource.shared.reset() }

    private func client(_ transport: StubTransport, _ variables: [String: String] = [:]) -> OAuthClient {
        OAuthClient(environment: home.environment(["HF_ENDPOINT": "http://127.0.0.1:9"].merging(variables) { $1 }), transport: transport)
    }

    private func json(_ status: Int, _ text: String) -> StubTransport {
        StubTransport { _ in HTTPResponse(status: status, body: Data(text.utf8)) }
    }

    private static let device = OAuthClient.DeviceCode(deviceCode: "d", userCode: "ABCD-EFGH", verificationURI: "u",
                                                       verificationURIComplete: "u?c", interval: 1, expiresIn: 60)

    func testDeviceCodeIsNormalisedAndSendsTheClientID() throws {
        let transport = json(200, #"{"device_code":"d","user_code":"ABCD-EFGH","verification_uri":"http://h/device"}"#)
        let device = try client(transport, ["HF_DEVICE_CODE_OAUTH_CLIENT_ID": "my-app"]).requestDeviceCode()
        XCTAssertEqual(device, OAuthClient.DeviceCode(deviceCode: "d", userCode: "ABCD-EFGH", verificationURI: "http://h/device",
                                                      verificationURIComplete: "http://h/device", interval: 5, expiresIn: 900))
        XCTAssertEqual(transport.requests[0].url, "http://127.0.0.1:9/oauth/device")
        XCTAssertEqual(String(decoding: transport.requests[0].body ?? Data(), as: UTF8.self), "client_id=my-app")
        XCTAssertEqual(try client(json(200, "{}")).clientID, OAuthClient.defaultClientID)
    }

    func testMissingDeviceEndpointIsItsOwnError() {
        XCTAssertThrowsError(try client(json(404, "{}")).requestDeviceCode()) { error in
            XCTAssertEqual((error as? OAuthError)?.kind, .noDeviceEndpoint(url: "http://127.0.0.1:9/oauth/device"))
            XCTAssertTrue((error as? OAuthError)?.message.contains("--paste") ?? false)
        }
    }

    func testPollAnswersMapAsPollDeviceTokenDoes() throws {
        XCTAssertEqual(try client(json(400, #"{"error":"authorization_pending"}"#)).poll(Self.device), .pending)
        XCTAssertEqual(try client(json(400, #"{"error":"slow_down"}"#)).poll(Self.device), .slowDown)
        XCTAssertEqual(try client(json(503, #"{"error":"access_denied"}"#)).poll(Self.device), .inconclusive, "5xx is transient")
        XCTAssertEqual(try client(json(200, "<html>proxy</html>")).poll(Self.device), .inconclusive)
        XCTAssertEqual(try client(json(400, #"{"message":"no error field"}"#)).poll(Self.device), .inconclusive)
        XCTAssertEqual(try client(json(200, #"{"access_token":"a","refresh_token":"r","expires_in":60}"#)).poll(Self.device),
                       .token(.init(accessToken: "a", refreshToken: "r", expiresIn: 60)))
        for (code, kind) in [("access_denied", OAuthError.Kind.denied), ("expired_token", .expired), ("invalid_client", .oauth("invalid_client"))] {
            XCTAssertThrowsError(try client(json(400, #"{"error":"\#(code)"}"#)).poll(Self.device)) { error in
                XCTAssertEqual((error as? OAuthError)?.kind, kind)
            }
        }
    }

    func testWaitingStopsAtOnceWhenCancelled() {
        let started = Date()
        var polls = 0
        let transport = StubTransport { _ in HTTPResponse(status: 400, body: Data(#"{"error":"authorization_pending"}"#.utf8)) }
        XCTAssertThrowsError(try DeviceLogin(client: client(transport)).waitForApproval(
            OAuthClient.DeviceCode(deviceCode: "d", userCode: "c", verificationURI: "u", verificationURIComplete: "u", interval: 30, expiresIn: 600),
            isCancelled: { polls += 1; return polls > 3 })) { error in
            XCTAssertEqual((error as? HubError)?.kind, .cancelled(kept: 0))
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1)
        XCTAssertEqual(transport.requests.count, 1)
    }

    func testOIDCComesFirstIsCachedAndItsTokenIsMasked() throws {
        let exchanged = makeFakeToken(prefix: "hf_oauth_"), idToken = "header.payload.signature-" + UUID().uuidString
        let transport = StubTransport { request in
            let body = (try? JSONSerialization.jsonObject(with: request.body ?? Data())) as? [String: String]
            XCTAssertEqual(body?["subject_token"], idToken)
            XCTAssertEqual(body?["resource"], "alice/demo")
            XCTAssertEqual(body?["grant_type"], OAuthClient.exchangeGrant)
            return HTTPResponse(status: 200, body: Data(#"{"access_token":"\#(exchanged)","expires_in":3600}"#.utf8))
        }
        let environment = home.environment(["HF_ENDPOINT": "http://127.0.0.1:9", "HF_TOKEN": makeFakeToken(),
                                            "HF_OIDC_RESOURCE": "alice/demo", "HF_OIDC_ID_TOKEN": idToken])
        let chain = TokenChain(environment: environment, transport: transport)
        XCTAssertEqual(try chain.resolve(), ResolvedToken(value: exchanged, source: .oidc(resource: "alice/demo")))
        XCTAssertEqual(try chain.resolve()?.value, exchanged)
        XCTAssertEqual(transport.requests.count, 1, "cached until it expires")
        let redacted = LiveTokenRedactor().redact("\(exchanged) \(idToken)", environment: environment)
        XCTAssertFalse(redacted.contains(exchanged) || redacted.contains(idToken), redacted)
    }

    func testOIDCFailureIsAnErrorNotAFallback() {
        let refusing = json(400, #"{"error":"invalid_grant","error_description":"untrusted publisher"}"#)
        let withIDToken = home.environment(["HF_TOKEN": makeFakeToken(), "HF_OIDC_RESOURCE": "alice", "HF_OIDC_ID_TOKEN": "a.b.c"])
        XCTAssertThrowsError(try TokenChain(environment: withIDToken, transport: refusing).resolve()) { error in
            XCTAssertEqual((error as? OAuthError)?.name, "OIDCError")
            XCTAssertTrue((error as? OAuthError)?.message.contains("untrusted publisher") ?? false)
        }
        let noIDToken = home.environment(["HF_TOKEN": makeFakeToken(), "HF_OIDC_RESOURCE": "alice"])
        XCTAssertThrowsError(try TokenChain(environment: noIDToken, transport: refusing).resolve()) { error in
            XCTAssertTrue((error as? OAuthError)?.message.contains("HF_OIDC_ID_TOKEN is not set") ?? false)
        }
        XCTAssertTrue(refusing.requests.count == 1, "no exchange without an id token")
    }
}
