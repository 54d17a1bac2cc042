import Foundation
import XCTest
@testable import Hub

/// A cache shared by a Unix group: the umask policy, the survey `%doctor` shows, and token files in a team folder.
/// (Other users' files need other users: Tests/interop/test_team_jupyterhub.py has them.)
final class TeamCacheTests: XCTestCase {
    private func folder(mode: mode_t) throws -> String {
        let path = NSTemporaryDirectory() + "team-cache-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        chmod(path, mode)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func withUmask(_ mask: mode_t, _ body: () throws -> Void) rethrows {
        let saved = umask(mask)
        defer { umask(saved) }
        try body()
    }

    func testCurrentUmaskIsReadWithoutChangingIt() {
        withUmask(0o027) {
            XCTAssertEqual(FileSystem.currentUmask, 0o027)
            XCTAssertEqual(CacheWriter.newFileMode, 0o640)
        }
    }

    func testTeamFolderClearsTheGroupBitsFromTheUmaskWhileWritingOnly() throws {
        let team = try folder(mode: 0o2775), private_ = try folder(mode: 0o755)
        XCTAssertTrue(TeamCache.isTeamFolder(team))
        XCTAssertFalse(TeamCache.isTeamFolder(private_))
        try withUmask(0o022) {
            XCTAssertEqual(TeamCache.withGroupAccess(team) { FileSystem.currentUmask }, 0o002)
            XCTAssertEqual(FileSystem.currentUmask, 0o022, "restored afterwards")
            XCTAssertEqual(TeamCache.withGroupAccess(private_) { FileSystem.currentUmask }, 0o022)
            try TeamCache.withGroupAccess(team) {
                try FileManager.default.createDirectory(atPath: team + "/models--a--b/blobs", withIntermediateDirectories: true)
            }
            XCTAssertEqual(FileSystem.status(of: team + "/models--a--b/blobs")!.permissions, 0o2775, "setgid inherited, group-writable")
        }
    }

    func testSurveyListsWhatTheGroupCannotUse() throws {
        let cache = try folder(mode: 0o2775)
        try FileManager.default.createDirectory(atPath: cache + "/.locks/models--a--b", withIntermediateDirectories: true)
        chmod(cache + "/.locks", 0o2775)
        chmod(cache + "/.locks/models--a--b", 0o2755)  // a folder others cannot add to
        FileManager.default.createFile(atPath: cache + "/.locks/models--a--b/x.lock", contents: nil)
        chmod(cache + "/.locks/models--a--b/x.lock", 0o644)  // a lock others cannot open for writing
        FileManager.default.createFile(atPath: cache + "/CACHEDIR.TAG", contents: Data("tag".utf8))
        chmod(cache + "/CACHEDIR.TAG", 0o644)  // readable by the group: fine
        let survey = try XCTUnwrap(SharedCacheSurvey(cacheDir: cache))
        XCTAssertTrue(survey.isShared && survey.isSetgid)
        XCTAssertEqual(survey.blockerCount, 2)
        XCTAssertEqual(Set(survey.blockers.map(\.lacking)), ["write"])
        XCTAssertTrue(survey.otherWriters.isEmpty)
        XCTAssertNil(SharedCacheSurvey(cacheDir: cache + "/missing"))
    }

    func testDoctorSaysWhatAGroupNeedsAndPassesACleanTeamCache() throws {
        let home = try folder(mode: 0o755)
        let cache = home + "/shared"
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: false)
        chmod(cache, 0o2775)
        let environment = HubEnvironment(variables: ["HF_HOME": home + "/mine", "HF_HUB_CACHE": cache], homeDirectory: home)
        let doctor = Doctor(environment: environment, transport: ScriptedTransport { _ in HTTPResponse(status: 401) }, workingDirectory: home)
        try withUmask(0o002) {
            let check = doctor.sharedCache(try XCTUnwrap(SharedCacheSurvey(cacheDir: cache)))
            XCTAssertEqual(check.verdict, .pass, check.detail)
            XCTAssertTrue(check.detail.contains("shared with group") && check.detail.contains("setgid"), check.detail)
        }
        try withUmask(0o022) {
            let check = doctor.sharedCache(try XCTUnwrap(SharedCacheSurvey(cacheDir: cache)))
            XCTAssertEqual(check.verdict, .warn)
            XCTAssertTrue(check.detail.contains("umask 022") && check.fix.contains("umask 002"), check.detail)
        }
        let inside = HubEnvironment(variables: ["HF_TOKEN_PATH": cache + "/token", "HF_HUB_CACHE": cache], homeDirectory: home)
        let leaky = Doctor(environment: inside, transport: ScriptedTransport { _ in HTTPResponse(status: 401) }, workingDirectory: home)
        XCTAssertEqual(leaky.sharedCache(try XCTUnwrap(SharedCacheSurvey(cacheDir: cache))).verdict, .fail, "a token file inside the shared cache")
    }

    func testSecretFileLeavesATeamFolderOpenAndLocksAPrivateOne() throws {
        let team = try folder(mode: 0o2775), private_ = try folder(mode: 0o755)
        try SecretFile.write("secret", to: team + "/token")
        try SecretFile.write("secret", to: private_ + "/token")
        XCTAssertEqual(SecretFile.permissions(of: team), 0o2775)
        XCTAssertEqual(SecretFile.permissions(of: private_), 0o700)
        XCTAssertEqual(SecretFile.permissions(of: team + "/token"), 0o600)
    }
}
