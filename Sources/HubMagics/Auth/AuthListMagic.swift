import Hub
import Jupyter

/// `%auth_list`: stored tokens, masked (`hf_****abcd`), `*` on the one in force.
struct AuthListMagic: Magic {
    let spec = MagicSpec(name: "auth_list", summary: "List stored tokens (masked), marking the one in force",
                         options: [.flag("json", help: "print JSON instead of a table")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let service = AuthService(environment: context.environment, transport: context.session.transport)
        let (tokens, showsExpiry, outcome) = service.list()
        let json = JSONValue.array(tokens.map { token in
            .object(["name": .string(token.name), "token": .string(token.masked), "active": .bool(token.isActive),
                     "expires": token.expires.isEmpty ? .null : .string(token.expires)])
        })
        if arguments.flag("json") {
            for warning in outcome.warnings { context.output.warn(warning + "\n") }
            return RichOutput(text: AuthMagicSupport.jsonText(json), json: json)
        }
        guard !tokens.isEmpty else {
            AuthMagicSupport.report(outcome, to: context.output)
            return nil
        }
        var table = Table(columns: [" ", "name", "token"] + (showsExpiry ? ["expires"] : []))
        for token in tokens {
            table.append([token.isActive ? "*" : "", token.name, token.masked] + (showsExpiry ? [token.expires] : []),
                         highlighted: token.isActive)
        }
        for warning in outcome.warnings { context.output.warn(warning + "\n") }
        return RichOutput(text: table.text, html: table.html, json: json)
    }
}
