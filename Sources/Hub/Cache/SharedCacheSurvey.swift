import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a cache folder shared by a Unix group looks like to this process: who writes to it, and which entries the
/// group could not use. A shared cache works when every folder is group-writable and setgid (new files get the
/// group), lock and `.incomplete` files are group-writable (anyone may wait on a lock or resume a download) and
/// blobs are group-readable; the writers' umask (002) is what keeps it that way.
public struct SharedCacheSurvey: Sendable {
    /// An entry the group cannot use as it should.
    public struct Blocker: Sendable, Equatable {
        public var path: String
        public var owner: String
        public var mode: UInt32
        /// What the group lacks: "write" or "read".
        public var lacking: String
    }

    public let cacheDir: String
    /// Mode bits of the cache folder, setgid included.
    public let mode: UInt32
    public let groupName: String
    /// Users other than this process's that own entries in the cache, sorted.
    public let otherWriters: [String]
    /// At most `blockerLimit` entries, and how many there are in all.
    public let blockers: [Blocker]
    public let blockerCount: Int

    public var isSetgid: Bool { mode & UInt32(S_ISGID) != 0 }
    /// Shared when the group may write it, it is setgid, or someone else wrote into it.
    public var isShared: Bool { mode & 0o020 != 0 || isSetgid || !otherWriters.isEmpty }

    static let blockerLimit = 3

    /// Walks the cache (at most `limit` entries); nil when the folder does not exist.
    public init?(cacheDir: String, limit: Int = 100_000) {
        guard let status = FileSystem.status(of: cacheDir), status.kind == .directory else { return nil }
        self.cacheDir = cacheDir
        mode = status.permissions
        groupName = Self.groupName(status.group)
        var owners = Set<UInt32>(), blockers: [Blocker] = [], count = 0, seen = 0
        let me = FileSystem.currentUser
        for (relative, kind) in FileSystem.walk(cacheDir) where kind != .symlink {
            seen += 1
            if seen > limit { break }
            let path = cacheDir + "/" + relative
            guard let entry = FileSystem.linkStatus(of: path) else { continue }
            if entry.owner != me { owners.insert(entry.owner) }
            guard let lacking = Self.lacking(relative, kind: kind, mode: entry.permissions) else { continue }
            count += 1
            if blockers.count < Self.blockerLimit {
                blockers.append(Blocker(path: path, owner: Self.userName(entry.owner), mode: entry.permissions & 0o7777, lacking: lacking))
            }
        }
        otherWriters = owners.map(Self.userName).sorted()
        self.blockers = blockers
        blockerCount = count
    }

    /// The owners (other than this process's user) of the files in a repo folder's `blobs/`, sorted.
    public static func otherWriters(ofRepoFolder folder: String) -> [String] {
        let me = FileSystem.currentUser
        let owners = Set((FileSystem.entries(in: folder + "/blobs") ?? []).compactMap { entry -> UInt32? in
            guard let owner = FileSystem.linkStatus(of: folder + "/blobs/" + entry.name)?.owner, owner != me else { return nil }
            return owner
        })
        return owners.map(userName).sorted()
    }

    /// What the group lacks on an entry: folders and lock/`.incomplete` files need write, other files read.
    static func lacking(_ relative: String, kind: FileSystem.Entry.Kind, mode: UInt32) -> String? {
        let needsWrite = kind == .directory || relative.hasSuffix(".lock") || relative.hasSuffix(".incomplete")
        let needed: UInt32 = kind == .directory ? 0o070 : (needsWrite ? 0o060 : 0o040)
        guard mode & needed != needed else { return nil }
        return needsWrite ? "write" : "read"
    }

    public static func userName(_ uid: UInt32) -> String {
        guard let entry = getpwuid(uid_t(uid)) else { return "uid \(uid)" }
        return String(cString: entry.pointee.pw_name)
    }

    public static func groupName(_ gid: UInt32) -> String {
        guard let entry = getgrgid(gid_t(gid)) else { return "gid \(gid)" }
        return String(cString: entry.pointee.gr_name)
    }
}
