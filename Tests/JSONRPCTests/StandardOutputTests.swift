import XCTest
@testable import JSONRPC

final class StandardOutputTests: XCTestCase {
    func testTakingStandardOutputSendsStrayWritesToStandardError() throws {
        var out: [Int32] = [0, 0], err: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&out), 0)
        XCTAssertEqual(pipe(&err), 0)
        let savedOut = dup(STDOUT_FILENO), savedErr = dup(STDERR_FILENO)
        dup2(out[1], STDOUT_FILENO)
        dup2(err[1], STDERR_FILENO)
        let protocolOutput = RPCServer.takeStandardOutput()
        _ = write(STDOUT_FILENO, "stray", 5)
        if let protocolOutput { _ = write(protocolOutput, "frame", 5) }
        dup2(savedOut, STDOUT_FILENO)
        dup2(savedErr, STDERR_FILENO)
        for descriptor in [savedOut, savedErr, out[1], err[1], protocolOutput ?? -1] where descriptor >= 0 { close(descriptor) }
        defer { close(out[0]); close(err[0]) }
        func drain(_ descriptor: Int32) -> String {
            var bytes = [UInt8](repeating: 0, count: 64)
            let count = Glibc.read(descriptor, &bytes, 64)
            return String(decoding: bytes.prefix(max(0, count)), as: UTF8.self)
        }
        XCTAssertNotNil(protocolOutput)
        XCTAssertEqual(drain(out[0]), "frame")
        XCTAssertEqual(drain(err[0]), "stray")
    }
}
