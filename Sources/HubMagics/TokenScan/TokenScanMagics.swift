extension MagicRegistry {
    /// The token-scan magics (this file is the token-scan area's to fill).
    static var tokenScanMagics: [any Magic] { [TokenScanMagic()] }
}
