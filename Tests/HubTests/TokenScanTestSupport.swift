import Foundation
@testable import Hub

/// Fake tokens of each format the scanner knows, made at run time (the repository never holds one).
enum FakeTokens {
    static func letters(_ count: Int = 34) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }

    static func lettersAndDigits(_ count: Int = 34) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        // At least one digit, so the OAuth forms really use their wider alphabet.
        return String((0..<(count - 1)).map { _ in alphabet.randomElement()! }) + String(Int.random(in: 0...9))
    }

    static func user() -> String { "hf" + "_" + letters() }
    static func oauthAccess() -> String { "hf" + "_oauth_" + lettersAndDigits() }
    static func oauthRefresh() -> String { "hf" + "_oauth_rt_" + lettersAndDigits() }
    static func organisation() -> String { "api" + "_org_" + letters() }
    static func legacy() -> String { "api" + "_" + letters() }

    /// One of each format, with the format the scanner must report.
    static func everyFormat() -> [(token: String, pattern: TokenPattern)] {
        [(user(), .userAccess), (oauthAccess(), .oauthAccess), (oauthRefresh(), .oauthRefresh),
         (organisation(), .organisationAPI), (legacy(), .legacyAPI)]
    }
}
