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
}
