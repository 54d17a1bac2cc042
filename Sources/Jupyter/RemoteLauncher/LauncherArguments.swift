import Foundation

/// The arguments a remote-kernel provisioner (Enterprise Gateway, gateway_provisioners) puts in the kernelspec's argv
/// for a launcher of protocol version 1, as `launch_ipykernel.py` takes them:
/// `--kernel-id ID --response-address IP:PORT --public-key KEY [--port-range LOW..HIGH] [--transport-encryption P]`.
public struct LauncherArguments: Sendable, Equatable {
    public var kernelID: String
    public var responseHost: String
    public var responsePort: Int
    /// The server's RSA public key: base64 DER (a PEM body without its header lines).
    public var publicKey: String
    /// Ports the kernel may use (0...0: any).
    public var portRange: ClosedRange<Int>

    /// Why the arguments cannot be used (they come from the provisioner's kernelspec).
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// `launch_ipykernel.py`'s minimum size of a port range (`MIN_PORT_RANGE_SIZE`).
    static let minimumRangeSize = 1000

    public init(_ arguments: [String]) throws {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else {
                throw Invalid(description: "unexpected argument '\(name)'; the kernelspec's argv must be the launcher's: --kernel-id {kernel_id} --response-address {response_address} --public-key {public_key} [--port-range {port_range}]")
            }
            values[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        func required(_ name: String) throws -> String {
            guard let value = values[name], !value.isEmpty, !(value.hasPrefix("{") && value.hasSuffix("}")) else {
                throw Invalid(description: "--\(name) is missing (or its {placeholder} was not filled in): start this kernel through a remote provisioner (gateway_provisioners' distributed provisioner, Enterprise Gateway), which fills it in")
            }
            return value
        }
        kernelID = try required("kernel-id")
        let address = try required("response-address")
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
            throw Invalid(description: "--response-address '\(address)' is not IP:PORT")
        }
        responseHost = String(address[..<colon])
        responsePort = port
        publicKey = try required("public-key")
        portRange = try Self.portRange(values["port-range"])
        if let policy = values["transport-encryption"]?.lowercased(), policy == "required" {
            throw Invalid(description: "--transport-encryption required: this launcher does not provision CurveZMQ keys yet; set the provisioner's transport encryption to auto or disabled")
        }
    }

    /// `LOW..HIGH` (at least 1000 ports wide), or any port when absent, a placeholder or `0..0`.
    static func portRange(_ text: String?) throws -> ClosedRange<Int> {
        guard let text, !text.isEmpty, !text.hasPrefix("{") else { return 0...0 }
        let parts = text.components(separatedBy: "..")
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), 0 <= low, low <= high, high <= 65535 else {
            throw Invalid(description: "--port-range '\(text)' is not LOW..HIGH")
        }
        guard high - low == 0 || high - low >= minimumRangeSize else {
            throw Invalid(description: "--port-range '\(text)' spans fewer than \(minimumRangeSize) ports")
        }
        return low...high
    }
}
