import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Downloads one file's bytes into a `.incomplete` file and publishes it only once every
/// byte is verified: SHA-256 for LFS files (etag = sha256), the git blob sha1 for regular
/// files (etag = git oid). Resumes from what an earlier attempt kept (re-hashing that prefix),
/// retries with backoff, follows redirects sending the token to the Hub's origin only.
///
/// The caller holds the file's lock while this runs.
struct BlobFetcher {
    let client: HubClient
    let retry: RetryPolicy
    let isCancelled: @Sendable () -> Bool

    /// What to fetch and where.
    struct Job {
        var url: String
        /// The repo, revision and path the file belongs to, for messages.
        var repo: RepoID
        var revision: String
        var displayPath: String
        var etag: String
        var expectedSize: Int64?
        var incomplete: String
        var destination: String
        var forceDownload: Bool
        /// The receive buffer of each transfer: parallel ranges share 512 KiB (32 ranges: 16 KiB each, where 256 KiB
        /// each cost 7 MiB of peak RSS).
        var receiveBufferBytes = 256 << 10
    }

    /// Files at least this large are fetched as parallel byte ranges when the server allows.
    var rangeThreshold: Int64 = 64 << 20
    /// How many ranges a large file is split into at most.
    var rangeCount = 32
    /// No range shorter than this (a smaller large file gets fewer ranges, at least 2).
    var minimumRangeBytes: Int64 = 8 << 20

    /// How many ranges a file of `size` bytes is fetched as.
    func rangeParts(size: Int64) -> Int {
        guard minimumRangeBytes > 0 else { return rangeCount }
        return max(min(2, rangeCount), min(rangeCount, Int(size / minimumRangeBytes)))
    }

    /// Fetches `job`, reporting byte deltas to `progress` and the bytes an earlier run kept
    /// (resumed from) to `resumed`; returns the bytes transferred.
    /// A failure before any byte arrived (a 403, a refused connection) leaves no empty
    /// `.incomplete` file behind; partial data stays for the next attempt to resume.
    @discardableResult
    func fetch(_ job: Job, progress: @escaping @Sendable (Int64) -> Void,
               resumed: @escaping @Sendable (Int64) -> Void = { _ in }) throws -> Int64 {
        do {
            return try fetchIntoIncomplete(job, progress: progress, resumed: resumed)
        } catch {
            if Downloader.fileSize(job.incomplete) == 0 && !FileManager.default.fileExists(atPath: RangeSidecar.path(for: job.incomplete)) {
                unlink(job.incomplete)
            }
            throw error
        }
    }

