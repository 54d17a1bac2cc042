import Foundation
import Hub
import Jupyter
import XCTest
@testable import HubMagics

/// `%cache`, `%hf_env`, `%doctor` through the runner, on a small cache in a temp folder.
final class CacheMagicTests: XCTestCase {
    var home = ""
    var cacheDir: String { home + "/hub" }
    let commit = String(repeating: "a", count: 40)

    override func setUpWithError() throws {
        home = NSTemporaryDirectory() + "hubkernel-magic-\(UUID().uuidString)"
        let repo = cacheDir + "/models--org--m"
        try FileManager.default.createDirectory(atPath: repo + "/blobs", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo + "/snapshots/" + commit, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: repo + "/refs", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: repo + "/blobs/b1", contents: Data("12345".utf8))
        try FileManager.default.createSymbolicLink(atPath: repo + "/snapshots/\(commit)/config.json", withDestinationPath: "../../blobs/b1")
        FileManager.default.createFile(atPath: repo + "/refs/main", contents: Data(commit.utf8))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: home) }

    func run(_ cell: String, _ output: RecordingOutput = RecordingOutput(), variables: [String: String] = [:]) throws -> RichOutput? {
        let environment = HubEnvironment(variables: ["HF_HOME": home].merging(variables) { $1 }, homeDirectory: home)
        return try MagicRunner(session: MagicSession(environment: environment, transport: OfflineTransport())).run(cell: cell, output: output)
    }

    func testLsTableAndJSON() throws {
        let table = try XCTUnwrap(try run("%cache ls"))
        XCTAssertTrue(table.text.contains("model/org/m"), table.text)
        XCTAssertTrue(table.text.contains("Found 1 repo(s) for a total of 1 revision(s) and 5 B on disk."), table.text)
        XCTAssertNotNil(table.html)
        let json = try XCTUnwrap(try run("%cache ls --revisions --json")?.json)
        guard case .array(let items) = json, case .object(let item)? = items.first else { return XCTFail("\(json)") }
        XCTAssertEqual(item["revision"], JSONValue.string(commit))
        XCTAssertEqual(item["size_on_disk"], JSONValue.number(5))
        XCTAssertEqual(item["refs"], JSONValue.array([.string("main")]))
        XCTAssertThrowsError(try run("%cache ls --filter colour=red")) { XCTAssertEqual(($0 as? UserFacingError)?.name, "UsageError") }
    }

    func testRmAsksAndHonoursTheAnswer() throws {
        let no = RecordingOutput(); no.answers = ["n"]
        XCTAssertEqual(try run("%cache rm org/m", no)?.text, "Deletion cancelled; nothing was deleted.")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheDir + "/models--org--m"))
        XCTAssertTrue(no.events.first?.contains("About to delete 1 repo(s) totalling 5 B.") ?? false, "\(no.events)")

        XCTAssertEqual(try run("%cache rm org/m --dry-run")?.text, "Dry run: no files were deleted.")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheDir + "/models--org--m"))

        let yes = RecordingOutput(); yes.answers = ["y"]
        XCTAssertEqual(try run("%cache rm org/m", yes)?.text, "Deleted 1 repo(s); freed 5 B.")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheDir + "/models--org--m"))
    }

    func testRmWithoutStdinSaysToAddYes() {
        XCTAssertThrowsError(try run("%cache rm org/m")) { error in
            XCTAssertEqual((error as? MagicError)?.name, "StdinNotAllowedError")
            XCTAssertTrue((error as? MagicError)?.message.contains("--yes") ?? false)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheDir + "/models--org--m"))
    }

    func testVerifyOfflineWithoutListingSaysWhatToDo() {
        XCTAssertThrowsError(try run("%cache verify org/m", variables: ["HF_HUB_OFFLINE": "1"])) { error in
            XCTAssertTrue((error as? UserFacingError)?.message.contains("No cached listing") ?? false, "\(error)")
        }
    }

    func testHfEnvNeverShowsTheToken() throws {
        let token = "hf_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let result = try XCTUnwrap(try run("%hf_env", variables: ["HF_TOKEN": token, "HF_HUB_OFFLINE": "yes"]))
        XCTAssertFalse(result.text.contains(token))
        XCTAssertTrue(result.text.contains("- Token: hf_****\(token.suffix(4)) from environment variable HF_TOKEN"), result.text)
        XCTAssertTrue(result.text.contains("- HF_HUB_OFFLINE: True"))
        XCTAssertTrue(result.text.contains("- HF_HUB_CACHE: \(cacheDir)"))
        XCTAssertTrue(result.text.contains("- libzmq: "))
        let json = try XCTUnwrap(try run("%hf_env --json", variables: ["HF_TOKEN": token])?.json)
        XCTAssertFalse(json.jsonText.contains(token))
    }

    func testHfEnvSaysWhichTokenSourceWinsAndWhatItShadows() throws {
        let saved = "hf_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let variable = "hf_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        FileManager.default.createFile(atPath: home + "/token", contents: Data(saved.utf8))
        let fileOnly = try XCTUnwrap(try run("%hf_env")).text
        XCTAssertTrue(fileOnly.contains("- Token: hf_****\(saved.suffix(4)) from token file \(home)/token\n"), fileOnly)
        XCTAssertTrue(fileOnly.contains("- Other token sources: none"), fileOnly)

        let both = try XCTUnwrap(try run("%hf_env", variables: ["HF_TOKEN": variable])).text
        XCTAssertTrue(both.contains("- Token: hf_****\(variable.suffix(4)) from environment variable HF_TOKEN\n"), both)
        XCTAssertTrue(both.contains("- Other token sources: token file hf_****\(saved.suffix(4)) (shadowed by environment variable HF_TOKEN)"), both)
        let disabled = try XCTUnwrap(try run("%hf_env", variables: ["HF_TOKEN": variable, "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"])).text
        XCTAssertTrue(disabled.contains("(not sent: HF_HUB_DISABLE_IMPLICIT_TOKEN is set)"), disabled)
        for text in [fileOnly, both, disabled] {
            XCTAssertFalse(text.contains(saved) || text.contains(variable))
        }
    }

    func testDoctorRenderLinksPagesInHTMLAndListsChecksAsJSON() throws {
        let checks = [DoctorCheck("Hub reachable", .pass, "answered"),
                      DoctorCheck("Access to org/<m>", .fail, "gated", fix: "accept", link: "https://hub.example/org/m?a=1&b=2")]
        let output = DoctorMagic.render(checks, redact: { $0 })
        let html = try XCTUnwrap(output.html)
        XCTAssertTrue(html.contains("<li>Access to org/&lt;m&gt;: <a href=\"https://hub.example/org/m?a=1&amp;b=2\""), html)
        XCTAssertTrue(output.text.contains("✗ fail  Access to org/<m>"), output.text)
        guard case .array(let items)? = output.json, case .object(let failed)? = items.last else { return XCTFail("\(String(describing: output.json))") }
        XCTAssertEqual(items.count, 2)
        XCTAssertEqual(failed["result"], .string("fail"))
        XCTAssertEqual(failed["link"], .string("https://hub.example/org/m?a=1&b=2"))
        XCTAssertEqual(DoctorMagic.render(checks, json: true, redact: { $0 }).text, output.json?.jsonText)
        let allPassed = DoctorMagic.render([checks[0]], redact: { $0 })
        XCTAssertFalse(allPassed.html?.contains("Fix:") ?? true, "no fix when nothing needs fixing")
        XCTAssertTrue(output.text.contains("fix") && output.text.contains("accept https://hub.example/org/m?a=1&b=2"), output.text)
        XCTAssertFalse(html.contains(">fix</th>"), "in HTML each fix is under its detail, not in a column of its own")
        XCTAssertTrue(html.contains("gated<div style=\"margin-top:0.25em\"><strong>Fix:</strong> accept</div>"), html)
    }

    func testDoctorFailsWhenTheHubIsUnreachable() {
        let output = RecordingOutput()
        XCTAssertThrowsError(try run("%doctor", output)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "DoctorFoundProblems")
            XCTAssertTrue((error as? MagicError)?.message.contains("Hub reachable") ?? false)
        }
        XCTAssertTrue(output.events.contains { $0.hasPrefix("show:") && $0.contains("✗ fail  Hub reachable") }, "\(output.events)")
    }
}
