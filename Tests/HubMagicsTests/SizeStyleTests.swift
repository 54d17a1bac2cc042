import Foundation
import Hub
import XCTest
@testable import HubMagics

/// One size style everywhere (issue 20): `12.6 MB`, `117.3 kB`, `144 B` — never `12.6M`, `117.3K` or `144 bytes`.
final class SizeStyleTests: XCTestCase {
    /// A size written the other ways: `12.6M`, `5.0` alone, `144 bytes`.
    private let otherStyle = try! NSRegularExpression(pattern: #"\b\d+\.\d[KMGT]?(?![\d ]*[kMGT]?B)\b|\b\d+ bytes\b"#)

    private func assertOneStyle(_ text: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let range = NSRange(text.startIndex..., in: text)
        let found = otherStyle.matches(in: text, range: range).map { String(text[Range($0.range, in: text)!]) }
        XCTAssertEqual(found, [], "\(what): \(text)", file: file, line: line)
    }

    func testTheFormatItself() {
        XCTAssertEqual(ByteCount.format(144), "144 B")
        XCTAssertEqual(ByteCount.format(117_300), "117.3 kB")
        XCTAssertEqual(ByteCount.format(12_600_000), "12.6 MB")
        XCTAssertEqual(ByteCount.format(81_700_000_000), "81.7 GB")
    }

    func testCacheTokenScanDownloadAndProgressSpeakTheSameUnits() throws {
        let home = NSTemporaryDirectory() + "size-style-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: home) }
        let snapshot = home + "/hub/models--org--m/snapshots/" + String(repeating: "a", count: 40)
        try FileManager.default.createDirectory(atPath: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: home + "/hub/models--org--m/refs", withIntermediateDirectories: true)
        try Data(String(repeating: "a", count: 40).utf8).write(to: URL(fileURLWithPath: home + "/hub/models--org--m/refs/main"))
        try Data(count: 117_300).write(to: URL(fileURLWithPath: snapshot + "/weights.bin"))
        let notes = home + "/notes"
        try FileManager.default.createDirectory(atPath: notes, withIntermediateDirectories: true)
        try Data(count: 144).write(to: URL(fileURLWithPath: notes + "/a.txt"))
        let session = MagicSession(environment: HubEnvironment(variables: ["HF_HOME": home], homeDirectory: home), transport: OfflineTransport())
        func run(_ cell: String) throws -> String { try MagicRunner(session: session).run(cell: cell, output: RecordingOutput())?.text ?? "" }

        let ls = try run("%cache ls")
        XCTAssertTrue(ls.contains("117.3 kB"), ls)
        assertOneStyle(ls, "%cache ls")
        let rm = RecordingOutput()
        _ = try MagicRunner(session: session).run(cell: "%cache rm org/m --dry-run", output: rm)
        XCTAssertTrue(rm.events.joined().contains("totalling 117.3 kB"), "\(rm.events)")
        let scan = try run("%token_scan \(notes)")
        XCTAssertTrue(scan.contains("(144 B)"), scan)
        assertOneStyle(scan, "%token_scan")
        let progress = DownloadProgressView.render(DownloadProgress(filesTotal: 1, bytesTotal: 12_600_000, bytesDone: 117_300,
                                                                    bytesPerSecond: 1_500_000), title: "t").text
        XCTAssertTrue(progress.contains("117.3 kB / 12.6 MB"), progress)
        assertOneStyle(progress, "progress")
    }
}