    private func fetchIntoIncomplete(_ job: Job, progress: @escaping @Sendable (Int64) -> Void,
                                     resumed: @escaping @Sendable (Int64) -> Void) throws -> Int64 {
        let folder = (job.incomplete as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // 0666 less the umask, as Python's open("ab"): in a cache shared with umask 002 the group can resume it.
        var fd = open(job.incomplete, O_RDWR | O_CREAT | O_CLOEXEC, CacheWriter.newFileMode)
        if fd < 0 && errno == EACCES { fd = Self.adoptPartial(job.incomplete) }
        guard fd >= 0 else { throw HubError(.io(path: job.incomplete, detail: String(cString: strerror(errno)))) }
        var closed = false
        defer { if !closed { close(fd) } }
        DiskSpace.ignoreFileSizeSignal

        let sidecar = RangeSidecar.path(for: job.incomplete)
        let hasSidecar = FileManager.default.fileExists(atPath: sidecar)
        var existing = Self.size(of: fd)
        if job.forceDownload || (job.expectedSize.map { existing > $0 } ?? false) {
            ftruncate(fd, 0)
            existing = 0
            unlink(sidecar)
        }
        if let expected = job.expectedSize {
            let kept = hasSidecar ? (RangeSidecar.read(sidecar, size: expected)?.kept ?? 0) : existing
            try DiskSpace.check(folder: folder, needed: expected - kept, path: job.displayPath, kept: kept)
        }

        if let size = job.expectedSize, size >= rangeThreshold, rangeParts(size: size) > 1, client.transport is HTTPStreamingTransport,
           existing == 0 || hasSidecar, let digest = makeDigest(job, streaming: false) {
            let parts = rangeParts(size: size)
            var rangedJob = job
            rangedJob.receiveBufferBytes = min(job.receiveBufferBytes, max(16 << 10, (512 << 10) / parts))
            let ranged = RangedDownload(fetcher: self, job: rangedJob, fd: fd, size: size, sidecar: sidecar, digest: digest,
                                        parts: parts, progress: progress, resumed: resumed)
            do {
                if let transferred = try ranged.run() {
                    try verifyAndPublish(job, fd: fd, size: size, digest: digest, closed: &closed)
                    unlink(sidecar)
                    return transferred
                }
            } catch let error as HubError {
                switch error.kind {
                case .sizeMismatch, .checksumMismatch:
                    close(fd); closed = true
                    unlink(job.incomplete); unlink(sidecar)
                default: break
                }
                throw error
            }
            // The server ignored Range: start over as one stream.
            ftruncate(fd, 0)
            existing = 0
            unlink(sidecar)
        } else if hasSidecar {
            // Ranges from an earlier run, but not resumable as ranges now: the file may have holes.
            ftruncate(fd, 0)
            existing = 0
            unlink(sidecar)
        }

        let digest = makeDigest(job, streaming: true)
        if existing > 0 { try rehash(fd: fd, count: existing, into: digest, job: job) }
        if existing > 0 { resumed(existing) }

        let writer = BodyFileWriter(fileDescriptor: fd, position: existing, digest: digest, limit: job.expectedSize)
        do {
            try download(job, writer: writer, end: nil, progress: progress, shouldStop: isCancelled)
        } catch let error as HubError {
            switch error.kind {
            case .sizeMismatch:
                close(fd); closed = true; unlink(job.incomplete)
            case .diskFull, .io:
                ftruncate(fd, off_t(writer.position))
            default: break
            }
            throw error
        }
        try verifyAndPublish(job, fd: fd, size: writer.position, digest: digest, closed: &closed)
        return writer.position - existing
    }

    /// A partial file another user left read-only to us (their umask 022) in a folder we may write: its bytes are
    /// copied into a file of ours that replaces it, so the download resumes (huggingface_hub fails with
    /// PermissionError). Returns the new file open for writing, or -1 with `errno` set.
    static func adoptPartial(_ path: String) -> Int32 {
        let source = open(path, O_RDONLY | O_CLOEXEC)
        guard source >= 0 else { return -1 }
        defer { close(source) }
        let copy = path + ".\(getpid()).adopted"
        let fd = open(copy, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, CacheWriter.newFileMode)
        guard fd >= 0 else { return -1 }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 && errno == EINTR { continue }
            if count < 0 || write(fd, buffer, count) != count {
                let code = errno
                close(fd); unlink(copy); errno = code
                return -1
            }
        }
        guard rename(copy, path) == 0 else {
            let code = errno
            close(fd); unlink(copy); errno = code
            return -1
        }
        return fd
    }

    /// Checks size and hash, then moves the file into place; a bad file is deleted. With no size known in advance,
    /// a git blob id is checked by hashing the file now (its `blob <size>\0` prefix needs the size first).
    private func verifyAndPublish(_ job: Job, fd: Int32, size total: Int64, digest: RunningDigest?, closed: inout Bool) throws {
        if let expected = job.expectedSize, total != expected {
            close(fd); closed = true; unlink(job.incomplete)
            throw HubError(.sizeMismatch(path: job.displayPath, expected: expected, actual: total))
        }
        var digest = digest
        if digest == nil, job.expectedSize == nil, ETag.isGitBlobID(job.etag) {
            let blobDigest = RunningDigest(.sha1, background: false)
            blobDigest.update(Data("blob \(total)\0".utf8))
            try rehash(fd: fd, count: total, into: blobDigest, job: job)
            digest = blobDigest
        }
        if let digest, digest.hex != job.etag {
            close(fd); closed = true; unlink(job.incomplete)
            throw HubError(.checksumMismatch(path: job.displayPath, expected: job.etag, actual: digest.hex))
        }
        fchmod(fd, CacheWriter.newFileMode)
        close(fd); closed = true
        guard rename(job.incomplete, job.destination) == 0 else {
            throw HubError(.io(path: job.destination, detail: String(cString: strerror(errno))))
        }
    }

