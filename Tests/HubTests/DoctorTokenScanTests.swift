import XCTest
@testable import Hub

/// `%doctor`'s "No token in notebooks" check: notebooks under the working folder only, no network.
final class DoctorTokenScanTests: XCTestCase {
    func testFailsOnATokenInANotebookAndPassesOnceItIsGone() throws {
        let folder = TemporaryHome()
        let token = FakeTokens.user()
        let notebook = "{\"cells\": [{\"cell_type\": \"code\", \"source\": [], \"outputs\": [{\"output_type\": \"stream\", \"text\": \"\(token)\"}]}], \"metadata\": {}}"
        try folder.write(notebook, to: "work/sub/a.ipynb")
        try folder.write("TOKEN = '\(FakeTokens.user())'", to: "work/script.py")                // not a notebook: %token_scan's job
        try folder.write(notebook.replacingOccurrences(of: token, with: FakeTokens.user()), to: "work/.venv/lib/x.ipynb")  // tool folder
        let transport = StubTransport { _ in throw HTTPTransportError(kind: .cannotConnect, url: "", detail: "no network expected") }
        let doctor = Doctor(environment: folder.environment(), transport: transport, workingDirectory: folder.path + "/work")

        let check = doctor.noTokenInNotebooks()
        XCTAssertEqual(check.verdict, .fail)
        XCTAssertEqual(check.detail, "1 token(s) in 1 notebook(s): \(folder.path)/work/sub/a.ipynb (cell 1, output 1 (stream): \(TokenText.mask(token))).")
        XCTAssertTrue(check.fix.contains("%token_scan --check"))
        XCTAssertFalse((check.detail + check.fix).contains(token))
        XCTAssertTrue(transport.requests.isEmpty)

        try folder.write(notebook.replacingOccurrences(of: token, with: TokenText.mask(token)), to: "work/sub/a.ipynb")
        XCTAssertEqual(doctor.noTokenInNotebooks().verdict, .pass)
        XCTAssertTrue(doctor.allChecks(repo: nil).contains { $0.name == "No token in notebooks" })
    }
}
