@testable import Hub
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

    func testTimeLeftAtTheAverageRate() {
        var progress = DownloadProgress(filesTotal: 1, bytesTotal: 10_000_000, bytesDone: 4_000_000, bytesPerSecond: 1_000_000)
        XCTAssertTrue(DownloadProgressView.render(progress, title: "t").text.hasSuffix(", 1.0 MB/s, 6 s left"),
                      DownloadProgressView.render(progress, title: "t").text)
        progress.bytesPerSecond = 10_000
        XCTAssertTrue(DownloadProgressView.render(progress, title: "t").text.hasSuffix(", 10 min 00 s left"))
        progress.isFinished = true
        XCTAssertFalse(DownloadProgressView.render(progress, title: "t").text.contains("left"), "nothing left once finished")
        XCTAssertNil(DownloadProgress(filesTotal: 1, bytesTotal: 10).secondsRemaining, "no rate yet: no estimate")
        progress.isFinished = false
        progress.secondsWithoutData = 12.2
        XCTAssertTrue(DownloadProgressView.render(progress, title: "t").text.hasSuffix(", 10.0 kB/s, no data for 13 s"),
                      "a stall replaces the estimate: \(DownloadProgressView.render(progress, title: "t").text)")
    }

    func testDurations() {
        XCTAssertEqual(DownloadProgressView.duration(0.2), "1 s")
        XCTAssertEqual(DownloadProgressView.duration(59), "59 s")
        XCTAssertEqual(DownloadProgressView.duration(185), "3 min 05 s")
        XCTAssertEqual(DownloadProgressView.duration(7620), "2 h 07 min")
    }

    func testAResumedDownloadSaysWhereItResumedAndCountsOnlyThisRunsBytes() throws {
        var progress = DownloadProgress(filesTotal: 1, bytesTotal: 12_600_000, bytesDone: 6_200_000, bytesPerSecond: 1_500_000)
        progress.bytesResumed = 5_500_000
        let line = DownloadProgressView.render(progress, title: "t").text
        XCTAssertTrue(line.hasSuffix("6.2 MB / 12.6 MB (resumed at 5.5 MB), 1.5 MB/s, 5 s left"), line)
        let file = DownloadedFile(path: "model.bin", localPath: "/c/model.bin", size: 12_600_000, status: .downloaded)
        var result = DownloadResult(repo: try RepoID("org/m"), revision: "main", commit: nil, files: [file], folder: nil,
                                    notice: nil, bytesDownloaded: 7_100_000, isDryRun: false)
        XCTAssertTrue(DownloadResultView.finalProgress(result).text.contains("1 downloaded (7.1 MB)"))
        result.bytesResumed = 5_500_000
        let done = DownloadResultView.finalProgress(result)
        XCTAssertTrue(done.text.contains("1 downloaded (resumed at 5.5 MB, 7.1 MB downloaded)"), done.text)
        XCTAssertTrue(done.html?.contains("resumed at 5.5 MB, 7.1 MB downloaded") ?? false)
        XCTAssertFalse(done.text.contains("/c/model.bin") || (done.html ?? "").contains("/c/model.bin"),
                       "the path is the result's, not repeated in the Done line")
    }
}
