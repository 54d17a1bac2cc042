import XCTest
@testable import Jupyter

final class ConnectionInfoTests: XCTestCase {
    private let ports = #""shell_port": 5001, "iopub_port": 5002, "stdin_port": 5003, "control_port": 5004, "hb_port": 5005"#

    func testTCPFromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("conn-\(UUID()).json").path
        try Data(#"{"transport": "tcp", "ip": "127.0.0.1", \#(ports), "key": "abc", "signature_scheme": "hmac-sha256", "kernel_name": "hubkernel"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let info = try ConnectionInfo(contentsOf: path)
        XCTAssertEqual(info.transport, .tcp)
        XCTAssertEqual(info.key, "abc")
        XCTAssertEqual(info.kernelName, "hubkernel")
        XCTAssertFalse(info.usesCurve)
        XCTAssertEqual(info.endpoint(for: .shell), "tcp://127.0.0.1:5001")
        XCTAssertEqual(info.endpoint(for: .iopub), "tcp://127.0.0.1:5002")
        XCTAssertEqual(info.endpoint(for: .stdin), "tcp://127.0.0.1:5003")
        XCTAssertEqual(info.endpoint(for: .control), "tcp://127.0.0.1:5004")
        XCTAssertEqual(info.endpoint(for: .hb), "tcp://127.0.0.1:5005")
    }

    func testIPCUsesIPDashPortPaths() throws {
        let info = try ConnectionInfo(json: Array(#"{"transport": "ipc", "ip": "/tmp/kernel-ipc", \#(ports), "key": ""}"#.utf8))
        XCTAssertEqual(info.transport, .ipc)
        XCTAssertEqual(info.endpoint(for: .hb), "ipc:///tmp/kernel-ipc-5005")
        XCTAssertEqual(info.key, "")
    }

    func testCurveKeys() throws {
        let publicKey = String(repeating: "P", count: 40), secretKey = String(repeating: "S", count: 40)
        let info = try ConnectionInfo(json: Array(#"{"ip": "127.0.0.1", \#(ports), "key": "k", "curve_publickey": "\#(publicKey)", "curve_secretkey": "\#(secretKey)"}"#.utf8))
        XCTAssertTrue(info.usesCurve)
        XCTAssertEqual(info.curvePublicKey, publicKey)
        XCTAssertEqual(info.curveSecretKey, secretKey)
    }

    func testRejectsBadFiles() {
        let cases = [
            "not json",
            #"{"ip": "127.0.0.1", "key": "k"}"#,
            #"{"transport": "udp", "ip": "127.0.0.1", \#(ports)}"#,
            #"{"ip": "127.0.0.1", \#(ports), "signature_scheme": "hmac-md5"}"#,
            #"{"ip": "127.0.0.1", \#(ports), "curve_publickey": "\#(String(repeating: "P", count: 40))"}"#,
            #"{"ip": "127.0.0.1", \#(ports), "curve_publickey": "short", "curve_secretkey": "short"}"#,
        ]
        for text in cases {
            XCTAssertThrowsError(try ConnectionInfo(json: Array(text.utf8)), text) { error in
                XCTAssertTrue(String(describing: error).contains("connection file"), "\(error)")
            }
        }
        XCTAssertThrowsError(try ConnectionInfo(contentsOf: "/nonexistent/connection.json"))
    }

    func testRefusesAKeyThatIsNotAString() {
        for key in ["42", "null", "[\"a\"]", "{}", "true"] {
            XCTAssertThrowsError(try ConnectionInfo(json: Array(#"{"ip": "127.0.0.1", \#(ports), "key": \#(key)}"#.utf8)), key) { error in
                XCTAssertTrue(String(describing: error).contains("'key' must be a string"), "\(error)")
            }
        }
        XCTAssertEqual(try ConnectionInfo(json: Array(#"{"ip": "127.0.0.1", \#(ports), "key": ""}"#.utf8)).key, "")
    }

    func testAFolderAsConnectionFileSaysSo() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("conn-folder-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertThrowsError(try ConnectionInfo(contentsOf: folder)) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.contains("is a folder, not a file"), text)
            XCTAssertFalse(text.contains("NSCocoaErrorDomain"), text)
        }
        XCTAssertThrowsError(try ConnectionInfo(contentsOf: folder + "/missing.json")) { error in
            XCTAssertTrue(String(describing: error).contains("No such file or directory"), "\(error)")
        }
    }
}
