import XCTest
@testable import Jupyter

/// `kernel_info_reply` with a hosted Python: Python's reply, HubKernel's identity, only the features the relay carries.
final class KernelInfoRelayTests: XCTestCase {
    private let info = KernelInfo(implementation: "hubkernel", implementationVersion: "0.1.0", languageName: "hubkernel",
                                  languageVersion: "1", mimetype: "text/plain", fileExtension: ".txt", banner: "HubKernel",
                                  helpLinks: [("HubKernel", "https://example.invalid/hubkernel")])

    private let child: [String: JSONValue] = [
        "status": "ok", "protocol_version": "5.3", "implementation": "ipython", "implementation_version": "9.4.0",
        "language_info": ["name": "python", "version": "3.11.7", "file_extension": ".py"], "banner": "Python 3.11",
        "help_links": [["text": "Python", "url": "https://docs.python.org"]],
        "supported_features": ["kernel subshells", "debugger", "something new"],
    ]

    func testPythonsReplyWithHubKernelsIdentity() {
        let content = ReplyContent.kernelInfo(info, relaying: child)
        XCTAssertEqual(content["implementation"], "hubkernel")
        XCTAssertEqual(content["implementation_version"], "0.1.0")
        XCTAssertEqual(content["banner"], "HubKernel")
        XCTAssertEqual(content["protocol_version"], "5.3")
        XCTAssertEqual(content["language_info"]?["version"], "3.11.7")
        XCTAssertEqual(content["help_links"]?.arrayValue?.count, 2, "Python's help links, then HubKernel's")
    }

    func testOnlyTheFeaturesTheRelayCarriesAreOffered() {
        let content = ReplyContent.kernelInfo(info, relaying: child)
        XCTAssertEqual(content["supported_features"], ["kernel subshells", "debugger"], "what the relay carries, not what it does not")
        XCTAssertEqual(content["debugger"], true)
        var without = child
        without["supported_features"] = ["kernel subshells"]
        XCTAssertEqual(ReplyContent.kernelInfo(info, relaying: without)["debugger"], false, "no debugpy in that Python")
    }

    func testAReplyWithoutLanguageInfoGetsPythonsDefault() {
        var bare = child
        bare["language_info"] = nil
        XCTAssertEqual(ReplyContent.kernelInfo(info, relaying: bare)["language_info"]?["name"], "python")
    }
}
