import Foundation
import XCTest
@testable import Hub

final class InfoEngineTests: XCTestCase {
    private let endpoint = "http://hub.test"
    private let repo = try! RepoID("org/model")

    /// A safetensors file: header for `tensors` [(name, dtype, shape, bytes per element)] then zero bytes.
    private func safetensors(_ tensors: [(String, String, [Int], Int)]) -> (file: Data, headerLength: Int) {
        var offset = 0
        var fields: [String] = ["\"__metadata__\":{\"format\":\"pt\"}"]
        for (name, dtype, shape, size) in tensors {
            let length = shape.reduce(1, *) * size
            fields.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        let json = Data("{\(fields.joined(separator: ","))}".utf8)
        var prefix = Data()
        for shift in stride(from: 0, to: 64, by: 8) { prefix.append(UInt8((UInt64(json.count) >> UInt64(shift)) & 0xFF)) }
        return (prefix + json + Data(count: offset), json.count)
    }

    func testHeaderCountsParametersByDtypeAndBytes() throws {
        let (file, length) = safetensors([("a", "F16", [4, 8], 2), ("b", "F32", [3], 4), ("c", "BF16", [2, 2], 2), ("s", "F16", [], 2)])
        XCTAssertEqual(try SafetensorsHeader.headerLength(prefix: file.prefix(8), file: "x"), Int64(length))
        let header = try SafetensorsHeader(json: file.subdata(in: 8..<(8 + length)), file: "x")
        XCTAssertEqual(header.parameters, ["F16": 33, "F32": 3, "BF16": 4])  // a scalar counts one parameter
        XCTAssertEqual(header.tensorCount, 4)
        XCTAssertEqual(header.dataBytes, 64 + 12 + 8 + 2)
    }

    func testHeaderLimitsAndGarbageAreRefusedWithTheFileName() {
        var huge = Data(count: 8)
        huge[3] = 0x10  // 268 MB header: above huggingface_hub's 25 MB limit
        XCTAssertThrowsError(try SafetensorsHeader.headerLength(prefix: huge, file: "w.safetensors")) {
            let message = ($0 as? SafetensorsError)?.message ?? ""
            XCTAssertTrue(message.contains("'w.safetensors'"), message)
            // In the one size style, not a raw byte count.
            XCTAssertTrue(message.contains("a header of 268.4 MB") && message.contains("at most 25.0 MB"), message)
            XCTAssertFalse(message.contains("268435456"), message)
        }
        let random = Data([0xde, 0xad, 0xbe, 0xef, 0xfe, 0xed, 0xfa, 0xce])
        XCTAssertThrowsError(try SafetensorsHeader.headerLength(prefix: random, file: "w")) {
            XCTAssertTrue(($0 as? SafetensorsError)?.message.contains("more than 9 EB") ?? false)
        }
        XCTAssertThrowsError(try SafetensorsHeader.headerLength(prefix: Data([1, 2]), file: "x"))
        XCTAssertThrowsError(try SafetensorsHeader(json: Data("[1]".utf8), file: "x"))
        XCTAssertThrowsError(try SafetensorsHeader(json: Data("{\"t\":{\"dtype\":\"F16\"}}".utf8), file: "x"))
    }

    func testRangeReaderAsksForEightBytesThenExactlyTheHeaderAndSendsNoTokenToTheCDN() throws {
        let (file, length) = safetensors([("w", "F32", [64, 64], 4)])
        let transport = StubTransport { request in
            if request.url.hasPrefix("http://hub.test/") {
                return HTTPResponse(status: 302, headers: HTTPHeaders([("Location", "http://cdn.test/blob?sig=1")]))
            }
            let range = request.headers.first { $0.name == "Range" }!.value.dropFirst(6).split(separator: "-").map { Int($0)! }
            return HTTPResponse(status: 206, body: file.subdata(in: range[0]..<(range[1] + 1)))
        }
        let client = HubClient(endpoint: endpoint, token: "secret-token", transport: transport)
        let (header, bytes) = try client.safetensorsHeader(repo, commit: String(repeating: "a", count: 40), path: "model.safetensors")
        XCTAssertEqual(header.parameters, ["F32": 4096])
        XCTAssertEqual(bytes, Int64(8 + length))
        let ranges = transport.requests.map { $0.headers.first { $0.name == "Range" }?.value }
        XCTAssertEqual(ranges, ["bytes=0-7", "bytes=0-7", "bytes=8-\(7 + length)"])
        XCTAssertEqual(transport.requests.map { $0.url.hasPrefix("http://cdn.test") }, [false, true, true])
        for request in transport.requests where request.url.hasPrefix("http://cdn.test") {
            XCTAssertFalse(request.headers.contains { $0.name == "Authorization" })
        }
        XCTAssertTrue(transport.requests[0].headers.contains { $0.name == "Authorization" })
    }

    func testAServerThatIgnoresRangeIsCutOffBeforeTheWeights() throws {
        let hub = FakeHub(files: [:])
        let (file, _) = safetensors([("w", "F32", [256, 256], 4)])
        hub.add("model.safetensors", file, lfs: false)
        hub.inject(FakeHub.Fault.ignoreRange, for: "model.safetensors")
        let client = HubClient(endpoint: FakeHub.endpoint, token: nil, transport: hub)
        XCTAssertThrowsError(try client.safetensorsHeader(try RepoID("org/repo"), commit: hub.commit, path: "model.safetensors")) {
            XCTAssertTrue("\($0)".contains("does not serve byte ranges"), "\($0)")
        }
        XCTAssertEqual(hub.requestLog.count, 1, "no retry without Range")
        XCTAssertEqual(hub.requestLog.first?.headers.first { $0.name == "Range" }?.value, "bytes=0-7")
    }

    func testAccessFromAuthCheck() throws {
        func access(status: Int, message: String?, token: String?) throws -> RepoAccess {
            let transport = StubTransport { _ in
                var headers = HTTPHeaders()
                if status != 200 { headers.add(name: "X-Error-Code", value: "GatedRepo") }
                if let message { headers.add(name: "X-Error-Message", value: message) }
                return HTTPResponse(status: status, headers: headers)
            }
            return try HubClient(endpoint: endpoint, token: token, transport: transport).access(to: repo, gated: true)
        }
        XCTAssertEqual(try access(status: 200, message: nil, token: "t"), .granted)
        XCTAssertEqual(try access(status: 403, message: "Your request to access model org/model is awaiting a review from the repo authors.", token: "t"), .pending)
        XCTAssertEqual(try access(status: 403, message: "Access to model org/model is restricted and you are not in the authorized list.", token: "t"), .notRequested)
        XCTAssertEqual(try access(status: 401, message: "Please log in.", token: nil), .notLoggedIn)
        XCTAssertEqual(try HubClient(endpoint: endpoint, token: nil, transport: StubTransport { _ in HTTPResponse(status: 500) }).access(to: repo, gated: false), .open)
        XCTAssertNotNil(RepoAccess.pending.advice(page: "p")?.contains("awaits"))
    }

    func testFootprintKindsCacheStatesAndFit() throws {
        let root = NSTemporaryDirectory() + "info-footprint-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let layout = CacheLayout(root: root)
        let commit = String(repeating: "b", count: 40)
        let entries = [RepoFileEntry(path: "model.safetensors", size: 1000, blobID: "x", lfsSHA256: String(repeating: "c", count: 64), lfsSize: 1000),
                       RepoFileEntry(path: "tokenizer.json", size: 20, blobID: "tok"),
                       RepoFileEntry(path: "config.json", size: 5, blobID: "cfg")]
        try FileManager.default.createDirectory(atPath: layout.snapshotFolder(repo, commit: commit), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: layout.snapshotFile(repo, commit: commit, path: "config.json"), contents: Data("{}\n  ".utf8))
        try FileManager.default.createDirectory(atPath: layout.blobsFolder(repo), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: layout.blob(repo, etag: "tok"), contents: Data(count: 20))
        var footprint = DownloadFootprint(entries: entries, repo: repo, commit: commit, layout: layout)
        XCTAssertEqual(footprint.files.map(\.kind), [.weights, .tokenizer, .other])
        XCTAssertEqual(footprint.files.map(\.state), [.missing, .reusable, .cached])
        XCTAssertEqual([footprint.bytes(.weights), footprint.bytes(.tokenizer), footprint.bytes(.other)], [1000, 20, 5])
        XCTAssertEqual(footprint.bytesToFetch, 1000)
        XCTAssertNotNil(footprint.freeBytes)
        footprint.freeBytes = 999
        XCTAssertFalse(footprint.fits)
        footprint.freeBytes = 1000
        XCTAssertTrue(footprint.fits)
    }

    func testParameterCountFormat() {
        XCTAssertEqual(RepoParameters.format(999), "999")
        XCTAssertEqual(RepoParameters.format(1_837_312), "1.8M")
        XCTAssertEqual(RepoParameters.format(7_241_732_096), "7.2B")
        XCTAssertEqual(RepoParameters.format(124_000_000), "124M")
    }
}
