import Foundation

/// One progress report from a download: a plain value the magics layer renders
/// (HTML bar in a notebook, a text bar in a terminal).
public struct DownloadProgress: Sendable, Equatable {
    public var filesTotal: Int
    public var filesDone: Int
    /// Bytes this run has to transfer (files already cached are not counted).
    public var bytesTotal: Int64
    /// Bytes in place, counting the part kept from an earlier, interrupted run.
    public var bytesDone: Int64
    /// Of `bytesDone`, the bytes an earlier run left (resumed from, not transferred now).
    public var bytesResumed: Int64 = 0
    /// Bytes that arrived over the network in this run (a retry that starts a file over counts them again).
    public var bytesTransferred: Int64 = 0
    /// Transfer rate of this run's bytes over the last few seconds (`ProgressTracker.window`), bytes per second.
    public var bytesPerSecond: Double
    /// True for the last report of a run.
    public var isFinished: Bool
    /// Seconds since the last byte arrived, once that is long enough to call the transfer
    /// stalled (0 while data flows).
    public var secondsWithoutData: Double = 0
    /// Why the download is waiting on purpose, e.g. "rate limited by the Hub (the 'api' quota): waiting 41 s";
    /// nil while it is not.
    public var waitReason: String?

    public init(filesTotal: Int = 0, filesDone: Int = 0, bytesTotal: Int64 = 0, bytesDone: Int64 = 0,
                bytesPerSecond: Double = 0, isFinished: Bool = false) {
        self.filesTotal = filesTotal
        self.filesDone = filesDone
        self.bytesTotal = bytesTotal
        self.bytesDone = bytesDone
        self.bytesPerSecond = bytesPerSecond
        self.isFinished = isFinished
    }

    /// Seconds until the known bytes are in at the recent rate; nil when finished,
    /// stalled, or when size or rate is not known yet.
    public var secondsRemaining: Double? {
        guard !isFinished, secondsWithoutData == 0, bytesTotal > bytesDone, bytesPerSecond > 0 else { return nil }
        return Double(bytesTotal - bytesDone) / bytesPerSecond
    }

    /// `0.0 … 1.0` of the bytes (files when there are no bytes to move).
    public var fraction: Double {
        if bytesTotal > 0 { return min(1, Double(bytesDone) / Double(bytesTotal)) }
        return filesTotal > 0 ? Double(filesDone) / Double(filesTotal) : 1
    }
}

