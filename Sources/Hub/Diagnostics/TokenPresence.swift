import Foundation

/// Where a token comes from, in `huggingface_hub`'s order (`HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`,
/// then the token file). Interim: the auth engine's `TokenChain` replaces this once on main.
public struct TokenPresence: Sendable, Equatable {
    public var source: String
    public var value: String

    /// `hf_…wxyz` style: never more than the last 4 characters.
    public var masked: String { value.count <= 8 ? "****" : String(value.prefix(3)) + "****" + String(value.suffix(4)) }

    public static func environmentToken(_ environment: HubEnvironment) -> TokenPresence? {
        for name in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
            if let value = clean(environment.variables[name]) { return TokenPresence(source: name, value: value) }
        }
        return nil
    }

    public static func fileToken(_ environment: HubEnvironment) -> TokenPresence? {
        guard let data = FileManager.default.contents(atPath: environment.tokenPath),
              let value = clean(String(decoding: data, as: UTF8.self)) else { return nil }
        return TokenPresence(source: environment.tokenPath, value: value)
    }

    /// The token `huggingface_hub` would use.
    public static func find(_ environment: HubEnvironment) -> TokenPresence? {
        environmentToken(environment) ?? fileToken(environment)
    }

    static func clean(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let value = raw.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "").trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
