import XCTest
@testable import Jupyter

/// A kernel whose connection file carries CurveZMQ keys: encrypted clients are served, plain ones are not.
final class CurveKernelTests: XCTestCase {
    func testCurveServerAnswersCurveClientsOnly() throws {
        try XCTSkipUnless(ZMQContext.hasCurve, "this libzmq has no CurveZMQ")
        let keys = try ZMQContext.curveKeyPair()
        XCTAssertEqual(keys.publicKey.count, 40)
        let kernel = try RunningKernel(curve: keys)
        XCTAssertTrue(kernel.connection.usesCurve)

        var plainConnection = kernel.connection
        plainConnection.curvePublicKey = nil
        plainConnection.curveSecretKey = nil
        let plain = try TestClient(connection: plainConnection)
        // Without the handshake there is no peer, so a blocking send would wait forever.
        _ = try? plain.send("kernel_info_request", [:], on: plain.shell, dontWait: true)
        XCTAssertNil(try plain.receive(plain.shell, timeout: 0.5), "a client without the server key must not be served")
        plain.close()

        let client = try TestClient(connection: kernel.connection)
        XCTAssertNotNil(try client.waitForWelcome())
        try client.send("kernel_info_request", [:], on: client.shell)
        XCTAssertEqual(try client.receive(client.shell)?.msgType, "kernel_info_reply")
        XCTAssertTrue(try client.ping())
        try client.send("shutdown_request", ["restart": false], on: client.control)
        XCTAssertEqual(try client.receive(client.control)?.msgType, "shutdown_reply")
        XCTAssertTrue(kernel.waitUntilStopped())
        client.close()
    }
}
