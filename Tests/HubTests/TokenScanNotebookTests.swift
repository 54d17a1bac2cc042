import XCTest
@testable import Hub

final class TokenScanNotebookTests: XCTestCase {
    /// A JSON string literal for `text` (quotes included), as json.dumps writes it.
    private func json(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]), as: UTF8.self)
            .dropFirst().dropLast().description
    }

    private func findings(_ notebook: String) -> [TokenFinding] {
        let bytes = Array(notebook.utf8)
        let scanner = FileTokenScanner(maxFileSize: 1 << 30)
        return bytes.withUnsafeBufferPointer { scanner.scan($0, displayPath: "nb.ipynb", kind: .notebook) }.findings
    }

    func testEveryPlaceInANotebook() {
        let t = (0..<9).map { _ in FakeTokens.user() }
        let split = t[2].replacingOccurrences(of: "hf_", with: "hf\\u005f")  // the JSON escape splits the token
        let notebook = """
        {"cells": [
          {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["\(t[7])"]},
           "source": ["import os\\n", "login(token=\\"\(t[0])\\")\\n"],
           "outputs": [
             {"name": "stdout", "output_type": "stream", "text": ["ok\\n", "\(t[1])\\n"]},
             {"output_type": "execute_result", "execution_count": 1, "metadata": {},
              "data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
                       "text/plain": ["<Figure> \(split)"]}},
             {"output_type": "error", "ename": "HTTPError", "evalue": "401 for token \(t[3])", "traceback": ["line one", "\\u001b[0m\(t[4])"]}
           ]},
          {"cell_type": "markdown", "metadata": {}, "source": "# Title\\nsee \(t[5])",
           "attachments": {"shot.png": {"text/plain": "\(t[6])"}}}
        ],
         "metadata": {"kernelspec": {"language": "python", "name": "python3"},
                      "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"w": {"value": "\(t[8])"}}}}},
         "nbformat": 4, "nbformat_minor": 5}
        """
        let found = findings(notebook)
        XCTAssertEqual(found.map(\.token), [t[7], t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[8]])
        XCTAssertEqual(found.map(\.whereText), [
            "cell 1, cell metadata", "cell 1, source line 2", "cell 1, output 1 (stream)", "cell 1, output 2 (text/plain)",
            "cell 1, output 3 (error)", "cell 1, output 3 (traceback)", "cell 2, source line 2", "cell 2, attachment shot.png",
            "notebook metadata (widget state)",
        ])
    }

    func testMalformedNotebookIsScannedAsText() {
        let token = FakeTokens.user()
        let bytes = Array("{\"cells\": [ \"\(token)\"".utf8)
        let outcome = bytes.withUnsafeBufferPointer { FileTokenScanner(maxFileSize: 1 << 20).scan($0, displayPath: "x.ipynb", kind: .notebook) }
        XCTAssertTrue(outcome.malformedNotebook)
        XCTAssertEqual(outcome.findings.map(\.token), [token])
        XCTAssertEqual(outcome.findings.map(\.place), [.line(1)])
    }

    func testJSONDecodingOfEscapes() {
        var output: [UInt8] = []
        let raw = Array(#"a\"b\\c\/d\n\u00e9\ud83d\ude00\x"#.utf8)
        raw.withUnsafeBufferPointer { NotebookWalker.decode($0, into: &output) }
        XCTAssertEqual(String(decoding: output, as: UTF8.self), "a\"b\\c/d\né😀\\x")
        XCTAssertEqual(json("é"), "\"é\"")
    }
}
