/// Token-shaped strings made at run time (none is committed), of every shape the guard knows.
enum Fakes {
    static func letters(_ count: Int = 34) -> String {
        String((0..<count).map { _ in Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").randomElement()! })
    }

    /// Letters and digits, with at least one digit.
    static func lettersAndDigits(_ count: Int = 34) -> String {
        String((0..<(count - 1)).map { _ in Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789").randomElement()! })
            + String(Int.random(in: 0...9))
    }

    static func user() -> String { "hf" + "_" + letters() }
    static func userWithDigits() -> String { "hf" + "_" + lettersAndDigits() }
    static func oauthAccess() -> String { "hf" + "_oauth_" + lettersAndDigits() }
    static func oauthRefresh() -> String { "hf" + "_oauth_rt_" + lettersAndDigits() }
    static func organisation() -> String { "api" + "_org_" + lettersAndDigits() }
    static func legacy() -> String { "api" + "_" + letters() }
    /// A secret of no Hub shape (a staging Hub's, a private mirror's).
    static func shapeless() -> String { "s3cr3t-" + lettersAndDigits(20) }

    static var everyShape: [String] { [user(), userWithDigits(), oauthAccess(), oauthRefresh(), organisation(), legacy()] }
}
