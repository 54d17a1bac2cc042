import Foundation

/// One progress report from a download: a plain value the magics layer renders
/// (HTML bar in a notebook, a text bar in a terminal).
public struct DownloadProgress: Sendable, Equatable {
    public var filesTotal: Int
    public var filesDone: Int
    /// Bytes this run has to transfer (files already cached are not counted).
    public var bytesTotal: Int64
    public var bytesDone: Int64
    /// Average transfer rate since the start, bytes per second.
    public var bytesPerSecond: Double
    /// True for the last report of a run.
    public var isFinished: Bool

    public init(filesTotal: Int = 0, filesDone: Int = 0, bytesTotal: Int64 = 0, bytesDone: Int64 = 0,
                bytesPerSecond: Double = 0, isFinished: Bool = false) {
        self.filesTotal = filesTotal
        self.filesDone = filesDone
        self.bytesTotal = bytesTotal
        self.bytesDone = bytesDone
        self.bytesPerSecond = bytesPerSecond
        self.isFinished = isFinished
    }

    /// `0.0 … 1.0` of the bytes (files when there are no bytes to move).
    public var fraction: Double {
        if bytesTotal > 0 { return min(1, Double(bytesDone) / Double(bytesTotal)) }
        return filesTotal > 0 ? Double(filesDone) / Double(filesTotal) : 1
    }
}

/// Adds up progress from many transfers on many threads and reports it at most every
/// `interval` seconds (always the final state).
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var state = DownloadProgress()
    private let started = Date()
    private var lastReport = Date.distantPast
    private let interval: TimeInterval
    private let report: @Sendable (DownloadProgress) -> Void

    init(interval: TimeInterval = 0.1, report: @escaping @Sendable (DownloadProgress) -> Void) {
        self.interval = interval
        self.report = report
    }

    func start(files: Int, bytes: Int64) {
        lock.withLock { state.filesTotal = files; state.bytesTotal = bytes }
        emit(force: true)
    }

    /// A transfer got `delta` more bytes (negative when a server restarted a file from 0).
    func add(bytes delta: Int64) {
        lock.withLock { state.bytesDone += delta }
        emit(force: false)
    }

    /// The expected size changed as a transfer learned it.
    func add(expected delta: Int64) { lock.withLock { state.bytesTotal += delta } }

    func fileDone() {
        lock.withLock { state.filesDone += 1 }
        emit(force: false)
    }

    var bytesDone: Int64 { lock.withLock { state.bytesDone } }

    func finish() {
        lock.withLock { state.isFinished = true }
        emit(force: true)
    }

    private func emit(force: Bool) {
        let snapshot: DownloadProgress? = lock.withLock {
            let now = Date()
            guard force || now.timeIntervalSince(lastReport) >= interval else { return nil }
            lastReport = now
            let elapsed = max(now.timeIntervalSince(started), 0.001)
            state.bytesPerSecond = Double(state.bytesDone) / elapsed
            return state
        }
        if let snapshot { report(snapshot) }
    }
}
