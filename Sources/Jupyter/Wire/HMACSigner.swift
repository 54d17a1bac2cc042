import COpenSSL

/// HMAC-SHA256 over Jupyter message parts (OpenSSL libcrypto). Owns every OpenSSL pointer this target uses.
public struct HMACSigner: Sendable {
    private let keyed: KeyedContext
    private let key: [UInt8]

    /// A signer for `key` (the connection file's `key`, as UTF-8 bytes). Callers skip signing when the key is empty.
    public init(key: [UInt8]) {
        keyed = KeyedContext(key: key)
        self.key = key
    }

    /// Whether `other` signs with the same key (so its signatures are this signer's too), compared in constant time.
    func hasSameKey(as other: HMACSigner) -> Bool {
        HMACSigner.constantTimeEquals(key, other.key)
    }

    /// The raw 32-byte HMAC-SHA256 of `parts` concatenated.
    public func digest(of parts: [[UInt8]]) -> [UInt8] {
        keyed.digest { update in for part in parts { part.withUnsafeBytes(update) } }
    }

    /// The raw 32-byte HMAC-SHA256 of the bytes `feed` passes to its argument, in order (read in place, not joined).
    func digest(_ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) -> [UInt8] {
        keyed.digest(feed)
    }

    /// An HMAC context with the key already set up, copied for each message (the key is not hashed again).
    private final class KeyedContext: @unchecked Sendable {
        private let template: OpaquePointer

        init(key: [UInt8]) {
            template = HMAC_CTX_new()
            let bytes = key.isEmpty ? [0] : key  // an empty key still needs a pointer (its length says 0)
            bytes.withUnsafeBytes { _ = HMAC_Init_ex(template, $0.baseAddress, Int32(key.count), EVP_sha256(), nil) }
        }

        deinit { HMAC_CTX_free(template) }

        func digest(_ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) -> [UInt8] {
            let context = HMAC_CTX_new()
            defer { HMAC_CTX_free(context) }
            _ = HMAC_CTX_copy(context, template)
            feed { bytes in
                if let base = bytes.baseAddress { _ = HMAC_Update(context, base.assumingMemoryBound(to: UInt8.self), bytes.count) }
            }
            var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            _ = output.withUnsafeMutableBufferPointer { HMAC_Final(context, $0.baseAddress, &length) }
            return Array(output.prefix(Int(length)))
        }
    }

    /// The lowercase hex signature Jupyter puts on the wire for `parts` (header, parent, metadata, content).
    public func signature(of parts: [[UInt8]]) -> [UInt8] {
        HMACSigner.hex(digest(of: parts))
    }

    /// The hex signature of the bytes `feed` passes to its argument, in order.
    func signature(_ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) -> [UInt8] {
        HMACSigner.hex(digest(feed))
    }

    /// Whether `signature` is the signature of `parts`, compared in constant time (`CRYPTO_memcmp`).
    public func isValid(signature: [UInt8], of parts: [[UInt8]]) -> Bool {
        HMACSigner.constantTimeEquals(signature, self.signature(of: parts))
    }

    /// Equal length and equal bytes, in time independent of where the bytes differ.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.isEmpty { return true }
        return lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) } } == 0
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    static func hex(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0f)])
        }
        return out
    }
}
