import Foundation
import XCTest

/// Runs Python `huggingface_hub` 2.4.0 (the project's `.venv`) as the reference to compare
/// against: a script reads JSON from stdin and prints JSON.
enum DownloadReference {
    static var python: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".venv/bin/python").path
    }

    static func run(_ script: String, input: Any) throws -> Any {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no .venv with huggingface_hub at \(python)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import json, sys\n" + script]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: input, options: [.fragmentsAllowed]))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONSerialization.jsonObject(with: output, options: [.fragmentsAllowed])
    }
}
