import XCTest
@testable import Hub

/// `HubClient` waits for the window a 429 names (reporting it), counts downloads, and gives up at once on a window
/// too long to wait for.
final class HubClientRateLimitTests: XCTestCase {
    /// Answers the queued responses in order, recording each request.
    private final class QueuedTransport: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var queue: [HTTPResponse]
        private(set) var requests: [HTTPRequest] = []
        init(_ responses: [HTTPResponse]) { queue = responses }
        func send(_ request: HTTPRequest) throws -> HTTPResponse {
            lock.withLock {
                requests.append(request)
                return queue.count > 1 ? queue.removeFirst() : queue[0]
            }
        }
    }

    private final class Notes: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [String?] = []
        func add(_ note: String?) { lock.withLock { stored.append(note) } }
        var all: [String?] { lock.withLock { stored } }
    }

    private let repoInfo = HTTPResponse(status: 200, body: Data(#"{"sha": "0123456789abcdef0123456789abcdef01234567"}"#.utf8))

    func testAWindowIsWaitedForOnceAndReported() throws {
        let limited = HTTPResponse(status: 429, headers: HTTPHeaders([("RateLimit", #""api";r=0;t=0"#), ("RateLimit-Policy", #""fixed window";"api";q=500;w=300"#)]))
        let transport = QueuedTransport([limited, repoInfo])
        let notes = Notes()
        let client = HubClient(endpoint: "https://hub.test", token: "hf_secret", transport: transport)
            .forDownload(isCancelled: { false }, onWait: { notes.add($0) })
        let started = Date()
        XCTAssertEqual(try client.commit(of: try RepoID("org/m"), revision: "main"), "0123456789abcdef0123456789abcdef01234567")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9, "t=0 still waits the extra second")
        XCTAssertEqual(transport.requests.count, 2)
        XCTAssertEqual(notes.all, ["rate limited by the Hub (the 'api' quota (500 requests per 300 s)): waiting 1 s", nil])
        XCTAssertTrue(transport.requests.allSatisfy { request in request.headers.contains { $0.name == "X-HF-Download-Counter" && $0.value == "1" } })
    }

    func testAWindowTooLongIsReportedAtOnce() {
        let limited = HTTPResponse(status: 429, headers: HTTPHeaders([("RateLimit", #""api";r=0;t=3600"#), ("X-Request-Id", "r-1")]))
        let transport = QueuedTransport([limited])
        let client = HubClient(endpoint: "https://hub.test", token: nil, transport: transport)
        XCTAssertThrowsError(try client.commit(of: try RepoID("org/m"), revision: "main")) { error in
            let message = (error as? HubError)?.message ?? "\(error)"
            XCTAssertTrue(message.contains("the 'api' quota") && message.contains("resets in 3600 s"), message)
            XCTAssertTrue(message.hasSuffix("(Request ID: r-1)"), message)
        }
        XCTAssertEqual(transport.requests.count, 1)
        XCTAssertFalse(transport.requests[0].headers.contains { $0.name == "X-HF-Download-Counter" }, "not a download")
    }
}
