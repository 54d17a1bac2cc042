import COpenSSL

/// HMAC-SHA256 over Jupyter message parts (OpenSSL libcrypto). Owns every OpenSSL pointer this target uses.
public struct HMACSigner: Sendable {
    private let key: [UInt8]

    /// A signer for `key` (the connection file's `key`, as UTF-8 bytes). Callers skip signing when the key is empty.
    public init(key: [UInt8]) {
        self.key = key
    }

    /// The raw 32-byte HMAC-SHA256 of `parts` concatenated.
    public func digest(of parts: [[UInt8]]) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { data.append(contentsOf: part) }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            data.withUnsafeBufferPointer { dataBytes in
                output.withUnsafeMutableBufferPointer { outputBytes in
                    _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                             dataBytes.baseAddress, dataBytes.count, outputBytes.baseAddress, &length)
                }
            }
        }
        return Array(output.prefix(Int(length)))
    }

    /// The lowercase hex signature Jupyter puts on the wire for `parts` (header, parent, metadata, content).
    public func signature(of parts: [[UInt8]]) -> [UInt8] {
        HMACSigner.hex(digest(of: parts))
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
