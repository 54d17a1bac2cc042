import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A large file fetched as several byte ranges at once, each written in place (`pwrite`)
/// into the `.incomplete` file. A helper thread hashes the file in order as far as the ranges
/// have filled it contiguously, so nothing unverified is published.
///
/// Resume: each range's progress is recorded in a sidecar (`<incomplete>.ranges`) after its
/// bytes are written, so a run killed at any point continues every range where it stopped.
final class RangedDownload: @unchecked Sendable {
    let fetcher: BlobFetcher
    let job: BlobFetcher.Job
    let fd: Int32
    let size: Int64
    let sidecar: String
    let digest: RunningDigest
    let parts: Int
    let progress: @Sendable (Int64) -> Void
    /// Gets the bytes kept from an earlier run (and their negative when they are dropped).
    let resumed: @Sendable (Int64) -> Void

    private let lock = NSLock()
    private var positions: [Int64] = []
    private var ranges: [(start: Int64, end: Int64)] = []
    private var stopAll = false
    private var hashedUpTo: Int64 = 0

    init(fetcher: BlobFetcher, job: BlobFetcher.Job, fd: Int32, size: Int64, sidecar: String, digest: RunningDigest,
         parts: Int, progress: @escaping @Sendable (Int64) -> Void, resumed: @escaping @Sendable (Int64) -> Void) {
        self.fetcher = fetcher
        self.job = job
        self.fd = fd
        self.size = size
        self.sidecar = sidecar
        self.digest = digest
        self.parts = parts
        self.progress = progress
        self.resumed = resumed
    }

    /// Downloads every range and hashes the whole file; returns the bytes transferred, or nil
    /// when the server does not serve ranges (nothing useful was written then).
    func run() throws -> Int64? {
        let recorded = RangeSidecar.read(sidecar, size: size)
        ranges = recorded?.ranges ?? RangeSidecar.split(size: size, parts: parts)
        positions = recorded?.positions ?? ranges.map(\.start)
        let kept = zip(positions, ranges).map { $0 - $1.start }.reduce(0, +)
        guard let record = RangeSidecar(path: sidecar, ranges: ranges) else {
            throw HubError(.io(path: sidecar, detail: String(cString: strerror(errno))))
        }
        defer { record.close() }
        for index in ranges.indices { record.write(index, position: positions[index]) }
        if kept > 0 { resumed(kept) }

        let hashDone = DispatchSemaphore(value: 0)
        Thread { self.hashInOrder(); hashDone.signal() }.start()

        let errors = LockedList<Error>()
        let group = DispatchGroup()
        for index in ranges.indices where positions[index] <= ranges[index].end {
            group.enter()
            Thread {
                defer { group.leave() }
                do { try self.fetchRange(index, record: record) } catch {
                    errors.append(error)
                    self.lock.withLock { self.stopAll = true }
                }
            }.start()
        }
        group.wait()
        let failed = errors.items
        if !failed.isEmpty { lock.withLock { stopAll = true } }
        hashDone.wait()

        if failed.contains(where: { $0 is RangesUnsupported }) {
            let wrote = lock.withLock { zip(positions, ranges).map { $0 - $1.start }.reduce(0, +) }
            resumed(-kept)
            progress(-(wrote - kept))
            return nil
        }
        let keptNow = lock.withLock { zip(positions, ranges).map { $0 - $1.start }.reduce(0, +) }
        if let hubError = failed.compactMap({ $0 as? HubError }).first(where: {
            if case .cancelled = $0.kind { return false }
            return true
        }) {
            switch hubError.kind {
            case .diskFull(let path, let needed, let available, _):
                throw HubError(.diskFull(path: path, needed: needed, available: available, kept: keptNow))
            case .transferFailed(let path, let detail, _):
                throw HubError(.transferFailed(path: path, detail: detail, kept: keptNow))
            default:
                throw hubError
            }
        }
        if !failed.isEmpty { throw HubError(.cancelled(kept: keptNow)) }
        return size - kept
    }

