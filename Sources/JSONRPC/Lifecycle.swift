import JSONCore

/// The client's name and version (`clientInfo` of `initialize`).
public struct ClientInfo: Sendable, Equatable {
    public var name: String
    public var version: String?

    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// The params of `initialize` that the server uses; `json` holds them all (rootUri, workspaceFolders, locale, …).
public struct InitializeParams: Sendable, Equatable {
    /// The process that started the server; the server ends its run when it is gone.
    public var processId: Int?
    public var clientInfo: ClientInfo?
    /// The client's capabilities (an object; empty when the client sent none).
    public var capabilities: JSONValue
    public var initializationOptions: JSONValue?
    public var json: JSONValue

    /// Reads the params; throws -32602 when they are not an object or `processId` is neither an integer nor null.
    public init(json: JSONValue?) throws {
        guard let json, json.objectValue != nil else { throw RPCError.invalidParams("initialize params must be an object") }
        switch json["processId"] {
        case nil, .null?: processId = nil
        case let value?:
            guard let pid = value.intValue else { throw RPCError.invalidParams("processId must be an integer or null") }
            processId = pid
        }
        if let info = json["clientInfo"], let name = info["name"]?.stringValue {
            clientInfo = ClientInfo(name: name, version: info["version"]?.stringValue)
        }
        capabilities = json["capabilities"] ?? .object([:])
        initializationOptions = json["initializationOptions"]
        self.json = json
    }
}

/// The server's name and version (`serverInfo` of the initialize result).
public struct ServerInfo: Sendable, Equatable {
    public var name: String
    public var version: String?

    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// What `initialize` answers: the server's capabilities and, optionally, who it is.
public struct InitializeResult: Sendable, Equatable {
    public var capabilities: JSONValue
    public var serverInfo: ServerInfo?

    public init(capabilities: JSONValue = .object([:]), serverInfo: ServerInfo? = nil) {
        self.capabilities = capabilities
        self.serverInfo = serverInfo
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = ["capabilities": capabilities]
        if let serverInfo {
            var info: [String: JSONValue] = ["name": .string(serverInfo.name)]
            if let version = serverInfo.version { info["version"] = .string(version) }
            object["serverInfo"] = .object(info)
        }
        return .object(object)
    }
}

/// Where the connection is in the LSP lifecycle.
enum LifecycleState {
    /// Waiting for `initialize`: requests get -32002, notifications but `exit` are dropped.
    case uninitialized
    /// `initialize` is being handled: a second one gets -32600, other requests -32002.
    case initializing
    /// Serving.
    case running
    /// `shutdown` was answered: requests get -32600; only `exit` (and cancellation) is still heard.
    case shutDown
}
