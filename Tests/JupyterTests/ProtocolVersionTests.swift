import XCTest
@testable import Jupyter

final class ProtocolVersionTests: XCTestCase {
    func testSpeaksAtLeast53() {
        let parts = jupyterProtocolVersion.split(separator: ".").compactMap { Int($0) }
        XCTAssertGreaterThanOrEqual(parts[0] * 100 + parts[1], 503)
    }
}
