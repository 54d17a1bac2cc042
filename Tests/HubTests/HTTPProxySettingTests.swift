import XCTest
@testable import Hub

/// `ProxySetting`: which variable libcurl would use for a URL, `NO_PROXY` exemptions, an address without the proxy
/// URL's credentials, and the message of each proxy failure.
final class HTTPProxySettingTests: XCTestCase {
    private let url = "https://huggingface.co/api/models/x"

    func testAddressNeverCarriesCredentials() throws {
        let proxy = try XCTUnwrap(ProxySetting(for: url, environment: ["HTTPS_PROXY": "http://bob:pa%40ss@proxy.corp:3128/"]))
        XCTAssertEqual(proxy, ProxySetting(address: "proxy.corp:3128", variable: "HTTPS_PROXY", hasCredentials: true))
        XCTAssertEqual(ProxySetting(for: url, environment: ["https_proxy": "proxy.corp"])?.address, "proxy.corp:1080")
    }

    func testLowercaseFirstThenAllProxyAndPlainHttpOnlyLowercase() {
        let both = ["https_proxy": "http://low:1", "HTTPS_PROXY": "http://up:2"]
        XCTAssertEqual(ProxySetting(for: url, environment: both)?.variable, "https_proxy")
        XCTAssertEqual(ProxySetting(for: url, environment: ["ALL_PROXY": "http://all:3"])?.address, "all:3")
        XCTAssertNil(ProxySetting(for: "http://hub.local/x", environment: ["HTTP_PROXY": "http://up:2"]))
        XCTAssertEqual(ProxySetting(for: "http://hub.local/x", environment: ["http_proxy": "http://low:1"])?.address, "low:1")
    }

    func testNoProxyExemptsHostsAndDomains() {
        for list in ["*", "huggingface.co", ".huggingface.co", "example.com, huggingface.co:443", "co"] {
            XCTAssertNil(ProxySetting(for: url, environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": list]), list)
        }
        XCTAssertNotNil(ProxySetting(for: url, environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": "face.co"]))
    }

    func testFailuresNameTheProxyAndTheFix() throws {
        let proxy = ProxySetting(address: "p:1", variable: "HTTPS_PROXY", hasCredentials: false)
        let login = try XCTUnwrap(proxy.failure(curlCode: .other, connectCode: 407, url: url, curlText: ""))
        XCTAssertEqual(login.kind, .proxyRefused)
        XCTAssertFalse(login.isWorthRetrying)
        XCTAssertTrue(login.description.contains("HTTPS_PROXY=http://user:pass@p:1"), login.description)
        let refused = try XCTUnwrap(proxy.failure(curlCode: .other, connectCode: 403, url: url, curlText: ""))
        XCTAssertTrue(refused.description.contains("refused to open a tunnel to huggingface.co"), refused.description)
        XCTAssertEqual(proxy.failure(curlCode: .couldNotConnect, connectCode: 0, url: url, curlText: "x")?.kind, .proxyUnreachable)
        XCTAssertEqual(proxy.failure(curlCode: .other, connectCode: 502, url: url, curlText: "")?.kind, .cannotConnect)
        XCTAssertNil(proxy.failure(curlCode: .other, connectCode: 200, url: url, curlText: "timeout"))
    }
}
