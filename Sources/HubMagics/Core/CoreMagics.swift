extension MagicRegistry {
    /// Magics about the kernel itself.
    static var coreMagics: [any Magic] { [HelpMagic(), LsMagic(), EchoMagic(), SetMagic(), SleepMagic(), PythonMagic()] }
}
