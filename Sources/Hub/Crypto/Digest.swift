import COpenSSL
import Foundation

/// A streaming hash from OpenSSL (SHA-256 for LFS files, SHA-1 for git blob ids).
///
/// ```swift
/// var hash = Digest(.sha256)
/// hash.update(chunk)           // as bytes stream in
/// let hex = hash.finalize()    // "e3b0c442…"
/// ```
public struct Digest: ~Copyable {
    public enum Algorithm: Sendable { case sha256, sha1 }

    fileprivate let context: OpaquePointer

    public init(_ algorithm: Algorithm) {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, algorithm == .sha256 ? EVP_sha256() : EVP_sha1(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The lowercase hex digest. The digest must not be updated afterwards.
    public consuming func finalize() -> String {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return output.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// The hex digest of `data` in one call.
    public static func hex(_ algorithm: Algorithm, of data: Data) -> String {
        var digest = Digest(algorithm)
        digest.update(data)
        return digest.finalize()
    }

    /// The git blob id of a file's content: `sha1("blob <size>\0" + content)`,
    /// which the Hub reports as the `ETag` / `oid` of regular (non-LFS) files.
    public static func gitBlobID(of data: Data) -> String {
        var digest = Digest(.sha1)
        digest.update(Data("blob \(data.count)\0".utf8))
        digest.update(data)
        return digest.finalize()
    }
}

extension Digest {
    /// The lowercase hex digest of what was fed so far; the digest can keep being updated.
    public func currentHex() -> String {
        let copy = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(copy) }
        EVP_MD_CTX_copy_ex(copy, context)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(copy, &output, &length)
        return output.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }
}

/// A `Digest` that can be shared by reference: a download feeds it from the HTTP write
/// callback while the engine that owns the file reads the result.
///
/// With `background: true`, bytes are copied into a small bounded queue and hashed on a
/// helper thread, so hashing overlaps receiving and writing; `hex` waits for the queue.
public final class RunningDigest: @unchecked Sendable {
    private var digest: Digest
    public let algorithm: Digest.Algorithm
    private let queue: HashQueue?

    public init(_ algorithm: Digest.Algorithm, background: Bool = false) {
        self.algorithm = algorithm
        digest = Digest(algorithm)
        queue = background ? HashQueue(algorithm) : nil
        if let queue {
            let thread = Thread { queue.run() }
            thread.stackSize = 256 << 10
            thread.start()
        }
    }

    deinit { queue?.stop() }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        if let queue { queue.push(Data(bytes)) } else { digest.update(bytes) }
    }

    public func update(_ data: Data) {
        if let queue { queue.push(data) } else { digest.update(data) }
    }

    /// Starts over, as if nothing had been fed.
    public func reset() {
        if let queue { queue.reset() } else { digest = Digest(algorithm) }
    }

    /// The hex digest of every byte fed so far.
    public var hex: String { queue?.hex() ?? digest.currentHex() }
}

/// Chunks waiting to be hashed, at most `limit` at a time (the producer waits beyond that),
/// and the digest the helper thread feeds. The thread owns it until `stop`.
private final class HashQueue: @unchecked Sendable {
    private var digest: Digest
    private let algorithm: Digest.Algorithm
    private let condition = NSCondition()
    private var chunks: [Data] = []
    private var busy = false
    private var stopped = false
    private let limit = 8

    init(_ algorithm: Digest.Algorithm) {
        self.algorithm = algorithm
        digest = Digest(algorithm)
    }

    func reset() {
        drain()
        digest = Digest(algorithm)
    }

    func hex() -> String {
        drain()
        return digest.currentHex()
    }

    func push(_ data: Data) {
        condition.lock()
        while chunks.count >= limit { condition.wait() }
        chunks.append(data)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every pushed chunk is hashed.
    func drain() {
        condition.lock()
        while !chunks.isEmpty || busy { condition.wait() }
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// The helper thread's loop.
    func run() {
        while true {
            condition.lock()
            while chunks.isEmpty && !stopped { condition.wait() }
            if stopped { condition.unlock(); return }
            let chunk = chunks.removeFirst()
            busy = true
            condition.broadcast()
            condition.unlock()
            digest.update(chunk)
            condition.lock()
            busy = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
