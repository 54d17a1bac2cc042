import Foundation
import XCTest
@testable import Hub

/// The tracker throttles reports but never leaves the last state unsent.
final class DownloadProgressTrackerTests: XCTestCase {
    private let interval: TimeInterval = 0.2

    private func tracker(into reports: LockedBox<[DownloadProgress]>) -> ProgressTracker {
        ProgressTracker(interval: interval) { progress in reports.value.append(progress) }
    }

    private func settle() { Thread.sleep(forTimeInterval: interval * 3) }

    func testAChangeTooSoonAfterAReportIsSentWhenTheIntervalHasPassed() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = tracker(into: reports)
        tracker.start(files: 1, bytes: 100)
        tracker.add(bytes: 40)  // within the interval of start's report: held back
        XCTAssertEqual(reports.value.map(\.bytesDone), [0], "throttled: no report right away")
        settle()
        XCTAssertEqual(reports.value.map(\.bytesDone), [0, 40], "the held-back state arrives on the trailing edge")
    }

    func testManyChangesInOneIntervalGiveOneTrailingReportWithTheLatestState() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = tracker(into: reports)
        tracker.start(files: 2, bytes: 100)
        for _ in 0..<10 { tracker.add(bytes: 5) }
        tracker.fileDone()
        settle()
        XCTAssertEqual(reports.value.count, 2)
        XCTAssertEqual(reports.value.last?.bytesDone, 50)
        XCTAssertEqual(reports.value.last?.filesDone, 1)
    }

    func testFinishIsTheLastReportEvenWithAFlushPending() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = tracker(into: reports)
        tracker.start(files: 1, bytes: 10)
        tracker.add(bytes: 10)
        tracker.fileDone()
        tracker.finish()
        settle()
        XCTAssertEqual(reports.value.last?.isFinished, true)
        XCTAssertEqual(reports.value.filter(\.isFinished).count, 1)
        XCTAssertEqual(reports.value.count, 2, "start and finish; the pending flush found nothing newer to send")
    }

    func testNothingIsSentAfterStop() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = tracker(into: reports)
        tracker.start(files: 1, bytes: 10)
        tracker.add(bytes: 3)
        tracker.stop()
        tracker.add(bytes: 3)
        settle()
        XCTAssertEqual(reports.value.map(\.bytesDone), [0])
    }

    func testAStallIsReportedWithItsLengthAndEndsWhenDataComes() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = ProgressTracker(interval: 0.05, stallAfter: 0.3) { reports.value.append($0) }
        tracker.start(files: 1, bytes: 100)
        tracker.add(bytes: 10)
        Thread.sleep(forTimeInterval: 0.8)
        let stalled = reports.value.filter { $0.secondsWithoutData > 0 }
        XCTAssertGreaterThanOrEqual(stalled.count, 2, "reported again while the wait goes on: \(reports.value.map(\.secondsWithoutData))")
        XCTAssertGreaterThanOrEqual(stalled.first?.secondsWithoutData ?? 0, 0.3)
        XCTAssertGreaterThan(stalled.last!.secondsWithoutData, stalled.first!.secondsWithoutData)
        XCTAssertEqual(stalled.last?.bytesDone, 10)
        Thread.sleep(forTimeInterval: 0.06)
        tracker.add(bytes: 10)
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(reports.value.last?.secondsWithoutData, 0, "data flows again")
        tracker.finish()
        let count = reports.value.count
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(reports.value.count, count, "no stall reports after the end")
    }

    func testResumedBytesCountInTheBarButNotInTheRate() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = ProgressTracker(interval: 0.05, window: 1) { reports.value.append($0) }
        tracker.start(files: 1, bytes: 12_000_000)
        tracker.add(resumed: 5_000_000)
        for _ in 0..<6 {
            Thread.sleep(forTimeInterval: 0.1)
            tracker.add(bytes: 100_000)  // 1 MB/s
        }
        Thread.sleep(forTimeInterval: 0.1)
        let last = reports.value.last!
        XCTAssertEqual(last.bytesDone, 5_600_000)
        XCTAssertEqual(last.bytesResumed, 5_000_000)
        XCTAssertEqual(last.bytesTransferred, 600_000)
        XCTAssertEqual(last.bytesPerSecond, 1_000_000, accuracy: 300_000, "the rate of this run's bytes, not of the kept ones")
        XCTAssertEqual(tracker.counts.transferred, 600_000)
        XCTAssertEqual(tracker.counts.resumed, 5_000_000)
    }

    func testTheRateFollowsTheLastSecondsNotTheWholeRun() {
        let reports = LockedBox<[DownloadProgress]>([])
        let tracker = ProgressTracker(interval: 0.05, window: 0.5) { reports.value.append($0) }
        tracker.start(files: 1, bytes: 100_000_000)
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: 0.1)
            tracker.add(bytes: 1_000_000)  // 10 MB/s
        }
        for _ in 0..<10 {
            Thread.sleep(forTimeInterval: 0.1)
            tracker.add(bytes: 10_000)  // then 100 kB/s
        }
        Thread.sleep(forTimeInterval: 0.1)
        let rate = reports.value.last!.bytesPerSecond
        XCTAssertLessThan(rate, 500_000, "the fast start has left the window (an average since the start says 3.4 MB/s)")
        XCTAssertGreaterThan(rate, 20_000)
    }

    func testAFileStartedOverLosesItsResumedBytes() {
        let tracker = ProgressTracker { _ in }
        tracker.start(files: 1, bytes: 10_000)
        tracker.add(resumed: 3000)
        tracker.add(bytes: -3000)  // the server ignored Range: back to 0
        tracker.add(bytes: 10_000)
        XCTAssertEqual(tracker.counts.resumed, 0)
        XCTAssertEqual(tracker.counts.transferred, 10_000)
    }
}
