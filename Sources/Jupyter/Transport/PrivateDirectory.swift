import Foundation

/// A fresh folder only this user can enter, for connection files (their signing key is a secret).
enum PrivateDirectory {
    /// Makes `<folder>/<prefix>-XXXXXX` (0700) and returns its path.
    static func make(in folder: String = NSTemporaryDirectory(), prefix: String) throws -> String {
        var template = Array(((folder as NSString).appendingPathComponent(prefix + "-XXXXXX")).utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ChildProcessError.spawnFailed("cannot make a private directory in \(folder): \(String(cString: strerror(errno)))")
        }
        return String(cString: made)
    }

    /// Writes `bytes` to a new file readable by this user only (0600).
    static func writeSecret(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw ChildProcessError.spawnFailed("cannot write \(path)")
        }
    }

    /// 32 random bytes as 64 hex digits: a connection file's signing key.
    static func randomKey() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
