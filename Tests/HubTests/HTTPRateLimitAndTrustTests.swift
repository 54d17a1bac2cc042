import XCTest
@testable import Hub

/// `RateLimit` parsing as `parse_ratelimit_headers` / `_parse_retry_after`, `TrustStore` discovery, and
/// `ServerWarnings` once per topic.
final class HTTPRateLimitAndTrustTests: XCTestCase {
    func testRateLimitHeaderWinsOverRetryAfterWhenNothingRemains() throws {
        let headers = HTTPHeaders([("RateLimit", #""api";r=0;t=41"#), ("RateLimit-Policy", #""fixed window";"api";q=500;w=300"#),
                                   ("Retry-After", "7")])
        let limit = try XCTUnwrap(RateLimit(headers: headers))
        XCTAssertEqual(limit, RateLimit(quota: "api", resetIn: 41, limit: 500, windowSeconds: 300))
        XCTAssertEqual(limit.wait, 42)
        XCTAssertEqual(limit.quotaDescription, "the 'api' quota (500 requests per 300 s)")
    }

    func testRetryAfterWhenRequestsRemainOrNoRateLimit() {
        XCTAssertEqual(RateLimit(headers: HTTPHeaders([("RateLimit", #""api";r=3;t=41"#), ("Retry-After", "7")]))?.resetIn, 7)
        XCTAssertEqual(RateLimit(headers: HTTPHeaders([("retry-after", " 12 ")])), RateLimit(quota: nil, resetIn: 12))
        XCTAssertNil(RateLimit(headers: HTTPHeaders([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])))
        XCTAssertNil(RateLimit(headers: HTTPHeaders()))
    }

    func testTrustStorePrefersTheEnvironmentThenBuiltInThenKnownBundles() {
        let rhel: Set<String> = ["/etc/pki/tls/certs/ca-bundle.crt", "/etc/pki/tls/certs"]
        let onRHEL = TrustStore.resolve(environment: [:], builtInBundle: "/etc/ssl/certs/ca-certificates.crt", exists: rhel.contains)
        XCTAssertEqual(onRHEL.bundle, "/etc/pki/tls/certs/ca-bundle.crt")
        let onDebian = TrustStore.resolve(environment: [:], builtInBundle: "/etc/ssl/certs/ca-certificates.crt", exists: { _ in true })
        XCTAssertNil(onDebian.bundle, "libcurl's own bundle exists: keep it")
        let custom = TrustStore.resolve(environment: ["SSL_CERT_FILE": "/tmp/ca.pem", "SSL_CERT_DIR": "/tmp/certs:/other"],
                                        builtInBundle: nil, exists: rhel.contains)
        XCTAssertEqual(custom.bundle, "/tmp/ca.pem")
        XCTAssertEqual(custom.folder, "/tmp/certs")
        XCTAssertTrue(custom.origin.contains("SSL_CERT_FILE"))
        let none = TrustStore.resolve(environment: ["SSL_CERT_FILE": ""], builtInBundle: nil, exists: { _ in false })
        XCTAssertNil(none.bundle)
        XCTAssertTrue(none.origin.hasPrefix("none found"))
    }

    func testServerWarningsShowOncePerTopic() {
        let warnings = ServerWarnings()
        warnings.note(HTTPHeaders([("X-HF-Warning", "deprecation; use the new route"), ("X-HF-Warning", "quota; 80% used")]))
        warnings.note(HTTPHeaders([("X-HF-Warning", "deprecation; said again"), ("X-HF-Warning", "no topic here")]))
        XCTAssertEqual(warnings.take(), ["use the new route", "80% used", "no topic here"])
        XCTAssertEqual(warnings.take(), [])
    }

    func testHubErrorsCarryTheRequestID() {
        let id = RequestID(headers: HTTPHeaders([("X-Amzn-Trace-Id", "Root=1-abc"), ("X-Request-Id", "req-123")]))
        let error = HubError(.http(status: 500, url: "https://hub/x", detail: ""), requestID: id)
        XCTAssertTrue(error.message.hasSuffix("(Request ID: req-123)"), error.message)
        let limited = HubError(.rateLimited(url: "https://hub/api/x", limit: RateLimit(quota: "api", resetIn: 41, limit: 500, windowSeconds: 300)))
        XCTAssertTrue(limited.message.contains("'api' quota") && limited.message.contains("resets in 41 s"), limited.message)
    }
}
