import Foundation
import Hub
import Jupyter
import XCTest
@testable import HubMagics

/// `%token_scan` through the runner, on notebooks written to a temp folder with tokens made at run time.
final class TokenScanMagicTests: XCTestCase {
    var home = ""
    var folder: String { home + "/project" }

    override func setUpWithError() throws {
        home = NSTemporaryDirectory() + "hubkernel-tokenscan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: home) }

    private func token() -> String {
        "hf" + "_" + String((0..<34).map { _ in Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").randomElement()! })
    }

    private var environment: HubEnvironment {
        HubEnvironment(variables: ["HF_HOME": home + "/hf", "HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
                       homeDirectory: home)
    }

    private func run(_ cell: String, _ output: RecordingOutput) throws -> RichOutput? {
        try MagicRunner(session: MagicSession.standard(environment: environment, transport: OfflineTransport())).run(cell: cell, output: output)
    }

    private func writeNotebook(_ name: String, code: String, output: String) throws {
        let notebook: [String: Any] = [
            "cells": [["cell_type": "code", "execution_count": 1, "id": "c1", "metadata": [:],
                       "source": [code], "outputs": [["output_type": "stream", "name": "stdout", "text": [output]]]]],
            "metadata": ["kernelspec": ["name": "python3", "language": "python", "display_name": "Python 3"]],
            "nbformat": 4, "nbformat_minor": 5,
        ]
        try JSONSerialization.data(withJSONObject: notebook, options: [.sortedKeys]).write(to: URL(fileURLWithPath: folder + "/" + name))
    }

    func testFindingsNameTheStoredTokenAndNeverShowIt() throws {
        let laptop = token(), other = token()
        let store = TokenStore(environment: environment)
        try store.save(token: laptop, name: "laptop")
        _ = try store.activate(name: "laptop")
        try writeNotebook("a.ipynb", code: "login(token=\"\(laptop)\")", output: "printed \(other)\n")

        let output = RecordingOutput()
        XCTAssertThrowsError(try run("%token_scan \(folder)", output)) { error in
            XCTAssertEqual((error as? MagicError)?.name, "TokensFound")
            XCTAssertTrue((error as? MagicError)?.message.contains("2 tokens found in 2 place(s)") ?? false, "\(error)")
        }
        let shown = output.events.joined()
        XCTAssertTrue(shown.contains("cell 1, source line 1"), shown)
        XCTAssertTrue(shown.contains("cell 1, output 1 (stream)"), shown)
        XCTAssertTrue(shown.contains("stored as 'laptop', the token in force"), shown)
        XCTAssertTrue(shown.contains(TokenText.mask(laptop)) && shown.contains(TokenText.mask(other)), shown)
        XCTAssertTrue(shown.contains("--fix masks tokens in notebook outputs"), shown)
        XCTAssertFalse(shown.contains(laptop) || shown.contains(other), "a token was shown whole")
    }

    func testJSONCleanFolderAndUsageErrors() throws {
        let leaked = token()
        try writeNotebook("a.ipynb", code: "x = 1", output: leaked)
        let output = RecordingOutput()
        XCTAssertThrowsError(try run("%token_scan --json \(folder)", output))
        let json = try JSONValue.parse(String(output.events.joined().dropFirst("show:".count)))
        guard case .object(let object) = json, case .array(let findings)? = object["findings"],
              case .object(let first)? = findings.first else { return XCTFail("\(json)") }
        XCTAssertEqual(first["kind"], JSONValue.string("stream"))
        XCTAssertEqual(first["cell"], JSONValue.number(1))
        XCTAssertEqual(first["token"], JSONValue.string(TokenText.mask(leaked)))

        try FileManager.default.removeItem(atPath: folder + "/a.ipynb")
        let clean = try XCTUnwrap(try run("%token_scan \(folder)", RecordingOutput()))
        XCTAssertTrue(clean.text.hasPrefix("No token found; scanned 0 files"), clean.text)
        XCTAssertThrowsError(try run("%token_scan --fix-code \(folder)", RecordingOutput())) { XCTAssertEqual(($0 as? MagicError)?.name, "UsageError") }
        XCTAssertThrowsError(try run("%token_scan \(folder)/missing", RecordingOutput())) {
            XCTAssertEqual(($0 as? UserFacingError)?.name, "FileNotFoundError")
        }
    }

    func testFixMasksOutputsAndOnlyWithFixCodeTheCode() throws {
        let inCode = token(), inOutput = token()
        try writeNotebook("a.ipynb", code: "from huggingface_hub import login\nlogin(token='\(inCode)')\n", output: "Bearer \(inOutput)\n")

        let fixOnly = RecordingOutput()
        XCTAssertThrowsError(try run("%token_scan --fix \(folder)", fixOnly))
        let firstShown = fixOnly.events.joined()
        XCTAssertFalse(firstShown.contains("--fix masks tokens"), "the outputs were just fixed: \(firstShown)")
        XCTAssertTrue(firstShown.contains("--fix-code does this"), "the code still holds a token: \(firstShown)")
        var text = try String(contentsOfFile: folder + "/a.ipynb", encoding: .utf8)
        XCTAssertFalse(text.contains(inOutput))
        XCTAssertTrue(text.contains(inCode), "code is kept without --fix-code")
        XCTAssertTrue(text.contains(TokenText.mask(inOutput)))

        let output = RecordingOutput()
        XCTAssertThrowsError(try run("%token_scan --fix --fix-code \(folder)", output))
        text = try String(contentsOfFile: folder + "/a.ipynb", encoding: .utf8)
        XCTAssertFalse(text.contains(inCode))
        XCTAssertTrue(text.contains(#""source":["import os\nfrom huggingface_hub import login\nlogin(token=os.environ[\"HF_TOKEN\"])\n"]"#), text)
        let shown = output.events.joined()
        // Not a git repository, nothing left for --fix or --fix-code: no advice to run them, no history rewrite.
        for stale in ["--fix masks tokens", "--fix-code does this", "filter-repo", "see below"] {
            XCTAssertFalse(shown.contains(stale), "\(stale) in \(shown)")
        }
        XCTAssertTrue(shown.contains("Revoke"), shown)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(text.utf8)))
        XCTAssertNoThrow(try run("%token_scan \(folder)", RecordingOutput()), "nothing left")

        let backups = try FileManager.default.subpathsOfDirectory(atPath: home + "/hf/token-scan-backups").filter { $0.hasSuffix(".ipynb") }
        XCTAssertEqual(backups.count, 2)
        let first = home + "/hf/token-scan-backups/" + backups.sorted().first!
        XCTAssertEqual(FileSystem.status(of: first)?.permissions, 0o600)
    }
}

extension TokenScanMagicTests {
    func testHTMLTableAndPathCompletion() throws {
        let leaked = token()
        try writeNotebook("analysis.ipynb", code: "x = 1", output: "<b>\(leaked)</b>")
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try "x".write(toFile: folder + "/notes.txt", atomically: false, encoding: .utf8)
        let output = RecordingOutput()
        let session = MagicSession.standard(environment: environment, transport: OfflineTransport())
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(folder)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        let completer = MagicCompleter(session: session)
        XCTAssertEqual(completer.complete(code: "%token_scan ", cursor: 12).matches, ["analysis.ipynb", "data/"])
        XCTAssertEqual(completer.complete(code: "%token_scan --hi", cursor: 16).matches, ["--history"])

        var report = TokenScanReport(result: try TokenScanner(options: TokenScanOptions(paths: ["."]), environment: [:], home: home).scan(),
                                     environment: environment)
        report.tokens[0].check = .live(user: "alice", role: "write")
        let rendered = TokenScanMagic.render(report, fixes: [], json: false, wording: { $0 }, redact: { $0 })
        let html = try XCTUnwrap(rendered.html)
        XCTAssertTrue(html.contains(">analysis.ipynb</td>") && html.contains(">\(TokenText.mask(leaked))</td>"), html)
        XCTAssertTrue(html.contains("live: alice (write)") && html.contains("<li>Revoke the live token(s) first"), html)
        XCTAssertFalse(html.contains(leaked) || rendered.text.contains(leaked))
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%token_scan", output: output))
    }
}