/// Adds up progress from many transfers on many threads and reports it at most every
/// `interval` seconds. A change that comes too soon after the last report is not lost: it
/// is sent once the interval has passed (trailing edge), so a display never freezes on an
/// old state while a transfer stalls. Once no byte has arrived for `stallAfter` seconds, it reports
/// how long the wait has been, every `stallAfter / 6` seconds. The final state is always sent, and
/// nothing after it.
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var state = DownloadProgress()
    private var lastReport = Date.distantPast
    private var flushScheduled = false
    private var isStopped = false
    /// Numbers snapshots so a late one never overtakes a newer one on its way out.
    private var snapshotsTaken = 0
    private let interval: TimeInterval
    private let report: @Sendable (DownloadProgress) -> Void
    private let delivery = NSLock()
    private var lastDelivered = 0
    private let stallAfter: TimeInterval
    private var lastData = Date()
    private var stallWatch: DispatchSourceTimer?
    private var rate: MovingRate

    init(interval: TimeInterval = 0.1, stallAfter: TimeInterval = 3, window: TimeInterval = 4,
         report: @escaping @Sendable (DownloadProgress) -> Void) {
        self.interval = interval
        self.stallAfter = stallAfter
        self.rate = MovingRate(window: window)
        self.report = report
    }

    func start(files: Int, bytes: Int64) {
        lock.withLock {
            state.filesTotal = files
            state.bytesTotal = bytes
            lastData = Date()
            rate.record(state.bytesTransferred, at: lastData)
            if stallWatch == nil && !isStopped {
                let timer = DispatchSource.makeTimerSource(queue: .global())
                timer.schedule(deadline: .now() + stallAfter / 6, repeating: stallAfter / 6)
                timer.setEventHandler { [weak self] in self?.reportStall() }
                timer.resume()
                stallWatch = timer
            }
        }
        emit(force: true)
    }

    /// A transfer got `delta` more bytes (negative when a server restarted a file from 0).
    func add(bytes delta: Int64) {
        lock.withLock {
            state.bytesDone += delta
            if delta > 0 {
                state.bytesTransferred += delta
                lastData = Date()
            }
            // A file started over loses what it had resumed from first.
            state.bytesResumed = min(state.bytesResumed, max(state.bytesDone, 0))
        }
        emit(force: false)
    }

    /// A transfer found `delta` bytes kept by an earlier run and goes on from there
    /// (negative when it had to drop them after all).
    func add(resumed delta: Int64) {
        lock.withLock {
            state.bytesDone += delta
            state.bytesResumed = max(0, state.bytesResumed + delta)
        }
        emit(force: false)
    }

    /// A request waits before its next try (`reason`), or stopped waiting (nil).
    func waiting(_ reason: String?) {
        lock.withLock {
            state.waitReason = reason
            lastData = Date()
        }
        emit(force: true)
    }

    /// The expected size changed as a transfer learned it.
    func add(expected delta: Int64) { lock.withLock { state.bytesTotal += delta } }

    func fileDone() {
        lock.withLock { state.filesDone += 1 }
        emit(force: false)
    }

    var bytesDone: Int64 { lock.withLock { state.bytesDone } }
    /// This run's bytes: transferred, and resumed from.
    var counts: (transferred: Int64, resumed: Int64) { lock.withLock { (state.bytesTransferred, state.bytesResumed) } }

    func finish() {
        lock.withLock {
            state.isFinished = true
            stopStallWatch()
        }
        emit(force: true)
    }

    /// No report after this one returns, not even a flush already scheduled (a run that
    /// failed must not update its display after the error was shown).
    func stop() {
        lock.withLock {
            isStopped = true
            stopStallWatch()
        }
        delivery.withLock { lastDelivered = .max }
    }

    /// A report while no data has come for `stallAfter` seconds (nothing else would trigger one).
    private func reportStall() {
        if lock.withLock({ Date().timeIntervalSince(lastData) >= stallAfter }) { emit(force: false) }
    }

    /// Call with `lock` held.
    private func stopStallWatch() {
        stallWatch?.cancel()
        stallWatch = nil
    }

    private func emit(force: Bool) {
        let snapshot: (number: Int, progress: DownloadProgress)? = lock.withLock {
            if isStopped || (state.isFinished && !force) { return nil }
            let now = Date()
            let wait = interval - now.timeIntervalSince(lastReport)
            guard force || wait <= 0 else {
                if !flushScheduled {
                    flushScheduled = true
                    DispatchQueue.global().asyncAfter(deadline: .now() + wait) { [self] in
                        lock.withLock { flushScheduled = false }
                        emit(force: false)
                    }
                }
                return nil
            }
            return takeSnapshot(at: now)
        }
        if let snapshot { deliver(snapshot) }
    }

    /// Call with `lock` held.
    private func takeSnapshot(at now: Date) -> (number: Int, progress: DownloadProgress) {
        lastReport = now
        snapshotsTaken += 1
        rate.record(state.bytesTransferred, at: now)
        state.bytesPerSecond = rate.bytesPerSecond
        let waiting = now.timeIntervalSince(lastData)
        state.secondsWithoutData = !state.isFinished && state.filesDone < state.filesTotal && waiting >= stallAfter ? waiting : 0
        return (snapshotsTaken, state)
    }

    private func deliver(_ snapshot: (number: Int, progress: DownloadProgress)) {
        delivery.withLock {
            guard snapshot.number > lastDelivered else { return }
            lastDelivered = snapshot.number
            report(snapshot.progress)
        }
    }
}
