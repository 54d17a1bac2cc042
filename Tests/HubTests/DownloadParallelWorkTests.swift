import Foundation
import XCTest
@testable import Hub

final class DownloadParallelWorkTests: XCTestCase {
    /// How many bodies ran at once, at most, per kind of item.
    private final class Peaks: @unchecked Sendable {
        private let lock = NSLock()
        private var running: [Bool: Int] = [:]
        private(set) var peak: [Bool: Int] = [:]

        func enter(_ heavy: Bool) {
            lock.withLock {
                running[heavy, default: 0] += 1
                peak[heavy] = max(peak[heavy] ?? 0, running[heavy]!)
            }
        }

        func leave(_ heavy: Bool) { lock.withLock { running[heavy]! -= 1 } }
    }

    /// Small items use every worker; heavy ones never more than their own limit, while small ones keep flowing.
    func testHeavyItemsAreCappedWhileLightOnesUseEveryWorker() throws {
        let items = (0..<96).map { $0 % 3 == 0 }  // every third item is heavy
        let peaks = Peaks()
        let results = try ParallelWork.map(items, workers: 24, heavyWorkers: 4, isHeavy: { $0 }, isCancelled: { false }) { heavy in
            peaks.enter(heavy)
            defer { peaks.leave(heavy) }
            Thread.sleep(forTimeInterval: 0.03)
            return heavy
        }
        XCTAssertEqual(results, items, "every result in its item's place")
        XCTAssertLessThanOrEqual(peaks.peak[true] ?? 0, 4)
        XCTAssertGreaterThan(peaks.peak[false] ?? 0, 4, "light items are not held to the heavy limit")
    }

    func testWithoutAHeavyLimitEveryItemSharesTheWorkers() throws {
        let peaks = Peaks()
        _ = try ParallelWork.map(Array(repeating: true, count: 32), workers: 8, isCancelled: { false }) { heavy in
            peaks.enter(heavy)
            defer { peaks.leave(heavy) }
            Thread.sleep(forTimeInterval: 0.03)
        }
        XCTAssertLessThanOrEqual(peaks.peak[true] ?? 0, 8)
        XCTAssertGreaterThan(peaks.peak[true] ?? 0, 1)
    }

    func testAnExplicitWorkerCapHoldsForSmallFilesToo() {
        let request = DownloadRequest(repo: try! RepoID("org/name"), maxWorkers: 2, smallFileWorkers: 2)
        XCTAssertEqual(request.smallFileWorkers, 2)
        XCTAssertEqual(DownloadRequest(repo: try! RepoID("org/name")).smallFileWorkers, 32)
        XCTAssertEqual(DownloadRequest(repo: try! RepoID("org/name"), maxWorkers: 48).smallFileWorkers, 48, "never below maxWorkers")
    }
}
