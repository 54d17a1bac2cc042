import Hub
import JSONRPC
import XCTest
@testable import HubMagics

/// The backend's params become the magic's words, checked against its spec; errors become JSON-RPC errors a client
/// can act on.
final class BackendMethodTests: XCTestCase {
    private let download = MagicRegistry.standard.magic(named: "download")!.spec

    func testParamsAreTheMagicsOptionsInCamelCaseAndItsPositionalsByName() throws {
        let words = try BackendMethod.words(for: download, params: [
            "repo": "demo/tiny-model", "files": ["a.json", "b.json"], "repoType": "dataset", "dryRun": true,
            "include": ["*.json", "*.txt"], "maxWorkers": 4, "forceDownload": false, "workDoneToken": "t1",
        ], method: "hub/download")
        XCTAssertEqual(words, ["demo/tiny-model", "a.json", "b.json", "--dry-run", "--include", "*.json", "--include", "*.txt",
                               "--max-workers", "4", "--repo-type", "dataset"])
        XCTAssertEqual(try BackendMethod.words(for: download, params: nil, method: "hub/download"), [])
    }

    func testWrongParamsAreInvalidParamsNamingWhatIsAccepted() {
        for params: JSONValue in [["colour": "red"], ["dryRun": "yes"], ["revision": ["a", "b"]], ["repo": .object([:])], ["x"]] {
            XCTAssertThrowsError(try BackendMethod.words(for: download, params: params, method: "hub/download"), "\(params)") { error in
                XCTAssertEqual((error as? RPCError)?.code, ErrorCode.invalidParams)
            }
        }
        XCTAssertThrowsError(try BackendMethod.words(for: download, params: ["colour": "red"], method: "hub/download")) { error in
            let accepted = (error as? RPCError)?.data?["accepted"]?.arrayValue?.compactMap(\.stringValue) ?? []
            XCTAssertTrue(accepted.contains("repoType") && accepted.contains("files") && accepted.contains("repo"), "\(accepted)")
        }
    }

    func testEveryMethodNamesAMagicOfTheRegistry() {
        for method in BackendMethod.all {
            let magic = MagicRegistry.standard.magic(named: method.magic)
            XCTAssertNotNil(magic, method.method)
            for sub in method.prefix { XCTAssertNotNil(magic?.spec.subcommand(named: sub), method.method) }
            XCTAssertEqual(method.command, method.method.replacingOccurrences(of: "/", with: "."))
        }
        XCTAssertEqual(BackendMethod.kebabCase("repoType"), "repo-type")
        XCTAssertEqual(BackendMethod.camelCase("dry-run"), "dryRun")
    }

    func testErrorsCarryKindStatusRequestIDAndFix() {
        let gated = HubError(.gatedRepo(repo: "org/m", page: "https://hub.test/org/m", authenticated: true), requestID: nil)
        let error = BackendError.rpcError(gated)
        XCTAssertEqual(error.code, ErrorCode.requestFailed)
        XCTAssertEqual(error.data?["kind"], "gated")
        XCTAssertEqual(error.data?["status"], 403)
        XCTAssertEqual(error.data?["name"], "GatedRepoError")
        XCTAssertTrue(error.message.hasPrefix("GatedRepoError: "))
        let pending = HubError(.gatedRepo(repo: "org/m", page: "p", authenticated: true,
                                          serverMessage: "Your request to access this repo is awaiting a review from the repo authors."))
        XCTAssertEqual(BackendError.rpcError(pending).data?["kind"], "pending")
        XCTAssertEqual(BackendError.rpcError(HubError(.rateLimited(url: "u", limit: nil))).data?["status"], 429)
        XCTAssertEqual(BackendError.rpcError(MagicError.usage("x")).data?["kind"], "usage")
        XCTAssertEqual(BackendError.rpcError(MagicError.interrupted("x")).code, ErrorCode.requestCancelled)
    }
}
