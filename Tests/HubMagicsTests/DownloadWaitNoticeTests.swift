import Hub
import XCTest
@testable import HubMagics

/// The progress line says why a download waits on purpose (a rate limit), before and after the file list is known.
final class DownloadWaitNoticeTests: XCTestCase {
    func testTheWaitReasonIsShownInsteadOfTheTimeLeft() {
        var progress = DownloadProgress(filesTotal: 1, bytesTotal: 10_000_000, bytesDone: 4_000_000, bytesPerSecond: 1_000_000)
        progress.waitReason = "rate limited by the Hub (the 'api' quota): waiting 41 s"
        let text = DownloadProgressView.render(progress, title: "t").text
        XCTAssertTrue(text.hasSuffix(", rate limited by the Hub (the 'api' quota): waiting 41 s"), text)
        XCTAssertFalse(text.contains("left"), text)
        var lookingUp = DownloadProgress()
        lookingUp.waitReason = "rate limited by the Hub (the 'api' quota): waiting 41 s"
        XCTAssertEqual(DownloadProgressView.render(lookingUp, title: "t").text, "t: rate limited by the Hub (the 'api' quota): waiting 41 s")
    }
}
