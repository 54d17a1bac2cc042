import Hub
import XCTest
@testable import HubMagics

final class DownloadProgressViewTests: XCTestCase {
    func testBeforeAnythingIsKnownTheBarIsIndeterminate() {
        let start = DownloadProgressView.render(DownloadProgress(), title: "Downloading org/m")
        XCTAssertEqual(start.text, "Downloading org/m: looking up files…")
        XCTAssertTrue(start.html?.contains("<progress style=") ?? false, "no value: indeterminate")
    }

    func testHalfway() {
        var progress = DownloadProgress()
        progress.filesTotal = 2
        progress.filesDone = 1
        progress.bytesTotal = 2048
        progress.bytesDone = 1024
        let half = DownloadProgressView.render(progress, title: "t")
        XCTAssertTrue(half.text.hasPrefix("t ████████████░░░░░░░░░░░░ 50% 1/2 files"), half.text)
        XCTAssertTrue(half.html?.contains("<progress value=\"50\" max=\"100\"") ?? false)
    }
}
