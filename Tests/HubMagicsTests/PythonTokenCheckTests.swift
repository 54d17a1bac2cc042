import Hub
import XCTest
@testable import HubMagics

final class PythonTokenCheckTests: XCTestCase {
    let hubKernels = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
    let pythons = "hf_ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210"

    func testSameTokenAgrees() {
        let winner = ResolvedToken(value: hubKernels, source: .environment(variable: "HF_TOKEN"))
        let row = PythonTokenCheck.row(.token(hubKernels), winner: winner)
        XCTAssertNil(row.warning)
        XCTAssertEqual(row.cells.last, "same token as HubKernel's")
    }

    func testAChangedEnvironmentIsAWarningWithMaskedTokens() {
        let winner = ResolvedToken(value: hubKernels, source: .environment(variable: "HF_TOKEN"))
        let row = PythonTokenCheck.row(.token(pythons), winner: winner)
        XCTAssertEqual(row.cells.last, "differs from HubKernel's")
        let warning = try! XCTUnwrap(row.warning)
        XCTAssertTrue(warning.contains("hf_****3210") && warning.contains("hf_****6789"), warning)
        XCTAssertFalse(warning.contains(pythons) || warning.contains(hubKernels))
    }

    func testEachProcessExchangesItsOwnOIDCToken() {
        let winner = ResolvedToken(value: hubKernels, source: .oidc(resource: "alice"))
        let own = PythonTokenCheck.row(.token(pythons, oidcResource: "alice"), winner: winner)
        XCTAssertNil(own.warning)
        XCTAssertEqual(own.cells.last, "its own OIDC exchange for alice (one per process)")
        // A cell that dropped HF_OIDC_RESOURCE (or changed it) is a real difference.
        XCTAssertNotNil(PythonTokenCheck.row(.token(pythons), winner: winner).warning)
        XCTAssertNotNil(PythonTokenCheck.row(.token(pythons, oidcResource: "bob"), winner: winner).warning)
    }
}
