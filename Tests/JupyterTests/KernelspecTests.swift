import XCTest
@testable import Jupyter

final class KernelspecTests: XCTestCase {
    /// `kernelspec/hubkernel/` in the repository.
    private let specDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("kernelspec/hubkernel")

    func testEmbeddedLogosAreTheCommittedPNGs() throws {
        for size in [32, 64] {
            let name = "logo-\(size)x\(size).png"
            let committed = [UInt8](try Data(contentsOf: specDirectory.appendingPathComponent(name)))
            XCTAssertEqual(Kernelspec.logos[name], committed, name)
            XCTAssertEqual(Array(committed.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            // IHDR width and height, big-endian at bytes 16...23.
            XCTAssertEqual(committed[16..<24].map { $0 }, [0, 0, 0, UInt8(size), 0, 0, 0, UInt8(size)])
        }
    }

    func testEmbeddedKernelJSONMatchesTheCommittedOneExceptTheBinaryPath() throws {
        let committed = try JSONValue.parse([UInt8](try Data(contentsOf: specDirectory.appendingPathComponent("kernel.json"))))
        XCTAssertEqual(Kernelspec.kernelJSON(executable: Kernelspec.packagedExecutable), committed)
        XCTAssertEqual(committed["metadata"]?["supported_encryption"], ["curve"])
        XCTAssertEqual(committed["language"], "hubkernel")
    }

    func testInstallWritesAbsoluteArgvAndLogosReplacingOldFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID())/hubkernel").path
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/stale.txt", contents: Data()))
        try Kernelspec.install(into: directory, executable: "/opt/bin/hubkernel")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        XCTAssertEqual(files, ["kernel.json", "logo-32x32.png", "logo-64x64.png"])
        let json = try JSONValue.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/kernel.json"))))
        XCTAssertEqual(json["argv"], ["/opt/bin/hubkernel", "kernel", "-f", "{connection_file}"])
    }

    func testLocationsFollowJupyterRules() throws {
        let noPython: () -> String? = { nil }
        XCTAssertEqual(try KernelspecLocation(arguments: []), .user)
        XCTAssertEqual(try KernelspecLocation(arguments: ["--sys-prefix"]), .sysPrefix)
        XCTAssertEqual(try KernelspecLocation(arguments: ["--prefix", "/p"]), .prefix("/p"))
        XCTAssertEqual(try KernelspecLocation(arguments: ["--prefix=/q"]), .prefix("/q"))
        XCTAssertThrowsError(try KernelspecLocation(arguments: ["--user", "--sys-prefix"]))
        XCTAssertThrowsError(try KernelspecLocation(arguments: ["--prefix"]))
        XCTAssertThrowsError(try KernelspecLocation(arguments: ["--bogus"]))

        XCTAssertEqual(try KernelspecLocation.user.kernelsDirectory(environment: ["JUPYTER_DATA_DIR": "/d", "HOME": "/h"], pythonSysPrefix: noPython), "/d/kernels")
        XCTAssertEqual(try KernelspecLocation.user.kernelsDirectory(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"], pythonSysPrefix: noPython), "/x/jupyter/kernels")
        XCTAssertEqual(try KernelspecLocation.user.kernelsDirectory(environment: ["HOME": "/h"], pythonSysPrefix: noPython), "/h/.local/share/jupyter/kernels")
        XCTAssertEqual(try KernelspecLocation.sysPrefix.kernelsDirectory(environment: ["VIRTUAL_ENV": "/v"], pythonSysPrefix: { "/py" }), "/v/share/jupyter/kernels")
        XCTAssertEqual(try KernelspecLocation.sysPrefix.kernelsDirectory(environment: [:], pythonSysPrefix: { "/py" }), "/py/share/jupyter/kernels")
        XCTAssertThrowsError(try KernelspecLocation.sysPrefix.kernelsDirectory(environment: [:], pythonSysPrefix: noPython))
        XCTAssertEqual(try KernelspecLocation.prefix("/p").kernelsDirectory(environment: [:], pythonSysPrefix: noPython), "/p/share/jupyter/kernels")
    }
}