    /// Transfers until `writer` reaches `end` (inclusive; nil: the end of the file), retrying
    /// with backoff on connection trouble, 429 and 5xx, and at once when an attempt made progress.
    func download(_ job: Job, writer: BodyFileWriter, end: Int64?, progress: @escaping @Sendable (Int64) -> Void,
                  shouldStop: @escaping @Sendable () -> Bool) throws {
        let folder = (job.incomplete as NSString).deletingLastPathComponent
        let goal = end.map { $0 + 1 } ?? job.expectedSize
        var attempt = 0
        while true {
            if let goal, writer.position == goal { return }
            let before = writer.position
            do {
                try transfer(job, writer: writer, end: end, progress: progress, shouldStop: shouldStop)
                if end == nil || writer.position == goal { return }
                throw RetryableFailure(final: HubError(.transferFailed(path: job.displayPath, detail: "the range ended early", kept: writer.position)), rateLimit: nil)
            } catch let error as HTTPStreamAborted {
                switch error {
                case .cancelled, .byObserver:
                    throw HubError(.cancelled(kept: writer.position))
                case .writeFailed(let code) where code == EOVERFLOW:
                    throw HubError(.sizeMismatch(path: job.displayPath, expected: job.expectedSize ?? 0, actual: (job.expectedSize ?? writer.position) + 1))
                case .writeFailed(let code):
                    if code == ENOSPC || code == EFBIG || code == EDQUOT {
                        throw HubError(.diskFull(path: job.displayPath, needed: (goal ?? writer.position) - writer.position,
                                                 available: DiskSpace.available(folder: folder), kept: writer.position))
                    }
                    throw HubError(.io(path: job.incomplete, detail: String(cString: strerror(code))))
                }
            } catch let error as RetryableFailure {
                if writer.position > before && error.rateLimit == nil {
                    attempt = 0
                    continue
                }
                guard attempt < retry.maxRetries else {
                    if case .unreachable(let detail) = error.final.kind {
                        throw HubError(.transferFailed(path: job.displayPath, detail: detail, kept: writer.position))
                    }
                    throw error.final
                }
                if let limit = error.rateLimit, limit.wait > retry.maxRateLimitWait { throw error.final }
                let wait = retry.delay(attempt: attempt, rateLimit: error.rateLimit)
                attempt += 1
                if let limit = error.rateLimit { client.onWait("rate limited by the Hub (\(limit.quotaDescription)): waiting \(Int(wait)) s") }
                let waited = RetryPolicy.sleep(wait, isCancelled: shouldStop)
                if error.rateLimit != nil { client.onWait(nil) }
                guard waited else { throw HubError(.cancelled(kept: writer.position)) }
            }
        }
    }

    /// SHA-256 for an LFS etag; the git blob sha1 (seeded with `blob <size>\0`) for a git oid
    /// when the size is known; nothing to check against otherwise.
    private func makeDigest(_ job: Job, streaming: Bool) -> RunningDigest? {
        let background = streaming && (job.expectedSize ?? 0) >= 8 << 20
        if ETag.isSHA256(job.etag) { return RunningDigest(.sha256, background: background) }
        if ETag.isGitBlobID(job.etag), let size = job.expectedSize {
            let digest = RunningDigest(.sha1, background: background)
            digest.update(Data("blob \(size)\0".utf8))
            return digest
        }
        return nil
    }

    private func rehash(fd: Int32, count: Int64, into digest: RunningDigest?, job: Job) throws {
        guard let digest else { return }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        try handle.seek(toOffset: 0)
        var remaining = count
        while remaining > 0 {
            if isCancelled() { throw HubError(.cancelled(kept: count)) }
            guard let chunk = try handle.read(upToCount: Int(min(remaining, 4 << 20))), !chunk.isEmpty else { break }
            digest.update(chunk)
            remaining -= Int64(chunk.count)
        }
    }

