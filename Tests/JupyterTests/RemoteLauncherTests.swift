import XCTest
@testable import Jupyter

/// The remote-kernel launcher's inputs: the provisioner's argv and the requests on its communication port. (The
/// whole protocol runs against gateway_provisioners in Tests/interop/test_team_remote_kernel.py.)
final class RemoteLauncherTests: XCTestCase {
    private let filled = ["--kernel-id", "k-1", "--port-range", "0..0", "--response-address", "10.0.0.1:8877", "--public-key", "TUlJQg=="]

    func testArgumentsAsTheProvisionerFillsThemIn() throws {
        let arguments = try LauncherArguments(filled)
        XCTAssertEqual(arguments.kernelID, "k-1")
        XCTAssertEqual(arguments.responseHost, "10.0.0.1")
        XCTAssertEqual(arguments.responsePort, 8877)
        XCTAssertEqual(arguments.portRange, 0...0)
        XCTAssertEqual(try LauncherArguments(filled.map { $0 == "0..0" ? "40000..41000" : $0 }).portRange, 40000...41000)
    }

    func testBadArgumentsSayWhatIsWrong() {
        let cases: [([String], String)] = [
            (filled.map { $0 == "k-1" ? "{kernel_id}" : $0 }, "--kernel-id is missing (or its {placeholder} was not filled in)"),
            (filled.map { $0 == "10.0.0.1:8877" ? "10.0.0.1" : $0 }, "is not IP:PORT"),
            (filled.map { $0 == "0..0" ? "40000..40010" : $0 }, "spans fewer than 1000 ports"),
            (filled + ["--transport-encryption", "required"], "does not provision CurveZMQ keys"),
            (filled + ["stray"], "unexpected argument 'stray'"),
        ]
        for (argv, expected) in cases {
            XCTAssertThrowsError(try LauncherArguments(argv)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testCommPortRequests() {
        XCTAssertEqual(CommPort.parse(Array(#"{"signum": 2}"#.utf8)), [.signal(2)])
        XCTAssertEqual(CommPort.parse(Array(#"{"signum": 0}"#.utf8)), [.signal(0)])
        XCTAssertEqual(CommPort.parse(Array(#"{"shutdown": 1}"#.utf8)), [.shutdown])
        XCTAssertEqual(CommPort.parse(Array(#"{"shutdown": 0}"#.utf8)), [])
        XCTAssertEqual(CommPort.parse(Array(#"{"signum": 999}"#.utf8)), [], "not a signal")
        XCTAssertEqual(CommPort.parse(Array("not json".utf8)), [])
    }

    func testConnectionInfoJSONReadsBack() throws {
        let ports: [Channel: Int] = [.shell: 1, .iopub: 2, .stdin: 3, .control: 4, .hb: 5]
        let info = ConnectionInfo(ip: "0.0.0.0", ports: ports, key: "k", kernelName: "hubkernel")
        XCTAssertEqual(try ConnectionInfo(json: info.json.serialized()), info)
    }
}
