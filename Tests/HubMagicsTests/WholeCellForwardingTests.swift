import Hub
import Jupyter
import XCTest
@testable import HubMagics

/// `MagicKernel.forwardsWholeCell`: true only when running the cell would do nothing but hand it to Python unchanged,
/// so the kernel may send it on before its own bookkeeping.
final class WholeCellForwardingTests: XCTestCase {
    private struct NoSpec: Error {}

    private func kernel(withPython: Bool, variables: [String: String] = [:]) -> MagicKernel {
        let session = MagicSession(environment: HubEnvironment(variables: variables, homeDirectory: "/nonexistent"),
                                   transport: OfflineTransport())
        if withPython { session.python = Subkernel(lookup: { throw NoSpec() }, environment: { [:] }) }
        return MagicKernel(session: session)
    }

    func testOnlyAllPythonCellsAreSentAtOnce() {
        let kernel = kernel(withPython: true)
        for cell in ["pass", "\n    x = 1\n", "%%time\nx = 1", "!ls", "%pip list", "# note\nprint(1)"] {
            XCTAssertTrue(kernel.forwardsWholeCell(code: cell), cell.debugDescription)
        }
        for cell in ["%whoami", "%whoami\nx = 1", "", "  \n", "# only a comment", "%downlaod x"] {
            XCTAssertFalse(kernel.forwardsWholeCell(code: cell), cell.debugDescription)
        }
    }

    func testNothingIsSentAtOnceWithoutPython() {
        XCTAssertFalse(kernel(withPython: false).forwardsWholeCell(code: "pass"))
    }

    /// A Hub variable a magic changed must reach Python first (`PythonEnvironmentSync`): the long way, then.
    func testAPendingEnvironmentChangeTakesTheLongWay() {
        let kernel = kernel(withPython: true, variables: ["HF_HUB_OFFLINE": "1"])
        XCTAssertTrue(kernel.forwardsWholeCell(code: "pass"))
        kernel.session.environment = HubEnvironment(variables: ["HF_HUB_OFFLINE": "0"], homeDirectory: "/nonexistent")
        XCTAssertFalse(kernel.forwardsWholeCell(code: "pass"))
    }
}
