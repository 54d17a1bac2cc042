import Hub
import JSONRPC

/// What a client's `initializationOptions` change: the Hub, the folders, and the client's own token variables, so the
/// backend resolves tokens exactly as the client's Python would.
enum BackendConfiguration {
    /// Option → the variable it sets.
    static let folderOptions = ["endpoint": "HF_ENDPOINT", "home": "HF_HOME", "cacheDir": "HF_HUB_CACHE"]

    /// Variables a client may pass in `environment`: the Hub's own (`HF_*`) and the legacy token names.
    static func isClientVariable(_ name: String) -> Bool {
        name.hasPrefix("HF_") || name == "HUGGING_FACE_HUB_TOKEN" || name == "HUGGINGFACE_TOKEN" || name == "XDG_CACHE_HOME"
    }

    static func apply(_ options: JSONValue?, to session: MagicSession, clientName: String = "the client") throws {
        guard let options, options != .null else { return }
        guard let object = options.objectValue else { throw RPCError.invalidParams("initializationOptions is an object.") }
        var variables = session.environment.variables
        if let environment = object["environment"] {
            guard let members = environment.objectValue else { throw RPCError.invalidParams("initializationOptions.environment is an object of strings.") }
            for (name, value) in members {
                guard isClientVariable(name) else {
                    throw RPCError.invalidParams("initializationOptions.environment: '\(name)' is not a Hub variable (HF_*, HUGGING_FACE_HUB_TOKEN, HUGGINGFACE_TOKEN, XDG_CACHE_HOME).")
                }
                switch value {
                case .string(let text): variables[name] = text
                case .null: variables.removeValue(forKey: name)
                default: throw RPCError.invalidParams("initializationOptions.environment.\(name) is a string or null.")
                }
            }
        }
        for (option, variable) in folderOptions {
            guard let value = object[option] else { continue }
            guard let text = value.stringValue else { throw RPCError.invalidParams("initializationOptions.\(option) is a string.") }
            variables[variable] = text
        }
        var environment = session.environment.with(variables: variables)
        if let token = object["token"] {
            guard let value = token.stringValue else { throw RPCError.invalidParams("initializationOptions.token is a string.") }
            environment.explicitToken = ClientToken(name: clientName, value: value)
            session.rememberSecret(value)
        }
        if let sources = object["tokenSources"] {
            guard let items = sources.arrayValue else { throw RPCError.invalidParams("initializationOptions.tokenSources is a list of {name, token}.") }
            environment.clientTokens = try items.map { item in
                guard let name = item["name"]?.stringValue, let value = item["token"]?.stringValue else {
                    throw RPCError.invalidParams("initializationOptions.tokenSources: each is {\"name\": …, \"token\": …}.")
                }
                session.rememberSecret(value)
                return ClientToken(name: name, value: value)
            }
        }
        session.environment = environment
    }
}
