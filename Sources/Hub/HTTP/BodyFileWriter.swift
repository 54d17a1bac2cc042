import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a response body into an open file at a position (`pwrite`), hashing each byte
/// on the way when given a digest. Owned by one transfer at a time; several writers may
/// share one descriptor to fill different ranges of the same file.
///
/// This file and `CurlEasy.swift` are the only places that touch raw byte pointers.
public final class BodyFileWriter: @unchecked Sendable {
    public let fileDescriptor: Int32
    /// Where the next byte goes.
    public private(set) var position: Int64
    /// Hashes every byte written, in order.
    public let digest: RunningDigest?
    /// Bytes written by this writer since it was created or restarted.
    public private(set) var bytesWritten: Int64 = 0
    /// The `errno` of the first failed write, 0 while all is well.
    public private(set) var failure: Int32 = 0
    /// Refuse bytes past this position (a server sending more than the range asked).
    public let limit: Int64?

    public init(fileDescriptor: Int32, position: Int64, digest: RunningDigest? = nil, limit: Int64? = nil) {
        self.fileDescriptor = fileDescriptor
        self.position = position
        self.digest = digest
        self.limit = limit
    }

    /// Goes back to `position`, truncating the file there and forgetting the hash
    /// (used when a server ignored a `Range` and sends the whole file).
    public func restart(at position: Int64) {
        _ = ftruncate(fileDescriptor, off_t(position))
        self.position = position
        bytesWritten = 0
        digest?.reset()
    }

    /// Writes `data`; false once a write failed (see `failure`).
    @discardableResult
    public func write(_ data: Data) -> Bool { data.withUnsafeBytes { write($0) } }

    /// Writes `bytes` completely; false once a write failed (see `failure`).
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard failure == 0 else { return false }
        if let limit, position + Int64(bytes.count) > limit {
            failure = EOVERFLOW
            return false
        }
        guard let base = bytes.baseAddress else { return true }
        var done = 0
        while done < bytes.count {
            let result = pwrite(fileDescriptor, base + done, bytes.count - done, off_t(position) + off_t(done))
            if result < 0 {
                if errno == EINTR { continue }
                failure = errno
                return false
            }
            done += result
        }
        digest?.update(bytes)
        position += Int64(bytes.count)
        bytesWritten += Int64(bytes.count)
        return true
    }
}
