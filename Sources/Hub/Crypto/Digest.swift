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

    private let context: OpaquePointer

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