    private func fetchRange(_ index: Int, record: RangeSidecar) throws {
        let range = ranges[index]
        let writer = BodyFileWriter(fileDescriptor: fd, position: positions[index], limit: range.end + 1)
        let recorded = LockedCounter(value: writer.position)
        let stop: @Sendable () -> Bool = { [self] in
            let now = writer.position
            lock.withLock { positions[index] = now }
            if now - recorded.value >= 4 << 20 {
                record.write(index, position: now)
                _ = recorded.advance(to: now)
            }
            return fetcher.isCancelled() || lock.withLock { stopAll }
        }
        defer {
            lock.withLock { positions[index] = writer.position }
            record.write(index, position: writer.position)
        }
        try fetcher.download(job, writer: writer, end: range.end, progress: progress, shouldStop: stop)
    }

    /// Feeds the digest with the file's bytes in order, up to what the ranges have written.
    private func hashInOrder() {
        var offset: Int64 = 0
        var buffer = Data(count: 1 << 20)
        while offset < size {
            let (frontier, stopping) = lock.withLock { () -> (Int64, Bool) in
                var frontier = size
                for (index, range) in ranges.enumerated() where positions[index] <= range.end {
                    frontier = positions[index]
                    break
                }
                return (frontier, stopAll)
            }
            if offset >= frontier {
                if stopping { return }
                usleep(2_000)
                continue
            }
            let count = Int(min(Int64(buffer.count), frontier - offset))
            let read = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            guard read > 0 else { return }
            digest.update(buffer.prefix(read))
            offset += Int64(read)
        }
    }
}

/// `<incomplete>.ranges`: one fixed-width line per range, `position end`, rewritten in place
/// as the range advances (the bytes before `position` are already in the file).
final class RangeSidecar: @unchecked Sendable {
    static let recordWidth = 42

    static func path(for incomplete: String) -> String { incomplete + ".ranges" }

    /// `parts` contiguous ranges covering `size` bytes.
    static func split(size: Int64, parts: Int) -> [(start: Int64, end: Int64)] {
        let chunk = (size + Int64(parts) - 1) / Int64(parts)
        return (0..<parts).compactMap { index in
            let start = Int64(index) * chunk
            guard start < size else { return nil }
            return (start, min(size, start + chunk) - 1)
        }
    }

    /// The recorded ranges and positions, if the sidecar is valid for a file of `size` bytes.
    static func read(_ path: String, size: Int64) -> (ranges: [(start: Int64, end: Int64)], positions: [Int64], kept: Int64)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var ranges: [(start: Int64, end: Int64)] = []
        var positions: [Int64] = []
        var expectedStart: Int64 = 0
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").compactMap { Int64($0) }
            guard fields.count == 3 else { return nil }
            let (start, position, end) = (fields[0], fields[1], fields[2])
            guard start == expectedStart, start <= position, position <= end + 1, end < size else { return nil }
            ranges.append((start, end))
            positions.append(position)
            expectedStart = end + 1
        }
        guard expectedStart == size, !ranges.isEmpty else { return nil }
        return (ranges, positions, zip(positions, ranges).map { $0 - $1.start }.reduce(0, +))
    }

    private let fd: Int32
    private let ranges: [(start: Int64, end: Int64)]
    private let lock = NSLock()

    init?(path: String, ranges: [(start: Int64, end: Int64)]) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, CacheWriter.newFileMode)  // as the .incomplete it describes
        guard fd >= 0 else { return nil }
        self.ranges = ranges
        ftruncate(fd, off_t(ranges.count * Self.recordWidth))
    }

    func write(_ index: Int, position: Int64) {
        let range = ranges[index]
        var line = "\(range.start) \(position) \(range.end)"
        line += String(repeating: " ", count: max(0, Self.recordWidth - 1 - line.utf8.count)) + "\n"
        let bytes = Array(line.utf8.prefix(Self.recordWidth))
        lock.withLock { _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, bytes.count, off_t(index * Self.recordWidth)) } }
    }

    func close() { lock.withLock { _ = Glibc.close(fd) } }
}
