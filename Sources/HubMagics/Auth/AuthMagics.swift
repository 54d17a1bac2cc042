import Hub

extension MagicRegistry {
    /// The auth magics (this file is the auth area's to fill).
    static var authMagics: [any Magic] { AuthMagics.all() }
}

/// Builds the auth magics; tests pass a fake `CommandRunner` so no real git runs.
public enum AuthMagics {
    public static func all(runner: CommandRunner = ProcessCommandRunner()) -> [any Magic] {
        [LoginMagic(runner: runner), LogoutMagic(runner: runner), WhoamiMagic(), AuthListMagic(),
         AuthSwitchMagic(runner: runner), TokenSourceMagic(runner: runner), DotEnvMagic(runner: runner)]
    }
}
