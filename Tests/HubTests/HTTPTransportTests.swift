import Foundation
import XCTest
@testable import Hub

/// `CurlTransport` against a local server: complete responses, no redirects followed,
/// identity encoding, timeouts, streaming into files with hashing, ranges and aborts.
final class HTTPTransportTests: XCTestCase {
    var server: HTTPTestServer!
    let transport = CurlTransport()
    var directory: URL!

    override func setUpWithError() throws {
        server = try HTTPTestServer()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("hk-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func echo(_ request: HTTPRequest) throws -> [String: Any] {
        let response = try transport.send(request)
        XCTAssertEqual(response.status, 200)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    func testSendsHeadersIdentityEncodingAndUserAgent() throws {
        let json = try echo(HTTPRequest(url: server.base + "/echo", headers: [("X-Test", "1"), ("Authorization", "Bearer abc")]))
        let headers = try XCTUnwrap(json["headers"] as? [String: String])
        XCTAssertEqual(headers["X-Test"], "1")
        XCTAssertEqual(headers["Authorization"], "Bearer abc")
        XCTAssertEqual(headers["Accept-Encoding"], "identity")
        XCTAssertTrue(headers["User-Agent"]?.hasPrefix("hubkernel/0.1; curl/") ?? false, "\(headers)")
        XCTAssertNotEqual(headers["User-Agent"], "hubkernel/0.1; curl/unknown")
    }

    func testPostBodyAndCustomMethod() throws {
        let post = try echo(HTTPRequest(method: "POST", url: server.base + "/echo", body: Data("{\"a\":1}".utf8)))
        XCTAssertEqual(post["method"] as? String, "POST")
        XCTAssertEqual(post["body"] as? String, "{\"a\":1}")
        let delete = try echo(HTTPRequest(method: "DELETE", url: server.base + "/echo"))
        XCTAssertEqual(delete["method"] as? String, "DELETE")
    }

    func testResponseHeadersKeepEveryFieldAndLookupIgnoresCase() throws {
        let response = try transport.send(HTTPRequest(url: server.base + "/echo"))
        XCTAssertEqual(response.headers.fields.filter { $0.name.lowercased() == "x-multi" }.map(\.value), ["a", "b"])
        XCTAssertEqual(response.headers["CONTENT-LENGTH"], String(response.body.count))
    }

    func testErrorStatusIsAResponseNotAThrow() throws {
        let response = try transport.send(HTTPRequest(url: server.base + "/status/404"))
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.headers["x-error-code"], "Test")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "status 404")
    }

    func testRedirectIsNotFollowed() throws {
        let response = try transport.send(HTTPRequest(url: server.base + "/redirect"))
        XCTAssertEqual(response.status, 302)
        XCTAssertEqual(response.headers["location"], "/echo")
    }