    /// One attempt: GET from the writer's position (to `end` when given: then only a 206 for
    /// exactly that range is accepted; a 200 throws `RangesUnsupported`), following redirects.
    private func transfer(_ job: Job, writer: BodyFileWriter, end: Int64?, progress: @escaping @Sendable (Int64) -> Void,
                          shouldStop: @escaping @Sendable () -> Bool) throws {
        var url = job.url
        let restartDigest = { [job] in
            writer.digest?.reset()
            if let size = job.expectedSize, writer.digest?.algorithm == .sha1 { writer.digest?.update(Data("blob \(size)\0".utf8)) }
        }
        for _ in 0..<10 {
            let start = writer.position
            let reported = LockedCounter(value: 0)
            let observer = StreamObserver(head: { status, headers in
                if let end {
                    return status == 206 && (headers["content-range"] ?? "").hasPrefix("bytes \(start)-\(end)/")
                }
                if status == 200 && start > 0 {
                    writer.restart(at: 0)
                    restartDigest()
                    progress(-start)
                } else if status == 206 {
                    let range = headers["content-range"] ?? ""
                    return range.hasPrefix("bytes \(start)-")
                }
                return true
            }, progress: { _ in
                let delta = reported.advance(to: writer.bytesWritten)
                if delta != 0 { progress(delta) }
                return !shouldStop()
            })
            let request = HTTPRequest(method: "GET", url: url, headers: client.headers(for: url), timeout: client.downloadTimeout,
                                      receiveBufferBytes: job.receiveBufferBytes)
            let response: HTTPResponse
            do {
                let range = end.map { ByteRange(start: start, end: $0) } ?? (start > 0 ? ByteRange(start: start) : nil)
                response = try stream(request, range: range, writer: writer, observer: observer)
            } catch HTTPStreamAborted.byObserver where end != nil {
                throw RangesUnsupported()
            } catch let error as HTTPTransportError {
                let delta = reported.advance(to: writer.bytesWritten)
                if delta != 0 { progress(delta) }
                if !error.isWorthRetrying { throw HubError.from(error) }
                throw RetryableFailure(final: HubError.from(error), rateLimit: nil)
            }
            let delta = reported.advance(to: writer.bytesWritten)
            if delta != 0 { progress(delta) }
            switch response.status {
            case 200, 206:
                return
            case 300..<400:
                guard let location = response.headers["location"] else {
                    throw HubError(.badResponse(url: url, detail: "redirect without Location"))
                }
                url = URLText.join(url, location)
            case 416 where job.expectedSize == start:
                return
            case 429:
                let limit = RateLimit(headers: response.headers)
                throw RetryableFailure(final: HubError(.rateLimited(url: url, limit: limit), requestID: RequestID(headers: response.headers)),
                                       rateLimit: limit)
            case let status where RetryPolicy.isRetryable(status: status):
                throw RetryableFailure(final: HubError(.http(status: status, url: url, detail: ""), requestID: RequestID(headers: response.headers)),
                                       rateLimit: nil)
            default:
                try client.check(response, url: url, repo: job.repo, path: job.displayPath, revision: job.revision)
                throw HubError(.badResponse(url: url, detail: "status \(response.status)"))
            }
        }
        throw HubError(.badResponse(url: job.url, detail: "too many redirects"))
    }

    /// Streams through the transport, or (for a transport that cannot stream, like a test
    /// fake) sends the request and writes the body.
    private func stream(_ request: HTTPRequest, range: ByteRange?, writer: BodyFileWriter, observer: StreamObserver) throws -> HTTPResponse {
        if let streaming = client.transport as? HTTPStreamingTransport {
            return try streaming.stream(request, range: range, into: writer, observer: observer)
        }
        var request = request
        if let range { request.headers.append(("Range", range.headerValue)) }
        let response = try client.transport.send(request)
        guard (200..<300).contains(response.status) else { return response }
        guard observer.head(response.status, response.headers) else { throw HTTPStreamAborted.byObserver }
        guard observer.progress(0) else { throw HTTPStreamAborted.cancelled }
        guard writer.write(response.body) else { throw HTTPStreamAborted.writeFailed(errno: writer.failure) }
        _ = observer.progress(Int64(response.body.count))
        return HTTPResponse(status: response.status, headers: response.headers)
    }

    private static func size(of fd: Int32) -> Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : 0
    }
}

/// The server answered a range request with something else than that range.
struct RangesUnsupported: Error {}

/// A failure worth another attempt (connection trouble, 429, 5xx); `rateLimit`: the window a 429 named.
struct RetryableFailure: Error {
    let final: HubError
    let rateLimit: RateLimit?
}

/// Counts bytes already reported, so progress gets deltas.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var storedValue: Int64
    init(value: Int64) { storedValue = value }
    var value: Int64 { lock.withLock { storedValue } }
    /// Moves to `newValue` and returns how far it moved.
    func advance(to newValue: Int64) -> Int64 {
        lock.withLock { let delta = newValue - storedValue; storedValue = newValue; return delta }
    }
}
