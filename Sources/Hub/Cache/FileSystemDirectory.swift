import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// An open directory (a file descriptor, closed when the value goes away). Names inside it are
    /// looked up relative to it (`openat`, `fstatat`, `readlinkat`), so the kernel resolves one path
    /// component instead of the whole path again: the cache scan does this for every file.
    ///
    /// ```swift
    /// let snapshot = FileSystem.Directory(path: repo + "/snapshots/" + commit)
    /// snapshot?.readLink("config.json")        // "../../blobs/<etag>"
    /// blobs?.status(of: etag)?.size
    /// ```
    public final class Directory: @unchecked Sendable {
        private let descriptor: Int32

        /// Opens `path` (following symlinks), or nil when it is not a readable directory.
        public convenience init?(path: String) {
            self.init(descriptor: open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        }

        private init?(descriptor: Int32) {
            guard descriptor >= 0 else { return nil }
            self.descriptor = descriptor
        }

        deinit { close(descriptor) }

        /// The folder `name` inside this one (following a symlink), or nil.
        public func subdirectory(_ name: String) -> Directory? {
            Directory(descriptor: openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC))
        }

        /// The entries (without `.` and `..`), or nil when the folder cannot be read.
        public func entries() -> [Entry]? {
            let copy = dup(descriptor)  // fdopendir owns the descriptor it is given
            guard copy >= 0 else { return nil }
            guard let stream = fdopendir(copy) else {
                close(copy)
                return nil
            }
            defer { closedir(stream) }
            rewinddir(stream)
            var result: [Entry] = []
            while let pointer = readdir(stream) {
                let name = withUnsafePointer(to: &pointer.pointee.d_name) {
                    String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
                }
                if name == "." || name == ".." { continue }
                let kind: Entry.Kind
                switch Int32(pointer.pointee.d_type) {
                case Int32(DT_DIR): kind = .directory
                case Int32(DT_REG): kind = .regular
                case Int32(DT_LNK): kind = .symlink
                case Int32(DT_UNKNOWN): kind = .unknown
                default: kind = .other
                }
                result.append(Entry(name: name, kind: kind))
            }
            return result
        }

        /// `fstatat(2)` following symlinks, like `FileSystem.status(of:)`.
        public func status(of name: String) -> Status? { FileSystem.status(at: descriptor, name, flags: 0) }

        /// `fstatat(2)` with `AT_SYMLINK_NOFOLLOW`, like `FileSystem.linkStatus(of:)`.
        public func linkStatus(of name: String) -> Status? { FileSystem.status(at: descriptor, name, flags: AT_SYMLINK_NOFOLLOW) }

        /// `readlinkat(2)`: the target the symlink `name` holds, as written.
        public func readLink(_ name: String) -> String? { FileSystem.readLink(at: descriptor, name) }
    }
}
