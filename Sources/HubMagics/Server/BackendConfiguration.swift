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

    static func apply(_ options: JSONValue?, to session: MagicSession) throws {
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
        session.environment = HubEnvironment(variables: variables, homeDirectory: session.environment.userHome)
    }
}
