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

        private var listed = false

        /// The entries (without `.` and `..`), or nil when the folder cannot be read. Read with
        /// `getdents64` straight from the descriptor (`opendir`'s `DIR*` costs a `dup`, `fstat`, two
        /// `fcntl` and an `lseek` per folder — as many system calls as the listing itself).
        public func entries() -> [Entry]? {
            if listed, lseek(descriptor, 0, SEEK_SET) != 0 { return nil }
            listed = true
            guard let getdents = Self.getdents64 else { return entriesThroughDIR() }
            var result: [Entry] = []
            let ok = withUnsafeTemporaryAllocation(byteCount: 32_768, alignment: 8) { buffer -> Bool in
                while true {
                    let count = getdents(descriptor, buffer.baseAddress, buffer.count)
                    if count == 0 { return true }
                    if count < 0 { return false }
                    // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
                    var offset = 0
                    while offset < count {
                        let record = buffer.baseAddress! + offset
                        let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                        let type = record.load(fromByteOffset: 18, as: UInt8.self)
                        let name = UnsafeRawBufferPointer(start: record + 19, count: length - 19)
                        let nameBytes = name.prefix { $0 != 0 }
                        offset += length
                        if nameBytes.elementsEqual([UInt8(ascii: ".")]) || nameBytes.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) { continue }
                        result.append(Entry(name: String(decoding: nameBytes, as: UTF8.self), kind: Entry.Kind(direntType: Int32(type))))
                    }
                }
            }
            return ok ? result : nil
        }

        /// `entries()` through `fdopendir`/`readdir`, when the C library does not export `getdents64`.
        func entriesThroughDIR() -> [Entry]? {
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
                result.append(Entry(name: name, kind: Entry.Kind(direntType: Int32(pointer.pointee.d_type))))
            }
            return result
        }

        private typealias GetDents64 = @convention(c) (Int32, UnsafeMutableRawPointer?, Int) -> Int
        /// glibc ≥ 2.30 exports `getdents64`, but Swift's Glibc module does not declare it.
        private static let getdents64: GetDents64? = dlsym(nil, "getdents64").map { unsafeBitCast($0, to: GetDents64.self) }

        /// `fstatat(2)` following symlinks, like `FileSystem.status(of:)`.
        public func status(of name: String) -> Status? { FileSystem.status(at: descriptor, name, flags: 0) }

        /// `fstatat(2)` with `AT_SYMLINK_NOFOLLOW`, like `FileSystem.linkStatus(of:)`.
        public func linkStatus(of name: String) -> Status? { FileSystem.status(at: descriptor, name, flags: AT_SYMLINK_NOFOLLOW) }

        /// `readlinkat(2)`: the target the symlink `name` holds, as written.
        public func readLink(_ name: String) -> String? { FileSystem.readLink(at: descriptor, name) }
    }
}

extension FileSystem.Entry.Kind {
    /// From `d_type` (`DT_DIR`, `DT_REG`, `DT_LNK`, `DT_UNKNOWN`, anything else).
    init(direntType: Int32) {
        switch direntType {
        case Int32(DT_DIR): self = .directory
        case Int32(DT_REG): self = .regular
        case Int32(DT_LNK): self = .symlink
        case Int32(DT_UNKNOWN): self = .unknown
        default: self = .other
        }
    }
}
