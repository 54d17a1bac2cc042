import Foundation
import XCTest
@testable import Hub

final class CacheDeletionTests: XCTestCase {
    func testDeletingOneRevisionKeepsBlobsOthersUse() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, refs: ["main"], files: ["shared": "0123456789", "only-a": "12345"])
        cache.addRevision("m", commit: commitB, refs: ["v1"], files: ["shared": "0123456789", "only-b": "123"])
        let info = try cache.scan()
        let (plan, missing) = info.planDeletion(revisions: [commitB, commitC])
        XCTAssertEqual(missing, [commitC])
        XCTAssertEqual(plan.expectedFreedSize, 3)
        XCTAssertEqual(plan.blobs, [cache.folder("m") + "/blobs/etag-123"])
        XCTAssertEqual(plan.refs, [cache.folder("m") + "/refs/v1"])
        XCTAssertEqual(plan.snapshots, [cache.folder("m") + "/snapshots/" + commitB])
        XCTAssertEqual(plan.repos, [])

        XCTAssertEqual(plan.execute(), [])
        let after = try cache.scan()
        XCTAssertEqual(after.warnings, [])
        XCTAssertEqual(after.repos.first?.revisions.map(\.commitHash), [commitA])
        XCTAssertTrue(cache.exists(cache.folder("m") + "/blobs/etag-0123456789"))
        XCTAssertFalse(cache.exists(cache.folder("m") + "/blobs/etag-123"))
    }

    func testDeletingEveryRevisionDeletesTheRepo() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, files: ["f": "12"])
        cache.addRevision("other", commit: commitB, files: ["f": "1"])
        let info = try cache.scan()
        let targets = try info.resolveTargets(["model/m"])
        let plan = info.planDeletion(revisions: targets.revisions).plan
        XCTAssertEqual(plan.repos, [cache.folder("m")])
        XCTAssertEqual(plan.expectedFreedSize, 2)
        plan.execute()
        XCTAssertEqual(try cache.scan().repos.map(\.cacheID), ["model/other"])
    }

    func testFileDeletionKeepsABlobAnotherRevisionUses() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, files: ["w.bin": "0123456789", "c.json": "12"])
        cache.addRevision("m", commit: commitB, refs: [], files: ["w.bin": "0123456789", "c.json": "123"])
        let info = try cache.scan()
        let targets = try info.resolveTargets(["m/c.json"])
        XCTAssertEqual(Set(targets.files.values), ["model/m@\(commitA)/c.json", "model/m@\(commitB)/c.json"])
        let onlyA = info.planDeletion(files: [cache.folder("m") + "/snapshots/\(commitA)/w.bin"])
        XCTAssertEqual(onlyA.expectedFreedSize, 0, "w.bin's blob is still used by revision B")
        XCTAssertEqual(onlyA.blobs, [])

        let plan = info.planDeletion(files: Set(targets.files.keys))
        XCTAssertEqual(plan.expectedFreedSize, 5)
        plan.execute()
        let after = try cache.scan()
        XCTAssertEqual(after.warnings, [])
        XCTAssertEqual(after.repos[0].revisions.map { $0.files.map(\.fileName) }, [["w.bin"], ["w.bin"]])
        XCTAssertFalse(cache.exists(cache.folder("m") + "/blobs/etag-12"))
    }

    func testTargetsResolveTypesHashesURIsAndRejectMixing() throws {
        let cache = SyntheticCache()
        cache.addRevision("org/m", commit: commitA, files: ["f": "1"])
        cache.addRevision("org/d", type: "datasets", commit: commitB, files: ["f": "1"])
        let info = try cache.scan()
        XCTAssertEqual(try info.resolveTargets(["org/m"]).revisionsByRepo, ["model/org/m": [commitA]])
        XCTAssertEqual(try info.resolveTargets(["dataset/org/d"]).revisionsByRepo, ["dataset/org/d": [commitB]])
        XCTAssertEqual(try info.resolveTargets(["hf://datasets/org/d"]).revisionsByRepo, ["dataset/org/d": [commitB]])
        XCTAssertEqual(try info.resolveTargets([commitB.uppercased()]).revisionsByRepo, ["dataset/org/d": [commitB]])
        XCTAssertEqual(try info.resolveTargets(["org/d", commitC]).missing, ["org/d", commitC], "org/d alone means a model")
        XCTAssertThrowsError(try info.resolveTargets(["org/m/f", "dataset/org/d"])) { XCTAssertTrue($0 is MixedCacheTargets) }
    }

    func testSharedPayloadIsFreedOnlyWithItsLastReference() throws {
        let cache = SyntheticCache()
        let hash = String(repeating: "ef", count: 32)
        cache.addRevision("one", commit: commitA, files: ["w.bin": "0123456789"])
        cache.addRevision("two", commit: commitB, files: ["w.bin": "0123456789"])
        cache.share("one", content: "0123456789", xetHash: hash)
        cache.share("two", content: "0123456789", xetHash: hash)
        let payload = cache.root + "/blobs/ef/" + hash
        let info = try cache.scan()

        let first = info.planDeletion(revisions: [commitA]).plan
        XCTAssertEqual(first.expectedFreedSize, 0, "repo two still links to the payload")
        XCTAssertEqual(info.planDeletion(revisions: [commitA, commitB]).plan.expectedFreedSize, 10)

        first.execute()
        XCTAssertTrue(cache.exists(payload))
        XCTAssertEqual(try String(contentsOfFile: payload + ".refs", encoding: .utf8), "models--two/blobs/etag-0123456789\n",
                       "the manifest keeps only live references")
        let second = try cache.scan().planDeletion(revisions: [commitB]).plan
        XCTAssertEqual(second.expectedFreedSize, 10)
        second.execute()
        XCTAssertFalse(cache.exists(payload))
        XCTAssertFalse(cache.exists(payload + ".refs"))
        XCTAssertEqual(try cache.scan().sizeOnDisk, 0)
    }

    func testPruneRemovesDetachedRevisionsAndIdleIncompleteFilesButNotOnesBeingDownloaded() throws {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, refs: ["main"], files: ["f": "12"])
        cache.addRevision("m", commit: commitB, refs: [], files: ["f": "123"])
        cache.write(cache.folder("m") + "/blobs/idle.incomplete", "1234")
        cache.write(cache.folder("m") + "/blobs/busy.incomplete", "12345")
        let lock = cache.root + "/.locks/models--m/busy.lock"
        cache.write(lock, "")
        let holder = open(lock, O_RDWR)
        XCTAssertEqual(flock(holder, LOCK_EX), 0)
        defer { close(holder) }

        let plan = try cache.scan().planPrune()
        XCTAssertEqual(plan.revisionCount, 1)
        XCTAssertEqual(plan.incompleteFiles.map(\.filePath), [cache.folder("m") + "/blobs/idle.incomplete"])
        XCTAssertEqual(plan.inProgress.map(\.filePath), [cache.folder("m") + "/blobs/busy.incomplete"])
        XCTAssertEqual(plan.expectedFreedSize, 3 + 4)
        XCTAssertEqual(plan.summary, "1 unreferenced revision(s) and 1 incomplete download(s)")
        plan.execute()

        let after = try cache.scan()
        XCTAssertEqual(after.repos[0].revisions.map(\.commitHash), [commitA])
        XCTAssertEqual(after.incompleteFiles.map(\.filePath), [cache.folder("m") + "/blobs/busy.incomplete"])

        flock(holder, LOCK_UN)
        XCTAssertEqual(try cache.scan().planPrune().incompleteFiles.count, 1, "once the lock is released it may go")
    }

    func testPruneCollectsUnreferencedSharedBlobs() throws {
        let cache = SyntheticCache()
        let orphan = String(repeating: "cd", count: 32)
        cache.write(cache.root + "/blobs/.huggingface-shared-blobs", "1\n")
        cache.write(cache.root + "/blobs/cd/" + orphan, "xyz")
        cache.write(cache.root + "/blobs/cd/" + orphan + ".refs", "models--gone/blobs/etag-x\n")
        let plan = try cache.scan().planPrune()
        XCTAssertEqual(plan.summary, "1 unreferenced shared blob(s)")
        XCTAssertEqual(plan.expectedFreedSize, 3)
        plan.execute()
        XCTAssertFalse(cache.exists(cache.root + "/blobs/cd/" + orphan))
    }
}
