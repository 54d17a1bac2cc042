import Foundation
import XCTest
@testable import Hub

/// The open-directory calls the scanner uses (`openat`, `fstatat`, `readlinkat`) agree with the
/// path-based ones, and walking keeps only the chain of parent folders open.
final class CacheFileSystemTests: XCTestCase {
    func testDirectoryLookupsAgreeWithPathLookups() throws {
        let cache = SyntheticCache()
        let snapshot = cache.addRevision("org/model", commit: commitA, files: ["config.json": "12345", "sub/w.bin": "0123456789"])
        let directory = try XCTUnwrap(FileSystem.Directory(path: snapshot))
        let sub = try XCTUnwrap(directory.subdirectory("sub"))

        XCTAssertEqual(sub.readLink("w.bin"), FileSystem.readLink(snapshot + "/sub/w.bin"))
        XCTAssertEqual(sub.readLink("w.bin"), "../../../blobs/etag-0123456789")
        XCTAssertEqual(sub.status(of: "w.bin"), FileSystem.status(of: snapshot + "/sub/w.bin"))
        XCTAssertEqual(sub.status(of: "w.bin")?.size, 10, "follows the link to the blob")
        XCTAssertEqual(sub.linkStatus(of: "w.bin")?.kind, .symlink)
        XCTAssertNil(directory.status(of: "absent"))
        XCTAssertNil(directory.readLink("sub"), "not a symlink")
        XCTAssertNil(directory.subdirectory("config.json"), "a link to a file is not a folder")
        XCTAssertNil(FileSystem.Directory(path: snapshot + "/config.json"))
        XCTAssertEqual(directory.entries()?.map(\.name).sorted(), ["config.json", "sub"])
        XCTAssertEqual(directory.entries()?.map(\.name).sorted(), ["config.json", "sub"], "listing twice rewinds")
        XCTAssertEqual(directory.entries()?.map(\.kind).sorted { "\($0)" < "\($1)" }, [.directory, .symlink])
    }

    func testGetdentsListingMatchesReaddir() throws {
        let cache = SyntheticCache()
        // Enough long names to need several getdents64 buffers.
        for index in 0..<700 { cache.write(cache.root + "/many/" + String(repeating: "n", count: 60) + "-\(index)-é.txt", "x") }
        cache.mkdir(cache.root + "/many/folder")
        FileSystem.makeSymlink(at: cache.root + "/many/link", to: "folder")
        let directory = try XCTUnwrap(FileSystem.Directory(path: cache.root + "/many"))
        let fast = try XCTUnwrap(directory.entries())
        let portable = try XCTUnwrap(directory.entriesThroughDIR())
        XCTAssertEqual(fast.count, 702)
        XCTAssertEqual(fast.sorted { $0.name < $1.name }, portable.sorted { $0.name < $1.name })
        XCTAssertEqual(fast.first { $0.name == "link" }?.kind, .symlink)
        XCTAssertTrue(fast.contains { $0.name.hasSuffix("-699-é.txt") && $0.kind == .regular })
    }

    func testWalkVisitsEveryEntryWithItsFolderAndSkipsSymlinkedFolders() throws {
        let cache = SyntheticCache()
        let top = cache.root + "/walk"
        cache.write(top + "/a.txt", "a")
        cache.write(top + "/d/b.txt", "b")
        cache.write(top + "/d/e/c.txt", "c")
        FileSystem.makeSymlink(at: top + "/link-to-d", to: "d")

        var visited: [String: FileSystem.Entry.Kind] = [:]
        FileSystem.walk(try XCTUnwrap(FileSystem.Directory(path: top))) { holder, relative, name, kind in
            visited[relative] = kind
            XCTAssertEqual(FileSystem.name(of: relative), name)
            XCTAssertNotNil(holder.linkStatus(of: name), "\(name) is looked up in the folder that holds it")
        }
        XCTAssertEqual(visited, ["a.txt": .regular, "d": .directory, "d/b.txt": .regular, "d/e": .directory,
                                 "d/e/c.txt": .regular, "link-to-d": .symlink])
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: FileSystem.walk(top).map { ($0.0, $0.1) }), visited)
    }

    func testWalkOfManySiblingFoldersKeepsFewDescriptorsOpen() throws {
        let cache = SyntheticCache()
        let top = cache.root + "/wide"
        for index in 0..<600 { cache.write(top + "/folder\(index)/file.txt", "x") }
        func openDescriptors() -> Int { (FileSystem.entries(in: "/proc/self/fd") ?? []).count }
        let before = openDescriptors()
        var most = 0, files = 0
        FileSystem.walk(try XCTUnwrap(FileSystem.Directory(path: top))) { _, _, _, kind in
            if kind == .regular { files += 1; most = max(most, openDescriptors()) }
        }
        XCTAssertEqual(files, 600)
        XCTAssertLessThan(most - before, 10, "folders are opened when visited, not when found")
    }
}
