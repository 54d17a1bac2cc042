import Foundation
import Hub
import Jupyter

/// Pieces the auth magics share: token-name completion, the engine service, and how
/// notes and warnings are written.
enum AuthMagicSupport {
    /// Completes stored token names (from `stored_tokens`).
    static let storedTokenNames = CompletionSource.dynamic { session, _ in
        TokenStore(environment: session.environment).storedTokens().names
    }

    /// `--token-name N`.
    static let tokenNameOption = MagicOption.value("token-name", valueName: "NAME", help: "a stored token's name (see %auth_list)",
                                                   completion: storedTokenNames)

    static func service(_ context: MagicContext, runner: CommandRunner) -> AuthService {
        AuthService(environment: context.environment, transport: context.session.transport, runner: runner)
    }

    /// Prints notes on standard output and warnings on standard error, one per line.
    static func report(_ outcome: AuthService.Outcome, to output: MagicOutput) {
        for note in outcome.notes { output.print(note + "\n") }
        for warning in outcome.warnings { output.warn(warning + "\n") }
    }

    /// Like `report`, but the last note becomes the cell's result (text and HTML) instead of a stream line.
    static func reportWithResult(_ outcome: AuthService.Outcome, to output: MagicOutput) -> RichOutput? {
        var streamed = outcome
        let last = streamed.notes.popLast()
        report(streamed, to: output)
        return last.map { summary($0) }
    }

    /// A short result line as text and HTML.
    static func summary(_ text: String, json: JSONValue? = nil) -> RichOutput {
        RichOutput(text: text, html: "<p>\(HTML.escape(text))</p>", json: json)
    }

    static func sourceJSON(_ source: TokenSource) -> JSONValue {
        switch source {
        case .storedToken(let name): return .object(["kind": .string("stored_token"), "name": .string(name)])
        case .environment(let variable): return .object(["kind": .string("environment"), "variable": .string(variable)])
        case .tokenFile(let path): return .object(["kind": .string("token_file"), "path": .string(path)])
        case .oidc(let resource): return .object(["kind": .string("oidc"), "resource": .string(resource)])
        case .explicit(let client): return .object(["kind": .string("explicit"), "client": .string(client)])
        case .client(let name): return .object(["kind": .string("client"), "name": .string(name)])
        }
    }

    /// `value` as `.string`, or `.null`.
    static func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// JSON as text (for `--json` in a terminal): sorted keys, pretty.
    static func jsonText(_ value: JSONValue) -> String {
        let object = foundationObject(value)
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed]) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func foundationObject(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number): return number
        case .string(let text): return text
        case .array(let items): return items.map(foundationObject)
        case .object(let fields): return fields.mapValues(foundationObject)
        }
    }
}
