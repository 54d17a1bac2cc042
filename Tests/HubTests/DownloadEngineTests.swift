import Foundation
import XCTest
@testable import Hub

/// A temporary cache and a `FakeHub` with three files, for the engine tests.
class DownloadTestCase: XCTestCase {
    var root: String!
    var hub: FakeHub!
    let token = "test-" + UUID().uuidString

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hk-dl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        hub = FakeHub(files: ["config.json": ("{\"a\": 1}", false), "weights/model.bin": (String(repeating: "w", count: 5000), true),
                              "README.md": ("# hi", false)])
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root) }

    var cache: String { root + "/cache" }
    var layout: CacheLayout { CacheLayout(root: cache) }
    var repo: RepoID { try! RepoID("org/repo") }

    /// The test cache and `FakeHub`, plus `variables` (`HF_HUB_OFFLINE=1` when `offline`).
    func environment(offline: Bool = false, variables: [String: String] = [:]) -> HubEnvironment {
        HubEnvironment(variables: ["HF_ENDPOINT": FakeHub.endpoint, "HF_HUB_CACHE": cache]
                           .merging(offline ? ["HF_HUB_OFFLINE": "1"] : [:]) { $1 }.merging(variables) { $1 },
                       homeDirectory: root)
    }

    func downloader(offline: Bool = false, variables: [String: String] = [:], cancelled: @escaping @Sendable () -> Bool = { false },
                    progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) -> Downloader {
        let env = environment(offline: offline, variables: variables)
        let result = Downloader(environment: env, client: HubClient(environment: env, token: token, transport: hub),
                                isCancelled: cancelled, progress: progress)
        result.retry = RetryPolicy(maxRetries: 3, baseDelay: 0.01, maxDelay: 0.02)
        return result
    }

    func request(_ files: [String] = [], _ configure: (inout DownloadRequest) -> Void = { _ in }) -> DownloadRequest {
        var request = DownloadRequest(repo: repo, files: files)
        configure(&request)
        return request
    }

    func content(_ path: String) -> Data { hub.files[path]!.content }
}

/// The download engine against `FakeHub`: cache layout, verification, resume, retries,
/// fallbacks, errors and path safety.
final class DownloadEngineTests: DownloadTestCase {
    // MARK: layout

