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
public final class RunningDigest: @unchecked Sendable {
    private var digest: Digest
    public let algorithm: Digest.Algorithm

    public init(_ algorithm: Digest.Algorithm) {
        self.algorithm = algorithm
        digest = Digest(algorithm)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) { digest.update(bytes) }
    public func update(_ data: Data) { digest.update(data) }

    /// Starts over, as if nothing had been fed.
    public func reset() { digest = Digest(algorithm) }

    /// The hex digest of every byte fed so far.
    public var hex: String { digest.currentHex() }
}
