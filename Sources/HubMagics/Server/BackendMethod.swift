import Hub
import JSONRPC

/// One structured Hub method of the backend (`hub/download`) and the magic it runs (`%download`): its params are the
/// magic's options in camelCase (`repoType` is `--repo-type`) and its positional arguments by name (`repo`, `files`).
struct BackendMethod: Sendable {
    /// The JSON-RPC method (`hub/cache/ls`).
    var method: String
    /// The magic (`cache`) and the words put before the params' (`ls`).
    var magic: String
    var prefix: [String] = []

    /// The `workspace/executeCommand` name: `hub/cache/ls` is `hub.cache.ls`.
    var command: String { method.replacingOccurrences(of: "/", with: ".") }

    /// Every method, by concern.
    static let all: [BackendMethod] = [
        .init(method: "hub/whoami", magic: "whoami"),
        .init(method: "hub/tokenSource", magic: "token_source"),
        .init(method: "hub/login", magic: "hf_login"),
        .init(method: "hub/logout", magic: "hf_logout"),
        .init(method: "hub/authList", magic: "auth_list"),
        .init(method: "hub/authSwitch", magic: "auth_switch"),
        .init(method: "hub/download", magic: "download"),
        .init(method: "hub/info", magic: "info"),
        .init(method: "hub/cache/ls", magic: "cache", prefix: ["ls"]),
        .init(method: "hub/cache/rm", magic: "cache", prefix: ["rm"]),
        .init(method: "hub/cache/prune", magic: "cache", prefix: ["prune"]),
        .init(method: "hub/cache/verify", magic: "cache", prefix: ["verify"]),
        .init(method: "hub/doctor", magic: "doctor"),
        .init(method: "hub/tokenScan", magic: "token_scan"),
        .init(method: "hub/env", magic: "hf_env"),
    ]

    /// Params every method accepts besides the magic's own.
    static let commonParams: Set<String> = ["workDoneToken"]

    /// The words `%magic` gets for `params` (an object, or nothing), checked against `spec`.
    static func words(for spec: MagicSpec, params: JSONValue?, method: String) throws -> [String] {
        let object: [String: JSONValue]
        switch params {
        case nil, .null?: object = [:]
        case .object(let members)?: object = members
        default: throw RPCError.invalidParams("\(method) takes an object of named params.")
        }
        var positionals: [(index: Int, words: [String])] = []
        var options: [String] = []
        for key in object.keys.sorted() where !commonParams.contains(key) {
            let value = object[key]!
            if let index = spec.positionals.firstIndex(where: { positionalNames($0).contains(key) }) {
                positionals.append((index, try strings(value, param: key, method: method)))
            } else if let option = spec.options.first(where: { $0.name == kebabCase(key) }) {
                options += try optionWords(option, value: value, param: key, method: method)
            } else {
                throw RPCError.invalidParams("\(method) has no param '\(key)'. It accepts: \(accepted(spec).joined(separator: ", ")).",
                                             data: ["accepted": .array(accepted(spec).map(JSONValue.string))])
            }
        }
        return positionals.sorted { $0.index < $1.index }.flatMap(\.words) + options
    }

    /// The names a positional answers to: `REPO` is `repo`; a repeated one also by its plural (`FILES`, `PATH` → `paths`).
    static func positionalNames(_ positional: MagicPositional) -> [String] {
        let name = positional.name.lowercased()
        guard positional.isRepeated else { return [name] }
        return name.hasSuffix("s") ? [name, String(name.dropLast())] : [name, name + "s"]
    }

    /// Every param a method built on `spec` accepts.
    static func accepted(_ spec: MagicSpec) -> [String] {
        spec.positionals.map { positionalNames($0)[positionalNames($0).count > 1 && !$0.name.lowercased().hasSuffix("s") ? 1 : 0] } + spec.options.filter { $0.name != "help" }.map { camelCase($0.name) }
    }

    private static func optionWords(_ option: MagicOption, value: JSONValue, param: String, method: String) throws -> [String] {
        if option.isFlag {
            guard let on = value.boolValue else { throw RPCError.invalidParams("\(method): '\(param)' is true or false.") }
            return on ? ["--" + option.name] : []
        }
        let values = try strings(value, param: param, method: method)
        if values.count > 1 && !option.isRepeatable {
            throw RPCError.invalidParams("\(method): '\(param)' takes one value, not a list.")
        }
        return values.flatMap { ["--" + option.name, $0] }
    }

    /// A string, a number, or an array of them, as words.
    private static func strings(_ value: JSONValue, param: String, method: String) throws -> [String] {
        switch value {
        case .string(let text): return [text]
        case .number(let number): return [number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)]
        case .array(let items): return try items.flatMap { try strings($0, param: param, method: method) }
        default: throw RPCError.invalidParams("\(method): '\(param)' is a string, a number or a list of them.")
        }
    }

    /// `repoType` → `repo-type`.
    static func kebabCase(_ name: String) -> String {
        name.reduce(into: "") { result, character in
            if character.isUppercase { result += "-" + character.lowercased() } else { result.append(character) }
        }
    }

    /// `repo-type` → `repoType`.
    static func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "-")
        return parts.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
    }
}
