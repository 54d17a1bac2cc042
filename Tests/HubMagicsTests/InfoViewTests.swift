import Foundation
import XCTest
import Jupyter
@testable import Hub
@testable import HubMagics

final class InfoViewTests: XCTestCase {
    private func report(gated: Any = false, access: RepoAccess = .open, free: Int64? = 10_000_000_000) throws -> RepoReport {
        let repo = try RepoID("org/model")
        let commit = String(repeating: "d", count: 40)
        let info = try RepoInfo(json: [
            "sha": commit, "private": false, "gated": gated, "lastModified": "2024-01-01T00:00:00.000Z",
            "cardData": ["license": "apache-2.0", "tags": ["chat"]], "library_name": "transformers", "downloads": 1234567, "likes": 12,
            "tags": ["transformers", "license:apache-2.0"],
            "siblings": [["rfilename": "model.safetensors", "size": 3_000_000, "blobId": "b1", "lfs": ["sha256": String(repeating: "e", count: 64), "size": 3_000_000]],
                         ["rfilename": "tokenizer.json", "size": 2000, "blobId": "b2"], ["rfilename": "config.json", "size": 500, "blobId": "b3"]],
        ], repo: repo)
        var footprint = DownloadFootprint(entries: info.files, repo: repo, commit: commit,
                                          layout: CacheLayout(root: NSTemporaryDirectory() + "info-view-\(UUID().uuidString)"))
        footprint.freeBytes = free
        let parameters = RepoParameters(files: ["model.safetensors": SafetensorsHeader(parameters: ["BF16": 1_000_000, "F32": 500_000], tensorCount: 7,
                                                                                       dataBytes: 4_000_000, headerLength: 900)], isSharded: false)
        return RepoReport(info: info, revision: "main", access: access, page: "http://hub.test/org/model", footprint: footprint,
                          parameters: parameters, parametersNote: nil, headerBytesFetched: 916, headerSource: .rangeRequests, offlineNotice: nil)
    }

    func testCardShowsSizesParametersAndLicenceInTextHTMLAndJSON() throws {
        let output = InfoView.render(try report(), files: false, json: false, wording: { $0 })
        XCTAssertTrue(output.text.contains("licence             apache-2.0"), output.text)
        XCTAssertTrue(output.text.contains("3.0 MB in 3 file(s): weights 3.0 MB, tokenizer 2.0 kB, other 500 B"), output.text)
        XCTAssertTrue(output.text.contains("1.5M (1,500,000): BF16 1,000,000, F32 500,000"), output.text)
        XCTAssertTrue(output.text.contains("1,234,567 downloads, 12 likes"))
        XCTAssertFalse(output.text.contains("your access"), "not gated: no access row")
        XCTAssertTrue(output.html?.contains("<table") ?? false)
        guard case .object(let json)? = output.json, case .object(let size)? = json["size"], case .object(let parameters)? = json["parameters"] else {
            return XCTFail("no JSON object")
        }
        XCTAssertEqual(size["to_download"], .number(3_002_500))
        XCTAssertEqual(size["fits"], .bool(true))
        XCTAssertEqual(parameters["total"], .number(1_500_000))
        XCTAssertEqual(json["license"], .string("apache-2.0"))
    }

    func testTheFileTableBoldsNothingTheCachedColumnAlreadySays() throws {
        let table = InfoView.fileTable(try report().footprint)
        XCTAssertEqual(table.highlighted, [], "no bold rows without a legend")
        XCTAssertEqual(Set(table.rows.map { $0[4] }).count, 1, "the cached column tells each file's state: \(table.rows)")
    }

    func testGatedAccessAdviceAndNoFitWarning() throws {
        let pending = InfoView.render(try report(gated: "manual", access: .pending, free: 1000), files: true, json: false, wording: { $0 })
        XCTAssertTrue(pending.text.contains("your access         pending — Your access request awaits"), pending.text)
        XCTAssertTrue(pending.text.contains("NOT ENOUGH"), pending.text)
        XCTAssertTrue(pending.html?.contains("href=\"http://hub.test/org/model\"") ?? false)
        XCTAssertTrue(pending.text.contains("model.safetensors  3.0 MB  yes  weights"), pending.text)
        let notLoggedIn = InfoView.rows(try report(gated: "auto", access: .notLoggedIn), wording: CommandLineRoutes.terminalWording)
        XCTAssertTrue(notLoggedIn.contains { $0.0 == "your access" && $0.1.contains("hubkernel auth login") && $0.2 })
        let json = InfoView.render(try report(), files: false, json: true, wording: { $0 })
        XCTAssertNil(json.html)
        XCTAssertTrue(json.text.hasPrefix("{"))
    }
}
