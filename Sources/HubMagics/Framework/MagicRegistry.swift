/// The magics a session knows, looked up by name.
public struct MagicRegistry: Sendable {
    public let magics: [any Magic]

    public init(_ magics: [any Magic]) { self.magics = magics }

    /// Every magic HubKernel ships, in `%lsmagic` order.
    public static var standard: MagicRegistry {
        MagicRegistry(coreMagics + authMagics + downloadMagics + cacheMagics + infoMagics + tokenScanMagics)
    }

    public var names: [String] { magics.map(\.spec.name) }

    public func magic(named name: String) -> (any Magic)? { magics.first { $0.spec.name == name } }
}
