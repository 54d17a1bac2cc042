extension MagicRegistry {
    /// The auth magics (this file is the auth area's to fill).
    static var authMagics: [any Magic] { [] }
}
