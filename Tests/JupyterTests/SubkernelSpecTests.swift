import XCTest
@testable import Jupyter

/// How the hosted kernel is started: its kernelspec's argv, the connection file filled in, and the kernel's session id
/// given to an ipykernel so that what it sends carries the session of the kernel that relays it.
final class SubkernelSpecTests: XCTestCase {
    private func spec(_ argv: [String]) -> SubkernelSpec {
        SubkernelSpec(name: "python3", path: nil, displayName: "Python 3", argv: argv, environment: [:], interruptMode: "signal")
    }

    func testIPykernelIsGivenTheKernelsSession() {
        let launcher = spec(["/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
        XCTAssertEqual(launcher.command(connectionFile: "/tmp/k.json", session: "abc"),
                       ["/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "/tmp/k.json", "--Session.session=abc"])
        XCTAssertEqual(launcher.command(connectionFile: "/tmp/k.json"),
                       ["/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "/tmp/k.json"], "no session asked, none given")
        XCTAssertTrue(spec(["python", "-m", "ipykernel", "-f", "{connection_file}"]).runsIPykernel)
        XCTAssertTrue(spec(["python", "/venv/lib/python3.11/site-packages/ipykernel_launcher.py", "-f", "{connection_file}"]).runsIPykernel)
    }

    /// A command that starts something else (a wrapper script, another kernel) is not given an option it may not take.
    func testOtherCommandsAreLeftAsTheyAre() {
        for argv in [["/opt/run-kernel.sh", "{connection_file}"], ["python", "-m", "ipykernel_wrapper", "-f", "{connection_file}"],
                     ["ipykernel_launcher", "-f", "{connection_file}"]] {
            XCTAssertFalse(spec(argv).runsIPykernel, "\(argv)")
            XCTAssertEqual(spec(argv).command(connectionFile: "/tmp/k.json", session: "abc"),
                           argv.map { $0 == "{connection_file}" ? "/tmp/k.json" : $0 })
        }
    }
}
