import Foundation

/// A transfer rate over the last `window` seconds, as a person watching the bar judges it:
/// it follows a link that speeds up or slows down within a few seconds, and falls when data stops.
struct MovingRate: Sendable {
    let window: TimeInterval
    /// (time, running byte count) samples, oldest first; the oldest one is at or just before the window.
    private var samples: [(at: Date, bytes: Int64)] = []

    init(window: TimeInterval) { self.window = window }

    /// Notes that `bytes` had arrived in all by `date`.
    mutating func record(_ bytes: Int64, at date: Date) {
        samples.append((date, bytes))
        while samples.count > 2, date.timeIntervalSince(samples[1].at) >= window { samples.removeFirst() }
    }

    /// Bytes per second between the oldest sample kept and the newest; 0 before two samples.
    var bytesPerSecond: Double {
        guard let first = samples.first, let last = samples.last else { return 0 }
        let seconds = last.at.timeIntervalSince(first.at)
        return seconds > 0.05 ? Double(last.bytes - first.bytes) / seconds : 0
    }
}
