import Foundation
import XCTest
@testable import Hub

final class AuthTokenStoreTests: XCTestCase {
    func testSaveKeepsOtherSectionsSortsAndReplacesTheNamedOne() throws {
        let home = TemporaryHome()
        let environment = home.environment()
        let store = TokenStore(environment: environment)
        let old = makeFakeToken(), new = makeFakeToken(), oauth = makeFakeToken()
        try home.write("[zeta]\nhf_token = \(oauth)\nrefresh_token = r0\nexpires_at = 1700000000\n\n[work]\nhf_token = \(old)\nrefresh_token = stale\n\n",
                       to: "hf/stored_tokens")
        try store.save(token: new, name: "work")
        XCTAssertEqual(home.read("hf/stored_tokens"),
                       "[work]\nhf_token = \(new)\n\n[zeta]\nhf_token = \(oauth)\nrefresh_token = r0\nexpires_at = 1700000000\n\n")
        try store.save(token: old, name: "Alpha")
        XCTAssertEqual(store.storedTokens().names, ["Alpha", "work", "zeta"], "code point order: upper case first")
    }

    func testModesAreOwnerOnly() throws {
        let home = TemporaryHome()
        let environment = home.environment(["HF_TOKEN_PATH": home.path + "/deep/er/token"])
        let store = TokenStore(environment: environment)
        let token = makeFakeToken()
        try store.save(token: token, name: "n")
        try store.activate(name: "n")
        XCTAssertEqual(home.read("deep/er/token"), token, "raw token, no newline")
        XCTAssertEqual(SecretFile.permissions(of: environment.tokenPath), 0o600)
        XCTAssertEqual(SecretFile.permissions(of: environment.storedTokensPath), 0o600)
        XCTAssertEqual(SecretFile.permissions(of: home.path + "/deep/er"), 0o700)
        let mask = umask(0o022); umask(mask)
        XCTAssertEqual(SecretFile.permissions(of: home.path + "/deep"), 0o777 & ~mask, "parents keep the default mode, as in Python")
        // An existing world-readable file is replaced by an owner-only one.
        chmod(environment.tokenPath, 0o644)
        try store.activate(name: "n")
        XCTAssertEqual(SecretFile.permissions(of: environment.tokenPath), 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path + "/deep/er").filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testWritesThroughASymlink() throws {
        let home = TemporaryHome()
        try home.write("old", to: "real/token")
        let environment = home.environment(["HF_TOKEN_PATH": home.path + "/link/token"])
        try FileManager.default.createDirectory(atPath: home.path + "/link", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: home.path + "/link/token", withDestinationPath: home.path + "/real/token")
        let token = makeFakeToken()
        let store = TokenStore(environment: environment)
        try store.save(token: token, name: "n")
        try store.activate(name: "n")
        XCTAssertEqual(home.read("real/token"), token)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: home.path + "/link/token"), home.path + "/real/token")
    }

    func testActivateCleansAndRemoveDeletesTheActiveFile() throws {
        let home = TemporaryHome()
        let environment = home.environment()
        let store = TokenStore(environment: environment)
        let a = makeFakeToken(), b = makeFakeToken()
        try home.write("[a]\nhf_token =   \(a)  \n\n[b]\nhf_token = \(b)\n\n", to: "hf/stored_tokens")
        XCTAssertEqual(try store.activate(name: "a"), a)
        XCTAssertEqual(home.read("hf/token"), a)
        XCTAssertEqual(try store.remove(name: "b").wasActive, false)
        XCTAssertEqual(home.read("hf/token"), a)
        XCTAssertEqual(try store.remove(name: "a").wasActive, true)
        XCTAssertNil(home.read("hf/token"))
        XCTAssertEqual(home.read("hf/stored_tokens"), "")
        XCTAssertEqual(try store.remove(name: "missing").existed, false)
    }

    func testUnparseableStoredTokensCountAsEmptyAndAreRewrittenOnSave() throws {
        let home = TemporaryHome()
        let store = TokenStore(environment: home.environment())
        try home.write("[a]\nhf_token = 1\n[a]\n", to: "hf/stored_tokens")
        let snapshot = store.storedTokens()
        XCTAssertEqual(snapshot.names, [])
        XCTAssertNotNil(snapshot.problem)
        let token = makeFakeToken()
        try store.save(token: token, name: "fresh")
        XCTAssertEqual(home.read("hf/stored_tokens"), "[fresh]\nhf_token = \(token)\n\n")
    }

    func testRejectsNamesConfigParserCannotHold() {
        let store = TokenStore(environment: TemporaryHome().environment())
        for name in ["", "DEFAULT", "two\nlines"] {
            XCTAssertThrowsError(try store.save(token: makeFakeToken(), name: name)) { error in
                XCTAssertEqual((error as? AuthError)?.name, "ValueError")
            }
        }
    }
}

final class AuthSecretFileTests: XCTestCase {
    /// A file in a folder we cannot create files in (a mounted secret) is rewritten in place, 0600.
    func testRewritesInPlaceWhenTheFolderIsReadOnly() throws {
        guard getuid() != 0 else { throw XCTSkip("root ignores folder permissions") }
        let home = TemporaryHome()
        try home.write("old", to: "ro/token")
        chmod(home.path + "/ro/token", 0o644)
        chmod(home.path + "/ro", 0o500)
        defer { chmod(home.path + "/ro", 0o700) }
        let token = makeFakeToken()
        try SecretFile.write(token, to: home.path + "/ro/token")
        XCTAssertEqual(home.read("ro/token"), token)
        XCTAssertEqual(SecretFile.permissions(of: home.path + "/ro/token"), 0o600)
    }
}
