import Foundation
import Hub

/// The token `%download` sends.
///
/// REPLACE when `Sources/Hub/Auth` lands on main: call the auth layer's resolver instead.
/// Until then: `--token-name N` reads `[N]` from `stored_tokens`; otherwise `HF_TOKEN`, then
/// the token file, unless `HF_HUB_DISABLE_IMPLICIT_TOKEN` is set.
enum DownloadToken {
    static func resolve(_ environment: HubEnvironment, tokenName: String?) throws -> String? {
        if let tokenName {
            guard let token = storedTokens(environment)[tokenName] else {
                let names = storedTokens(environment).keys.sorted()
                throw MagicError("TokenNotFoundError", "No stored token named '\(tokenName)'"
                    + (names.isEmpty ? ". Log in first with %hf_login." : "; stored: \(names.joined(separator: ", ")).")
                )
            }
            return token
        }
        if environment.disablesImplicitToken { return nil }
        if let token = environment.variables["HF_TOKEN"] ?? environment.variables["HUGGING_FACE_HUB_TOKEN"], !token.isEmpty {
            return token.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let saved = (try? String(contentsOfFile: environment.tokenPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return saved?.isEmpty == false ? saved : nil
    }

    /// Names of stored tokens (for completion).
    static func storedTokenNames(_ environment: HubEnvironment) -> [String] { storedTokens(environment).keys.sorted() }

    /// `stored_tokens` is an INI file: `[name]` then `hf_token = value`.
    private static func storedTokens(_ environment: HubEnvironment) -> [String: String] {
        guard let text = try? String(contentsOfFile: environment.storedTokensPath, encoding: .utf8) else { return [:] }
        var tokens: [String: String] = [:]
        var section: String?
        for rawLine in text.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("["), line.hasSuffix("]") { section = String(line.dropFirst().dropLast()); continue }
            guard let section, let equals = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            if line[..<equals].trimmingCharacters(in: .whitespaces) == "hf_token" {
                tokens[section] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return tokens
    }
}
