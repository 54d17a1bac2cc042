extension MagicRegistry {
    /// The download magics (this file is the download area's to fill).
    static var downloadMagics: [any Magic] { [DownloadMagic()] }
}