    func testWithoutSymlinksSnapshotFilesAreTheFilesThemselves() throws {
        let noLinks = downloader(variables: ["HF_HUB_DISABLE_SYMLINKS": "1"])
        _ = try noLinks.run(request())
        let snapshot = layout.snapshotFolder(repo, commit: hub.commit)
        for (path, file) in hub.files {
            let attributes = try FileManager.default.attributesOfItem(atPath: snapshot + "/" + path)
            XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeRegular, path)
            XCTAssertEqual(FileManager.default.contents(atPath: snapshot + "/" + path), file.content, path)
            XCTAssertFalse(FileManager.default.fileExists(atPath: layout.blob(repo, etag: file.etag)), "a new blob is moved, as in Python")
        }
        hub.clearLog()
        XCTAssertTrue(try noLinks.run(request()).files.allSatisfy { $0.status == .cached })
        XCTAssertFalse(hub.requestLog.contains { $0.method == "GET" && $0.url.contains("/resolve/") }, "nothing fetched again")
        let info = try CacheScanner(cacheDir: cache).scan()
        XCTAssertEqual(info.warnings, [])
        XCTAssertEqual(info.repos.first?.sizeOnDisk, Int64(hub.files.values.map(\.content.count).reduce(0, +)))
    }

    func testWithoutSymlinksABlobAlreadyCachedIsCopied() throws {
        _ = try downloader().run(request(["config.json"]))
        let etag = hub.files["config.json"]!.etag
        let pointer = layout.snapshotFile(repo, commit: hub.commit, path: "config.json")
        try FileManager.default.removeItem(atPath: pointer)
        _ = try downloader(variables: ["HF_HUB_DISABLE_SYMLINKS": "1"]).run(request(["config.json"]))
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: pointer)[.type] as? FileAttributeType, .typeRegular)
        XCTAssertEqual(FileManager.default.contents(atPath: pointer), content("config.json"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: layout.blob(repo, etag: etag)), "the older blob stays for other revisions")
    }

    func testSnapshotWritesBlobsSymlinksRefAndTreeListing() throws {
        let result = try downloader().run(request())
        let snapshot = layout.snapshotFolder(repo, commit: hub.commit)
        XCTAssertEqual(result.folder, snapshot)
        XCTAssertEqual(result.files.count, 3)
        XCTAssertTrue(result.files.allSatisfy { $0.status == .downloaded })
        for (path, file) in hub.files {
            let pointer = snapshot + "/" + path
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: pointer),
                           (path.contains("/") ? "../../../blobs/" : "../../blobs/") + file.etag)
            XCTAssertEqual(FileManager.default.contents(atPath: pointer), file.content)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: layout.ref(repo, revision: "main")), Data(hub.commit.utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: cache + "/CACHEDIR.TAG"), Data(CacheWriter.cacheDirTag.utf8))
        let tree = try XCTUnwrap(TreeCacheFile.read(in: layout.repoFolder(repo), commit: hub.commit))
        XCTAssertEqual(tree.map(\.path), ["README.md", "config.json", "weights/model.bin"])
        XCTAssertEqual(tree.last?.lfsSHA256, hub.files["weights/model.bin"]!.sha256)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: layout.blobsFolder(repo))
        XCTAssertFalse(blobs.contains { $0.hasSuffix(".incomplete") })
        XCTAssertEqual(hub.requestLog.filter { $0.method == "HEAD" }.count, 0, "a snapshot needs no HEAD per file")
    }

    func testTokenNeverGoesToTheCDN() throws {
        _ = try downloader().run(request())
        let log = hub.requestLog
        XCTAssertTrue(log.contains { $0.url.hasPrefix(FakeHub.cdn) })
        for request in log {
            let sentToken = request.headers.contains { $0.name == "Authorization" }
            XCTAssertEqual(sentToken, request.url.hasPrefix(FakeHub.endpoint), request.url)
        }
    }

    func testSingleFileUsesHeadAndSecondRunIsCached() throws {
        let first = try downloader().run(request(["weights/model.bin"]))
        XCTAssertEqual(first.files.first?.status, .downloaded)
        XCTAssertEqual(first.commit, hub.commit)
        XCTAssertEqual(FileManager.default.contents(atPath: first.paths[0]), content("weights/model.bin"))
        hub.clearLog()
        let second = try downloader().run(request(["weights/model.bin"]))
        XCTAssertEqual(second.files.first?.status, .cached)
        XCTAssertEqual(hub.requestLog.map(\.method), ["HEAD"])
    }

    func testCommitRevisionAlreadyCachedNeedsNoNetwork() throws {
        _ = try downloader().run(request(["config.json"]))
        hub.reachable = false
        hub.clearLog()
        let result = try downloader().run(request(["config.json"]) { $0.revision = self.hub.commit })
        XCTAssertEqual(result.files.first?.status, .cached)
        XCTAssertNil(result.notice)
        XCTAssertTrue(hub.requestLog.isEmpty)
    }

    func testRefsForPullRequestsAreNested() throws {
        hub.branches["refs/pr/1"] = hub.commit
        _ = try downloader().run(request(["config.json"]) { $0.revision = "refs/pr/1" })
        XCTAssertEqual(FileManager.default.contents(atPath: layout.ref(repo, revision: "refs/pr/1")), Data(hub.commit.utf8))
        XCTAssertTrue(hub.requestLog.contains { $0.url.contains("/resolve/refs%2Fpr%2F1/config.json") })
    }

    func testMissingFileIsMarkedInNoExist() throws {
        XCTAssertThrowsError(try downloader().run(request(["nope.txt"]))) { error in
            XCTAssertEqual((error as? UserFacingError)?.name, "RemoteEntryNotFoundError")
            XCTAssertTrue((error as? UserFacingError)?.message.contains("'nope.txt'") ?? false)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: layout.noExistMarker(repo, commit: hub.commit, path: "nope.txt")))
    }

    // MARK: filters and dry runs

    func testIncludeExcludeAndFolderPatterns() throws {
        let result = try downloader().run(request { $0.include = ["*.json", "weights/"]; $0.exclude = ["*.bin"] })
        XCTAssertEqual(result.files.map(\.path), ["config.json"])
    }

    func testDryRunFetchesNothing() throws {
        let result = try downloader().run(request { $0.dryRun = true })
        XCTAssertEqual(result.files.map(\.status), [.wouldDownload, .wouldDownload, .wouldDownload])
        XCTAssertEqual(result.files.compactMap(\.size).reduce(0, +), Int64(hub.files.values.map(\.content.count).reduce(0, +)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.blobsFolder(repo)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: TreeCacheFile.path(in: layout.repoFolder(repo), commit: hub.commit)))
    }

    // MARK: verification, resume, retries

    func testCorruptedByteIsDetectedAndNothingIsPublished() throws {
        hub.inject(.corrupt, for: "weights/model.bin")
        let d = downloader()
        d.retry = .none
        XCTAssertThrowsError(try d.run(request(["weights/model.bin"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "ChecksumMismatchError", "\(error)")
        }
        let etag = hub.files["weights/model.bin"]!.sha256
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.blob(repo, etag: etag)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.incompleteBlob(repo, etag: etag)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.snapshotFile(repo, commit: hub.commit, path: "weights/model.bin")))
    }

    func testCorruptedRegularFileFailsItsGitHash() throws {
        hub.inject(.corrupt, for: "config.json")
        XCTAssertThrowsError(try downloader().run(request { $0.include = ["config.json"] })) { error in
            XCTAssertEqual((error as? HubError)?.name, "ChecksumMismatchError", "\(error)")
        }
    }

    func testDroppedConnectionResumesWithRangeAndEndsCorrect() throws {
        hub.inject(.dropAfter(2000), for: "weights/model.bin")
        hub.inject(.dropAfter(1500), for: "weights/model.bin")
        let result = try downloader().run(request(["weights/model.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), content("weights/model.bin"))
        let ranges = hub.requestLog.compactMap { $0.headers.first { $0.name == "Range" }?.value }
        XCTAssertEqual(ranges, ["bytes=2000-", "bytes=3500-"])
    }

    func testInterruptedDownloadKeepsPartialAndNextRunResumes() throws {
        let etag = hub.files["weights/model.bin"]!.sha256
        let incomplete = layout.incompleteBlob(repo, etag: etag)
        let d = downloader(cancelled: { (Downloader.fileSize(incomplete) ?? 0) >= 3000 })
        XCTAssertThrowsError(try d.run(request(["weights/model.bin"]))) { error in
            XCTAssertEqual((error as? HubError)?.kind, .cancelled(kept: 3000))
        }
        XCTAssertEqual(Downloader.fileSize(incomplete), 3000)
        hub.clearLog()
        let result = try downloader().run(request(["weights/model.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), content("weights/model.bin"))
        XCTAssertEqual(hub.requestLog.compactMap { $0.headers.first { $0.name == "Range" }?.value }, ["bytes=3000-"])
        XCTAssertEqual(result.bytesResumed, 3000, "the kept prefix is resumed from")
        XCTAssertEqual(result.bytesDownloaded, 2000, "only the bytes that arrived in this run count as downloaded")
        XCTAssertFalse(FileManager.default.fileExists(atPath: incomplete))
    }

    func testDropsWithoutProgressGiveUpAfterTheRetries() throws {
        for _ in 0..<4 { hub.inject(.dropAfter(0), for: "weights/model.bin") }
        XCTAssertThrowsError(try downloader().run(request(["weights/model.bin"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "ConnectionError", "\(error)")
        }
    }

    func testResumeWhenServerIgnoresRangeStartsOver() throws {
        hub.inject(.dropAfter(3000), for: "weights/model.bin")
        hub.inject(.ignoreRange, for: "weights/model.bin")
        let result = try downloader().run(request(["weights/model.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), content("weights/model.bin"))
    }

    func testCorruptPartialFromAnotherRunIsCaughtByTheRehash() throws {
        let etag = hub.files["weights/model.bin"]!.sha256
        try FileManager.default.createDirectory(atPath: layout.blobsFolder(repo), withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: layout.incompleteBlob(repo, etag: etag), contents: Data(repeating: 0x41, count: 1000)))
        let d = downloader()
        XCTAssertThrowsError(try d.run(request(["weights/model.bin"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "ChecksumMismatchError")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.incompleteBlob(repo, etag: etag)), "a bad partial is dropped")
        XCTAssertNoThrow(try downloader().run(request(["weights/model.bin"])))
    }

    func testRetriesOn503And429ThenSucceeds() throws {
        hub.inject(.status(503), for: "config.json")
        hub.inject(.status(429), for: "config.json")
        let result = try downloader().run(request { $0.include = ["config.json"] })
        XCTAssertEqual(result.files.first?.status, .downloaded)
        XCTAssertEqual(hub.requestLog.filter { $0.url.hasSuffix("/config.json") }.count, 3)
    }

    func testCancellationKeepsPartialData() throws {
        let calls = LockedBox(0)
        hub.add("big.bin", Data(repeating: 7, count: 50_000), lfs: true)
        let d = downloader(cancelled: { calls.value += 1; return calls.value > 20 })
        XCTAssertThrowsError(try d.run(request(["big.bin"]))) { error in
            guard case .cancelled(let kept)? = (error as? HubError)?.kind else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(kept, 0)
            XCTAssertLessThan(kept, 50_000)
        }
        let etag = hub.files["big.bin"]!.sha256
        XCTAssertGreaterThan(Downloader.fileSize(layout.incompleteBlob(repo, etag: etag)) ?? 0, 0)
    }

    func testParallelDownloadsOfTheSameFileMakeOneCorrectBlob() throws {
        hub.add("big.bin", Data((0..<40_000).map { UInt8($0 % 256) }), lfs: true)
        let errors = LockedBox(0)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do { _ = try self.downloader().run(self.request(["big.bin"])) } catch { errors.value += 1 }
        }
        XCTAssertEqual(errors.value, 0)
        let etag = hub.files["big.bin"]!.sha256
        XCTAssertEqual(FileManager.default.contents(atPath: layout.blob(repo, etag: etag)), content("big.bin"))
        let cdnGets = hub.requestLog.filter { $0.method == "GET" && $0.url.hasSuffix(etag) }
        XCTAssertEqual(cdnGets.count, 1, "the lock lets one process download, the others reuse the blob")
    }

    func testProgressReportsEndFinishedWithAllBytes() throws {
        let reports = LockedBox<[DownloadProgress]>([])
        _ = try downloader(progress: { reports.value.append($0) }).run(request())
        let last = try XCTUnwrap(reports.value.last)
        XCTAssertTrue(last.isFinished)
        XCTAssertEqual(last.filesDone, 3)
        XCTAssertEqual(last.bytesDone, Int64(hub.files.values.map(\.content.count).reduce(0, +)))
        XCTAssertEqual(last.bytesTotal, last.bytesDone)
    }

    // MARK: offline and fallbacks

    func testOfflineServesFromCacheWithoutNetwork() throws {
        _ = try downloader().run(request())
        hub.clearLog()
        let result = try downloader(offline: true).run(request())
        XCTAssertEqual(result.folder, layout.snapshotFolder(repo, commit: hub.commit))
        XCTAssertTrue(hub.requestLog.isEmpty)
        let file = try downloader(offline: true).run(request(["config.json"]))
        XCTAssertEqual(file.files.first?.status, .cached)
        XCTAssertTrue(hub.requestLog.isEmpty)
    }

    func testOfflineWithoutCacheSaysSo() {
        XCTAssertThrowsError(try downloader(offline: true).run(request(["config.json"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "LocalEntryNotFoundError")
            XCTAssertTrue((error as? HubError)?.message.contains("HF_HUB_OFFLINE") ?? false)
        }
    }

    func testUnreachableHubFallsBackToCacheAndSaysSo() throws {
        _ = try downloader().run(request())
        hub.reachable = false
        let snapshot = try downloader().run(request())
        XCTAssertEqual(snapshot.folder, layout.snapshotFolder(repo, commit: hub.commit))
        XCTAssertTrue(snapshot.notice?.contains("could not be asked") ?? false)
        let file = try downloader().run(request(["config.json"]))
        XCTAssertEqual(file.files.first?.status, .cached)
        XCTAssertNotNil(file.notice)
    }

    func testUnreachableHubWithoutCacheIsAClearError() {
        hub.reachable = false
        let d = downloader()
        d.retry = RetryPolicy(maxRetries: 1, baseDelay: 0.01)
        XCTAssertThrowsError(try d.run(request(["config.json"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "LocalEntryNotFoundError", "\(error)")
        }
    }

    // MARK: errors

    func testGatedRepoNamesThePageToAcceptTheLicence() {
        hub.gated = true
        let env = environment()
        let anonymous = Downloader(environment: env, client: HubClient(environment: env, token: nil, transport: hub))
        XCTAssertThrowsError(try anonymous.run(request(["config.json"]))) { error in
            let error = error as? HubError
            XCTAssertEqual(error?.name, "GatedRepoError")
            XCTAssertEqual(error?.helpURL, FakeHub.endpoint + "/org/repo")
            XCTAssertTrue(error?.message.contains("no token was sent: log in (%hf_login") ?? false, error?.message ?? "")
        }
    }

    func testAFileRefusedBeforeAnyByteLeavesNoIncompleteFile() throws {
        hub.inject(.status(403), for: "config.json")
        XCTAssertThrowsError(try downloader().run(request()))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: cache + "/models--org--repo/blobs")
        XCTAssertFalse(blobs.contains { $0.hasSuffix(".incomplete") }, "\(blobs)")
    }

    func testRepoNotFoundNamesTheTypesThatHoldTheID() {
        let both = HubError(.repoNotFound(repo: "org/x", requested: .model, existingTypes: [.dataset, .space]))
        XCTAssertEqual(both.message, "There is no model 'org/x', but a dataset and a space with this id exist: add --repo-type dataset or --repo-type space.")
        XCTAssertEqual(both.name, "RepositoryNotFoundError")
        XCTAssertTrue(HubError(.repoNotFound(repo: "org/x")).message.hasPrefix("Repository 'org/x' was not found."))
    }

    func testGatedRepoSaysLogInWithoutATokenAndAcceptTheLicenceWithOne() throws {
        let env = environment()
        let client = HubClient(environment: env, token: nil, transport: hub)
        let repo = try RepoID("org/gated")
        func message(status: Int) -> String {
            let response = HTTPResponse(status: status, headers: HTTPHeaders([("X-Error-Code", "GatedRepo")]))
            do { try client.check(response, url: FakeHub.endpoint + "/org/gated/resolve/main/a", repo: repo, path: "a", revision: "main") }
            catch let error as HubError { return error.message } catch { return "\(error)" }
            return "no error"
        }
        XCTAssertEqual(message(status: 403), "org/gated is gated: open \(FakeHub.endpoint)/org/gated and accept the licence, then retry.")
        XCTAssertTrue(message(status: 401).hasPrefix("org/gated is gated and no token was sent: log in"), message(status: 401))
        let pending = HTTPResponse(status: 403, headers: HTTPHeaders([("X-Error-Code", "GatedRepo"),
                                                                      ("X-Error-Message", "Your request to access this repo is awaiting review.")]))
        XCTAssertThrowsError(try client.check(pending, url: FakeHub.endpoint + "/org/gated/resolve/main/a", repo: repo, path: "a", revision: "main")) {
            let message = ($0 as? HubError)?.message ?? "\($0)"
            XCTAssertTrue(message.hasPrefix("org/gated is gated and your access request is pending: there is nothing to do but wait"), message)
            XCTAssertTrue(message.contains("(\(FakeHub.endpoint)/org/gated)"), "with the page: \(message)")
            XCTAssertFalse(message.contains("accept the licence"), "nothing to accept while the request waits: \(message)")
        }
    }

    func testUnknownRevisionIsNamed() {
        XCTAssertThrowsError(try downloader().run(request { $0.revision = "v9" })) { error in
            XCTAssertEqual((error as? HubError)?.name, "RevisionNotFoundError")
            XCTAssertTrue((error as? HubError)?.message.contains("'v9'") ?? false)
        }
    }

    func testPathTraversalFromTheServerIsRefusedAndNothingWritten() {
        hub.add("../../escape.txt", Data("x".utf8), lfs: false)
        XCTAssertThrowsError(try downloader().run(request())) { error in
            XCTAssertEqual((error as? HubError)?.name, "UnsafePathError")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/escape.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.blobsFolder(repo)))
    }

    func testNonHubEndpointIsExplained() {
        let env = environment()
        struct Plain: HTTPTransport {
            func send(_ request: HTTPRequest) throws -> HTTPResponse { HTTPResponse(status: 200, headers: HTTPHeaders([("ETag", "\"x\"")])) }
        }
        let d = Downloader(environment: env, client: HubClient(environment: env, token: nil, transport: Plain()))
        XCTAssertThrowsError(try d.run(request(["config.json"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "FileMetadataError", "\(error)")
            XCTAssertTrue((error as? HubError)?.message.contains("X-Repo-Commit") ?? false)
        }
    }

    // MARK: local dir

    func testLocalDirWritesFilesAndMetadataAndReusesThem() throws {
        let dir = root + "/out"
        let result = try downloader().run(request { $0.localDir = dir })
        XCTAssertEqual(result.folder, URL(fileURLWithPath: dir).resolvingSymlinksInPath().path)
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/weights/model.bin"), content("weights/model.bin"))
        var isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/config.json")) != nil
        XCTAssertFalse(isLink)
        let metadata = try XCTUnwrap(String(contentsOfFile: dir + "/.cache/huggingface/download/weights/model.bin.metadata", encoding: .utf8))
        let lines = metadata.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(String(lines[0]), hub.commit)
        XCTAssertEqual(String(lines[1]), hub.files["weights/model.bin"]!.sha256)
        XCTAssertNotNil(Double(lines[2]))
        XCTAssertEqual(FileManager.default.contents(atPath: dir + "/.cache/huggingface/.gitignore"), Data("*".utf8))
        XCTAssertNotNil(TreeCacheFile.read(in: dir + "/.cache/huggingface", commit: hub.commit))
        hub.clearLog()
        let again = try downloader().run(request { $0.localDir = dir })
        XCTAssertTrue(again.files.allSatisfy { $0.status == .cached })
        XCTAssertFalse(hub.requestLog.contains { $0.url.contains("/resolve/") })
        isLink = false
    }
}

/// Large files as parallel byte ranges (threshold lowered for the tests).
final class DownloadRangeTests: DownloadTestCase {
    var big: Data { Data((0..<100_000).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index * 7 + index / 256) }) }

    func rangedDownloader(cancelled: @escaping @Sendable () -> Bool = { false }) -> Downloader {
        let d = downloader(cancelled: cancelled)
        // 4 ranges of a 100 kB file (the default's 8 MiB floor would make it 2).
        (d.parallelRangeThreshold, d.parallelRanges, d.minimumRangeBytes) = (10_000, 4, 0)
        return d
    }

    func ranges() -> [String] { hub.requestLog.compactMap { $0.headers.first { $0.name == "Range" }?.value } }

    func testLargeFileComesAsFourRangesAndIsVerified() throws {
        hub.add("big.bin", big, lfs: true)
        let result = try rangedDownloader().run(request(["big.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), big)
        XCTAssertEqual(Set(ranges()), ["bytes=0-24999", "bytes=25000-49999", "bytes=50000-74999", "bytes=75000-99999"])
        XCTAssertEqual(result.bytesDownloaded, 100_000)
        let etag = hub.files["big.bin"]!.sha256
        XCTAssertFalse(FileManager.default.fileExists(atPath: RangeSidecar.path(for: layout.incompleteBlob(repo, etag: etag))))
    }

    func testLargeFilesFetchedTogetherShareTheRanges() throws {
        hub.add("a.bin", big, lfs: true)
        hub.add("b.bin", Data(big.reversed()), lfs: true)
        let d = rangedDownloader()
        d.parallelRanges = 8
        let result = try d.run(request(["a.bin", "b.bin"]))
        XCTAssertEqual(result.files.count, 2)
        // Two large files at once: 4 ranges each (8 between them), not 8 each.
        XCTAssertEqual(Set(ranges()), ["bytes=0-24999", "bytes=25000-49999", "bytes=50000-74999", "bytes=75000-99999"])
        XCTAssertEqual(ranges().count, 8, "\(ranges())")
        XCTAssertEqual(d.rangesPerFile(largeFilesAtOnce: 8), 2)
        XCTAssertEqual(d.rangesPerFile(largeFilesAtOnce: 32), 2, "never fewer than 2")
    }

    func testRegularLargeFileIsCheckedAgainstItsGitHash() throws {
        hub.add("big.txt", big, lfs: false)
        hub.inject(.corrupt, for: "big.txt")
        XCTAssertThrowsError(try rangedDownloader().run(request(["big.txt"]))) { error in
            XCTAssertEqual((error as? HubError)?.name, "ChecksumMismatchError", "\(error)")
        }
        let etag = hub.files["big.txt"]!.gitOID
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.blob(repo, etag: etag)))
        XCTAssertFalse(FileManager.default.fileExists(atPath: layout.incompleteBlob(repo, etag: etag)))
        XCTAssertNoThrow(try rangedDownloader().run(request(["big.txt"])))
    }

    func testDroppedRangeResumesItsOwnRange() throws {
        hub.add("big.bin", big, lfs: true)
        hub.inject(.dropAfter(3000), for: "big.bin")
        let result = try rangedDownloader().run(request(["big.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), big)
        let resumed = ranges().filter { !["bytes=0-24999", "bytes=25000-49999", "bytes=50000-74999", "bytes=75000-99999"].contains($0) }
        XCTAssertEqual(resumed.count, 1, "\(ranges())")
        XCTAssertTrue(resumed[0].hasSuffix("-24999") || resumed[0].hasSuffix("-49999") || resumed[0].hasSuffix("-74999") || resumed[0].hasSuffix("-99999"))
    }

    func testInterruptedRangesResumeFromTheSidecarInTheNextRun() throws {
        hub.add("big.bin", big, lfs: true)
        let etag = hub.files["big.bin"]!.sha256
        let incomplete = layout.incompleteBlob(repo, etag: etag)
        let calls = LockedBox(0)
        XCTAssertThrowsError(try rangedDownloader(cancelled: { calls.value += 1; return calls.value > 30 }).run(request(["big.bin"]))) { error in
            guard case .cancelled(let kept)? = (error as? HubError)?.kind else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(kept, 0)
            XCTAssertLessThan(kept, 100_000)
        }
        let recorded = try XCTUnwrap(RangeSidecar.read(RangeSidecar.path(for: incomplete), size: 100_000))
        hub.clearLog()
        let result = try rangedDownloader().run(request(["big.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), big)
        let expected = zip(recorded.positions, recorded.ranges).filter { $0.0 <= $0.1.end }.map { "bytes=\($0.0)-\($0.1.end)" }
        XCTAssertEqual(Set(ranges()), Set(expected))
        XCTAssertEqual(result.bytesResumed, recorded.kept, "the ranges kept are resumed from")
        XCTAssertEqual(result.bytesDownloaded, 100_000 - recorded.kept, "and only the rest arrives")
    }

    func testServerWithoutRangesFallsBackToOneStream() throws {
        hub.add("big.bin", big, lfs: true)
        for _ in 0..<4 { hub.inject(.ignoreRange, for: "big.bin") }
        let result = try rangedDownloader().run(request(["big.bin"]))
        XCTAssertEqual(FileManager.default.contents(atPath: result.paths[0]), big)
        XCTAssertEqual(result.bytesDownloaded, 100_000)
    }

    func testSidecarParsingRejectsNonsense() {
        let path = root + "/x.ranges"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("0 10 49\n50 50 99\n".utf8)))
        XCTAssertEqual(RangeSidecar.read(path, size: 100)?.kept, 10)
        for bad in ["0 10 49\n", "0 60 49\n50 50 99\n", "0 10 49\n51 51 99\n", "x y z\n", "0 10 49\n50 50 100\n"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bad.utf8)))
            XCTAssertNil(RangeSidecar.read(path, size: 100), bad)
        }
        XCTAssertEqual(RangeSidecar.split(size: 10, parts: 4).map { [$0.start, $0.end] }, [[0, 2], [3, 5], [6, 8], [9, 9]])
    }
}
