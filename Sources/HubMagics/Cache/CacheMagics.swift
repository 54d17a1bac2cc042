extension MagicRegistry {
    /// The cache magics (this file is the cache area's to fill).
    static var cacheMagics: [any Magic] { [CacheMagic(), HfEnvMagic(), DoctorMagic()] }
}