    func testHeadHasHeadersAndNoBody() throws {
        let response = try transport.send(HTTPRequest(method: "HEAD", url: server.base + "/bytes/1000"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-length"], "1000")
        XCTAssertTrue(response.body.isEmpty)
    }

    func testRefusedConnectionIsCannotConnect() throws {
        let port = server.port
        server.stop()
        XCTAssertThrowsError(try transport.send(HTTPRequest(url: "http://127.0.0.1:\(port)/echo", timeout: 2))) { error in
            XCTAssertEqual((error as? HTTPTransportError)?.kind, .cannotConnect, "\(error)")
        }
    }

    func testStallPastTimeoutIsTimedOut() throws {
        let started = Date()
        XCTAssertThrowsError(try transport.send(HTTPRequest(url: server.base + "/stall", timeout: 1))) { error in
            XCTAssertEqual((error as? HTTPTransportError)?.kind, .timedOut, "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testDroppedBodyIsConnectionLost() throws {
        XCTAssertThrowsError(try transport.send(HTTPRequest(url: server.base + "/drop/100000/5000"))) { error in
            XCTAssertEqual((error as? HTTPTransportError)?.kind, .connectionLost, "\(error)")
        }
    }

    func testManyRequestsFromManyThreadsReuseHandles() throws {
        let failures = NSLock()
        var failed = 0
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let size = 1000 + index
            let response = try? transport.send(HTTPRequest(url: server.base + "/bytes/\(size)"))
            if response?.body != HTTPTestServer.body(size) { failures.withLock { failed += 1 } }
        }
        XCTAssertEqual(failed, 0)
    }

    // MARK: streaming

    private func openFile(_ name: String) throws -> (Int32, URL) {
        let url = directory.appendingPathComponent(name)
        let fd = open(url.path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else { throw HTTPTransportTestFailure("open failed") }
        return (fd, url)
    }

    func testStreamsBodyIntoFileWithHashAndHeadFirst() throws {
        let (fd, url) = try openFile("body")
        defer { close(fd) }
        let digest = RunningDigest(.sha256)
        let writer = BodyFileWriter(fileDescriptor: fd, position: 0, digest: digest)
        let seenHead = LockedBox<(Int, String?)?>(nil)
        let response = try transport.stream(HTTPRequest(url: server.base + "/bytes/3000000"), range: nil, into: writer,
                                            observer: StreamObserver(head: { status, headers in
            XCTAssertEqual(writer.bytesWritten, 0, "head must come before the body")
            seenHead.value = (status, headers["content-length"])
            return true
        }))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.isEmpty)
        XCTAssertEqual(seenHead.value?.0, 200)
        XCTAssertEqual(seenHead.value?.1, "3000000")
        let expected = HTTPTestServer.body(3_000_000)
        XCTAssertEqual(try Data(contentsOf: url), expected)
        XCTAssertEqual(digest.hex, Digest.hex(.sha256, of: expected))
    }

    func testStreamsARangeAtAnOffset() throws {
        let (fd, url) = try openFile("range")
        defer { close(fd) }
        let expected = HTTPTestServer.body(10_000)
        XCTAssertTrue(BodyFileWriter(fileDescriptor: fd, position: 0).write(expected.prefix(4000)))
        let digest = RunningDigest(.sha256)
        digest.update(expected.prefix(4000))
        let writer = BodyFileWriter(fileDescriptor: fd, position: 4000, digest: digest)
        let response = try transport.stream(HTTPRequest(url: server.base + "/bytes/10000"), range: ByteRange(start: 4000),
                                            into: writer, observer: StreamObserver())
        XCTAssertEqual(response.status, 206)
        XCTAssertEqual(response.headers["content-range"], "bytes 4000-9999/10000")
        XCTAssertEqual(try Data(contentsOf: url), expected)
        XCTAssertEqual(digest.hex, Digest.hex(.sha256, of: expected))
    }

    func testErrorStatusBodyIsNotWrittenToTheFile() throws {
        let (fd, url) = try openFile("error")
        defer { close(fd) }
        let writer = BodyFileWriter(fileDescriptor: fd, position: 0)
        let response = try transport.stream(HTTPRequest(url: server.base + "/status/503"), range: nil, into: writer,
                                            observer: StreamObserver())
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "status 503")
        XCTAssertEqual(try Data(contentsOf: url).count, 0)
    }

    func testHeadObserverCanRefuse() throws {
        let (fd, url) = try openFile("refused")
        defer { close(fd) }
        XCTAssertThrowsError(try transport.stream(HTTPRequest(url: server.base + "/ignore-range/5000"), range: ByteRange(start: 100),
                                                  into: BodyFileWriter(fileDescriptor: fd, position: 100),
                                                  observer: StreamObserver(head: { status, _ in status == 206 }))) { error in
            XCTAssertEqual(error as? HTTPStreamAborted, .byObserver)
        }
        XCTAssertEqual(try Data(contentsOf: url).count, 0)
    }

    func testCancellationStopsWithinASecondAndKeepsWhatArrived() throws {
        let (fd, url) = try openFile("cancel")
        defer { close(fd) }
        let writer = BodyFileWriter(fileDescriptor: fd, position: 0)
        let started = Date()
        XCTAssertThrowsError(try transport.stream(HTTPRequest(url: server.base + "/slow/1000000"), range: nil, into: writer,
                                                  observer: StreamObserver(progress: { _ in Date().timeIntervalSince(started) < 0.3 }))) { error in
            XCTAssertEqual(error as? HTTPStreamAborted, .cancelled)
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
        let kept = try Data(contentsOf: url)
        XCTAssertGreaterThan(kept.count, 0)
        XCTAssertEqual(kept, HTTPTestServer.body(kept.count))
    }

    func testWriteLimitStopsAnOverlongBody() throws {
        let (fd, _) = try openFile("limit")
        defer { close(fd) }
        let writer = BodyFileWriter(fileDescriptor: fd, position: 0, limit: 500)
        XCTAssertThrowsError(try transport.stream(HTTPRequest(url: server.base + "/bytes/100000"), range: nil, into: writer,
                                                  observer: StreamObserver())) { error in
            XCTAssertEqual(error as? HTTPStreamAborted, .writeFailed(errno: EOVERFLOW))
        }
    }
}

/// A value shared with a `@Sendable` closure in tests.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var _value: T
    init(_ value: T) { _value = value }
    var value: T {
        get { lock.withLock { _value } }
        set { lock.withLock { _value = newValue } }
    }
}
