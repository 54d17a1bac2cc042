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
        let answered = doctor(cache).hubReachable()
        XCTAssertEqual(answered.verdict, .pass, "401 without a token: the Hub is there")
        XCTAssertTrue(answered.detail.hasPrefix("https://huggingface.co answers in "), answered.detail)
        let troubled = doctor(cache, transport: ScriptedTransport { _ in HTTPResponse(status: 503) }).hubReachable()
        XCTAssertEqual(troubled.verdict, .warn)
        XCTAssertTrue(troubled.detail.contains("HTTP 503"), troubled.detail)
        let notAHub = doctor(cache, transport: ScriptedTransport { _ in HTTPResponse(status: 404) }).hubReachable()
        XCTAssertEqual(notAHub.verdict, .warn)
        XCTAssertTrue(notAHub.fix.contains("HF_ENDPOINT"), notAHub.fix)
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
        guard (try? ProcessCommandRunner().run(["git", "init", "-q"], input: nil, directory: home, environment: [:]))?.status == 0 else {
            throw XCTSkip("git is not installed")
        }
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

    func testTokenValidityAndScope() throws {
        let cache = SyntheticCache()
        XCTAssertEqual(doctor(cache).tokenValidity(nil).verdict, .warn, "no token")
        let token = ResolvedToken(value: fakeToken, source: .environment(variable: "HF_TOKEN"))
        let invalid = doctor(cache).tokenValidity(token)
        XCTAssertEqual(invalid.verdict, .fail, "401")
        XCTAssertTrue(invalid.fix.contains("https://huggingface.co/settings/tokens"), invalid.fix)
        XCTAssertFalse(invalid.detail.contains(fakeToken), "tokens are masked")
        func whoami(role: String) -> ScriptedTransport {
            ScriptedTransport { request in
                XCTAssertEqual(request.headers.first { $0.name.lowercased() == "authorization" }?.value, "Bearer \(self.fakeToken)")
                return HTTPResponse(status: 200, body: Data(#"{"type":"user","name":"ann","auth":{"accessToken":{"displayName":"t","role":"\#(role)"}}}"#.utf8))
            }
        }
        XCTAssertEqual(doctor(cache, transport: whoami(role: "read")).tokenValidity(token).verdict, .pass)
        let write = doctor(cache, transport: whoami(role: "write")).tokenValidity(token)
        XCTAssertEqual(write.verdict, .warn)
        XCTAssertTrue(write.detail.contains("only need read"), write.detail)
    }

    func testAllChecksUseTheTokenInForceAndAnUnknownNameFails() throws {
        let cache = SyntheticCache()
        var sent: [String] = []
        let transport = ScriptedTransport { request in
            sent.append(request.headers.first { $0.name.lowercased() == "authorization" }?.value ?? "none")
            return HTTPResponse(status: 401)
        }
        let checks = doctor(cache, variables: ["HF_TOKEN": fakeToken], transport: transport).allChecks(repo: try RepoID("org/m"))
        XCTAssertEqual(checks.first { $0.name == "Token valid and scoped" }?.verdict, .fail)
        XCTAssertEqual(sent.filter { $0 == "Bearer \(fakeToken)" }.count, 2, "whoami and auth-check send the token: \(sent)")
        let unknown = doctor(cache).allChecks(repo: nil, tokenName: "nope")
        XCTAssertEqual(unknown.first { $0.name == "Token valid and scoped" }?.verdict, .fail)
    }
}

struct OfflineDoctorTransport: HTTPTransport {
    func send(_ request: HTTPRequest) throws -> HTTPResponse { throw HTTPTransportError(kind: .cannotConnect, url: request.url, detail: "test") }
}
