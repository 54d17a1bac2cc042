import Foundation
import XCTest
@testable import Hub

/// `TokenRefresher` against a stub token endpoint: when it refreshes, what it writes, and how it fails.
final class AuthTokenRefresherTests: XCTestCase {
    private let home = TemporaryHome()
    private var environment: HubEnvironment { home.environment(["HF_ENDPOINT": "http://127.0.0.1:9"]) }
    private var store: TokenStore { TokenStore(environment: environment) }

    override func setUp() { TokenRefresher.shared.reset() }
    override func tearDown() { TokenRefresher.shared.reset() }

    /// Saves an OAuth login expiring `expiresIn` seconds from now and makes it active; returns (access, refresh).
    private func login(expiresIn: Int) throws -> (String, String) {
        let access = makeFakeToken(prefix: "hf_oauth_"), refresh = makeFakeToken(prefix: "hf_oauth_rt_")
        try store.save(token: access, name: "oauth-alice", refreshToken: refresh, expiresAt: Int(Date().timeIntervalSince1970) + expiresIn)
        try store.activate(name: "oauth-alice")
        return (access, refresh)
    }

    private func tokenEndpoint(status: Int = 200, _ body: @escaping @Sendable () -> String) -> StubTransport {
        StubTransport { request in
            XCTAssertEqual(request.url, "http://127.0.0.1:9/oauth/token")
            return HTTPResponse(status: status, body: Data(body().utf8))
        }
    }

    private func resolve(_ transport: StubTransport) throws -> String? {
        try TokenChain(environment: environment, transport: transport).resolve()?.value
    }

    func testRefreshesWithinADayAndKeepsAnUnrotatedRefreshToken() throws {
        let (old, refresh) = try login(expiresIn: 3600)
        let fresh = makeFakeToken(prefix: "hf_oauth_")
        let transport = tokenEndpoint { #"{"access_token":"\#(fresh)","expires_in":2592000,"token_type":"bearer"}"# }
        XCTAssertEqual(try resolve(transport), fresh)
        let body = String(decoding: transport.requests[0].body ?? Data(), as: UTF8.self)
        XCTAssertTrue(body.contains("grant_type=refresh_token") && body.contains("refresh_token=\(refresh)"), body)
        let section = try XCTUnwrap(store.storedTokens().document["oauth-alice"])
        XCTAssertEqual(section["hf_token"], fresh)
        XCTAssertEqual(section["refresh_token"], refresh)
        XCTAssertEqual(Int(section["expires_at"] ?? "").map { abs($0 - Int(Date().timeIntervalSince1970) - 2592000) < 5 }, true)
        XCTAssertEqual(try store.activeToken(), fresh)
        XCTAssertNotEqual(fresh, old)
        XCTAssertEqual(try resolve(transport), fresh)
        XCTAssertEqual(transport.requests.count, 1, "cached: no second refresh")
    }

    func testATokenWithMoreThanADayLeftIsNotRefreshed() throws {
        let (old, _) = try login(expiresIn: 2 * 86400)
        let transport = tokenEndpoint { "{}" }
        XCTAssertEqual(try resolve(transport), old)
        XCTAssertTrue(transport.requests.isEmpty)
    }

    func testRotationIsStoredAndAnotherActiveTokenIsLeftAlone() throws {
        let (_, refresh) = try login(expiresIn: -10)
        let other = makeFakeToken()
        let fresh = makeFakeToken(prefix: "hf_oauth_"), rotated = makeFakeToken(prefix: "hf_oauth_rt_")
        let transport = tokenEndpoint { #"{"access_token":"\#(fresh)","refresh_token":"\#(rotated)","expires_in":60}"# }
        let old = try XCTUnwrap(store.storedTokens().token(named: "oauth-alice"))
        try SecretFile.write(other, to: store.tokenPath)  // the user switched to another token meanwhile
        XCTAssertEqual(try TokenRefresher.shared.resolve(old, store: store, client: OAuthClient(environment: environment, transport: transport)), fresh)
        XCTAssertEqual(store.storedTokens().document["oauth-alice"]?["refresh_token"], rotated)
        XCTAssertNotEqual(rotated, refresh)
        XCTAssertEqual(try store.activeToken(), other, "the token file is rewritten only if it still held the old token")
    }

    func testInvalidGrantOnAnExpiredTokenSaysLogInAgain() throws {
        _ = try login(expiresIn: -10)
        let transport = tokenEndpoint(status: 400) { #"{"error":"invalid_grant","error_description":"revoked"}"# }
        XCTAssertThrowsError(try resolve(transport)) { error in
            XCTAssertEqual(error as? AuthError, .sessionExpired(name: "oauth-alice"))
            XCTAssertTrue((error as? AuthError)?.message.contains("Log in again with %hf_login") ?? false)
        }
        XCTAssertThrowsError(try resolve(transport))
        XCTAssertEqual(transport.requests.count, 1, "invalid_grant is final: not retried")
    }

    func testTransientFailureKeepsTheOldTokenAndWarnsOnce() throws {
        let (old, _) = try login(expiresIn: 600)
        let transport = tokenEndpoint(status: 503) { "<html>bad gateway</html>" }
        XCTAssertEqual(try resolve(transport), old)
        XCTAssertEqual(try resolve(transport), old)
        XCTAssertEqual(transport.requests.count, 1, "retried only after 5 minutes")
        let warnings = TokenRefresher.shared.takeWarnings()
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains("Will retry in 5 minutes"), warnings[0])
        XCTAssertTrue(TokenRefresher.shared.takeWarnings().isEmpty)
    }

    func testAFreshTokenIsRedacted() throws {
        _ = try login(expiresIn: 10)
        let fresh = makeFakeToken(prefix: "hf_oauth_")
        XCTAssertEqual(try resolve(tokenEndpoint { #"{"access_token":"\#(fresh)","expires_in":60}"# }), fresh)
        XCTAssertFalse(LiveTokenRedactor().redact("sent \(fresh)", environment: home.environment()).contains(fresh))
        XCTAssertTrue(IssuedSecrets.shared.all.contains(fresh))
    }
}
