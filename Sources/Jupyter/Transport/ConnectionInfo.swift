import Foundation

/// Why a connection file cannot be used.
public enum ConnectionFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            return "Cannot read the connection file \(path) (\(reason)). Start the kernel through Jupyter, which writes it, or pass an existing file with -f."
        case .invalid(let reason):
            return "The connection file is not usable: \(reason). Let jupyter_client write it (KernelManager / jupyter console) rather than editing it by hand."
        }
    }
}

/// The kernel's five channels.
public enum Channel: String, Sendable, CaseIterable {
    case shell, iopub, stdin, control, hb
}

/// A Jupyter connection file: transport, address, the five ports, the signing key, and optional CurveZMQ keys.
public struct ConnectionInfo: Sendable, Equatable {
    public enum Transport: String, Sendable { case tcp, ipc }

    public var transport: Transport
    public var ip: String
    public var ports: [Channel: Int]
    public var key: String
    public var signatureScheme: String
    public var kernelName: String?
    /// Z85-encoded (40 characters) CurveZMQ server keys, present when the manager provisioned transport encryption.
    public var curvePublicKey: String?
    public var curveSecretKey: String?

    public init(transport: Transport = .tcp, ip: String = "127.0.0.1", ports: [Channel: Int], key: String,
                signatureScheme: String = "hmac-sha256", kernelName: String? = nil,
                curvePublicKey: String? = nil, curveSecretKey: String? = nil) {
        self.transport = transport
        self.ip = ip
        self.ports = ports
        self.key = key
        self.signatureScheme = signatureScheme
        self.kernelName = kernelName
        self.curvePublicKey = curvePublicKey
        self.curveSecretKey = curveSecretKey
    }

    /// Reads and validates the connection file at `path`.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            var isFolder: ObjCBool = false
            let reason = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
                ? "it is a folder, not a file" : Self.describe(error, path: path)
            throw ConnectionFileError.unreadable(path: path, reason: reason)
        }
        try self.init(json: [UInt8](data))
    }

    /// The system's words for why `path` cannot be read (`No such file or directory`), not Foundation's error numbers.
    private static func describe(_ error: Error, path: String) -> String {
        if access(path, R_OK) != 0 { return String(cString: strerror(errno)) }
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return nsError.localizedDescription
    }

    /// Parses connection file JSON.
    public init(json bytes: [UInt8]) throws {
        guard let object = (try? JSONValue.parse(bytes))?.objectValue else {
            throw ConnectionFileError.invalid("it is not a JSON object")
        }
        let transportName = object["transport"]?.stringValue ?? "tcp"
        guard let transport = Transport(rawValue: transportName.lowercased()) else {
            throw ConnectionFileError.invalid("transport '\(transportName)' is neither tcp nor ipc")
        }
        guard let ip = object["ip"]?.stringValue, !ip.isEmpty else { throw ConnectionFileError.invalid("'ip' is missing") }
        var ports: [Channel: Int] = [:]
        for channel in Channel.allCases {
            let name = "\(channel.rawValue)_port"
            guard let port = object[name]?.intValue, (0...65535).contains(port) else {
                throw ConnectionFileError.invalid("'\(name)' is missing or not a port number")
            }
            ports[channel] = port
        }
        // A key that is not a string would silently turn signing off: refuse it. An empty one means unsigned messages.
        if let value = object["key"], value.stringValue == nil {
            throw ConnectionFileError.invalid("'key' must be a string (the HMAC signing key, or \"\" for unsigned messages), not \(value)")
        }
        let key = object["key"]?.stringValue ?? ""
        let scheme = object["signature_scheme"]?.stringValue ?? "hmac-sha256"
        guard scheme == "hmac-sha256" else {
            throw ConnectionFileError.invalid("signature_scheme '\(scheme)' is not supported (use hmac-sha256)")
        }
        let publicKey = object["curve_publickey"]?.stringValue
        let secretKey = object["curve_secretkey"]?.stringValue
        if (publicKey == nil) != (secretKey == nil) {
            throw ConnectionFileError.invalid("it has only one of curve_publickey / curve_secretkey; both are needed")
        }
        for (name, value) in [("curve_publickey", publicKey), ("curve_secretkey", secretKey)] {
            if let value, value.utf8.count != 40 {
                throw ConnectionFileError.invalid("'\(name)' must be a 40-character Z85 key, not \(value.utf8.count) characters")
            }
        }
        self.init(transport: transport, ip: ip, ports: ports, key: key, signatureScheme: scheme,
                  kernelName: object["kernel_name"]?.stringValue, curvePublicKey: publicKey, curveSecretKey: secretKey)
    }

    /// The connection file's JSON object, as jupyter_client writes it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "transport": .string(transport.rawValue), "ip": .string(ip), "key": .string(key),
            "signature_scheme": .string(signatureScheme),
        ]
        for channel in Channel.allCases { object["\(channel.rawValue)_port"] = .number(Double(ports[channel] ?? 0)) }
        if let kernelName { object["kernel_name"] = .string(kernelName) }
        if let curvePublicKey, let curveSecretKey {
            object["curve_publickey"] = .string(curvePublicKey)
            object["curve_secretkey"] = .string(curveSecretKey)
        }
        return .object(object)
    }

    /// Whether the sockets must run as CurveZMQ servers.
    public var usesCurve: Bool { curvePublicKey != nil && curveSecretKey != nil }

    /// The ZeroMQ endpoint for `channel`, e.g. `tcp://127.0.0.1:5555` or `ipc:///tmp/kernel-ipc-3` (jupyter_client's `ip-port`).
    public func endpoint(for channel: Channel) -> String {
        let port = ports[channel] ?? 0
        switch transport {
        case .tcp: return "tcp://\(ip):\(port)"
        case .ipc: return "ipc://\(ip)-\(port)"
        }
    }
}
