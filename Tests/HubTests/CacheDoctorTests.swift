import Foundation
import XCTest
@testable import Hub

/// `%doctor`'s checks, each case producing its expected verdict.
final class CacheDoctorTests: XCTestCase {
    let fakeToken = "hf_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    func doctor(_ cache: SyntheticCache, variables: [String: String] = [:], transport: HTTPTransport = ScriptedTransport { _ in HTTPResponse(status: 401) }) -> Doctor {
        let home = FileSystem.parent(of: cache.root)
        let environment = HubEnvironment(variables: ["HF_HOME": home].merging(variables) { $1 }, homeDirectory: home)
        return Doctor(environment: environment, transport: transport, workingDirectory: home)
    }

    func testUnreachableEndpointFails() {
        let cache = SyntheticCache()
        let offline = ScriptedTransport { request in throw HTTPTransportError(kind: .cannotConnect, url: request.url, detail: "refused") }
        let check = doctor(cache, transport: offline).hubReachable()
        XCTAssertEqual(check.verdict, .fail)
        XCTAssertTrue(check.fix.contains("HF_ENDPOINT"))
        XCTAssertEqual(doctor(cache).hubReachable().verdict, .pass, "any HTTP answer means reachable")
    }

    func testNoTokenAndAGatedRepo() throws {
        let cache = SyntheticCache()
        let unauthorized = doctor(cache).repoAccess(try RepoID("org/gated"), token: nil)
        XCTAssertEqual(unauthorized.verdict, .fail)
        XCTAssertTrue(unauthorized.fix.contains("%hf_login"))
        let gated = ScriptedTransport { request in
            XCTAssertEqual(request.url, "https://huggingface.co/api/models/org/gated/auth-check")
            var headers = HTTPHeaders(); headers.add(name: "X-Error-Code", value: "GatedRepo")
            return HTTPResponse(status: 403, headers: headers)
        }
        let check = doctor(cache, transport: gated).repoAccess(try RepoID("org/gated"), token: fakeToken)
        XCTAssertEqual(check.verdict, .fail)
        XCTAssertEqual(check.link, "https://huggingface.co/org/gated")
        let open = doctor(cache, transport: ScriptedTransport { _ in HTTPResponse(status: 200) })
        XCTAssertEqual(open.repoAccess(try RepoID("org/gated"), token: fakeToken).verdict, .pass)
    }

    func testEnvironmentTokenShadowingTheSavedOne() {
        let cache = SyntheticCache()
        let home = FileSystem.parent(of: cache.root)
        XCTAssertEqual(doctor(cache, variables: ["HF_TOKEN": fakeToken]).shadowedToken().verdict, .pass, "no saved token")
        cache.write(home + "/token", fakeToken + "other")
        let check = doctor(cache, variables: ["HF_TOKEN": fakeToken]).shadowedToken()
        XCTAssertEqual(check.verdict, .warn)
        XCTAssertFalse(check.detail.contains(fakeToken), "tokens are masked")
        cache.write(home + "/token", fakeToken + "\n")
        XCTAssertEqual(doctor(cache, variables: ["HF_TOKEN": fakeToken]).shadowedToken().verdict, .pass, "same token")
    }

    func testWorldReadableTokenFile() {
        let cache = SyntheticCache()
        let home = FileSystem.parent(of: cache.root)
        chmod(home, 0o700)
        cache.write(home + "/token", fakeToken)
        chmod(home + "/token", 0o600)
        XCTAssertEqual(doctor(cache).tokenFileModes().verdict, .pass)
        chmod(home + "/token", 0o644)
        let check = doctor(cache).tokenFileModes()
        XCTAssertEqual(check.verdict, .fail)
        XCTAssertTrue(check.fix.contains("chmod 600 \(home)/token"), check.fix)
    }

    func testDeprecatedVariable() {
        let cache = SyntheticCache()
        XCTAssertEqual(doctor(cache, variables: ["HUGGINGFACE_TOKEN": fakeToken]).deprecatedTokenVariable().verdict, .warn)
        XCTAssertEqual(doctor(cache).deprecatedTokenVariable().verdict, .pass)
    }

    func testDotEnvNotIgnoredByGit() throws {
        let cache = SyntheticCache()
        let home = FileSystem.parent(of: cache.root)
        cache.write(home + "/.env", "HF_TOKEN=" + fakeToken)
        XCTAssertEqual(doctor(cache).dotEnvIgnored().verdict, .pass, "outside a git work tree")
        guard GitTool.run(["init", "-q"], in: home)?.status == 0 else { throw XCTSkip("git is not installed") }
        XCTAssertEqual(doctor(cache).dotEnvIgnored().verdict, .fail)
        cache.write(home + "/.gitignore", ".env\n")
        XCTAssertEqual(doctor(cache).dotEnvIgnored().verdict, .pass)
    }

    func testCacheSymlinksAndStaleIncompleteFiles() {
        let cache = SyntheticCache()
        cache.addRevision("m", commit: commitA, files: ["f": "1"])
        cache.write(cache.folder("m") + "/blobs/old.incomplete", "12")
        XCTAssertEqual(doctor(cache).cacheLocation().verdict == .fail, false)
        XCTAssertEqual(doctor(cache).symlinkSupport().verdict, .pass)
        let home = FileSystem.parent(of: cache.root)
        let later = Doctor(environment: HubEnvironment(variables: ["HF_HOME": home], homeDirectory: home),
                           transport: OfflineDoctorTransport(), workingDirectory: home, now: Date().addingTimeInterval(2 * 86_400))
        XCTAssertEqual(later.staleIncompleteFiles().verdict, .warn)
        XCTAssertEqual(doctor(cache).staleIncompleteFiles().verdict, .pass, "fresh partial downloads are not stale")
    }

    func testCredentialHelperParsingMatchesPythonRegex() {
        XCTAssertEqual(GitTool.parseCredentialHelpers("credential.helper=store\nuser.name=x\n  credential.helper = cache --timeout 30\ncredential.helper=/usr/bin/x\n"),
                       ["/usr/bin/x", "cache", "store"])
    }
}

struct OfflineDoctorTransport: HTTPTransport {
    func send(_ request: HTTPRequest) throws -> HTTPResponse { throw HTTPTransportError(kind: .cannotConnect, url: request.url, detail: "test") }
}
