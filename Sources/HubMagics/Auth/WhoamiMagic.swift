import Hub
import Jupyter

/// `%whoami [--token-name N]`: the account behind the token in force, the token's name and role,
/// and where the token came from.
struct WhoamiMagic: Magic {
    let spec = MagicSpec(
        name: "whoami", summary: "Show which account the token in force belongs to, and where the token came from",
        options: [AuthMagicSupport.tokenNameOption, .flag("json", help: "print JSON instead of a table")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let service = AuthService(environment: context.environment, transport: context.session.transport)
        let (token, info) = try service.whoami(explicitName: arguments.value("token-name"))
        let environment = context.environment
        if token.source == .environment(variable: TokenChain.deprecatedVariable) {
            context.output.warn("The token comes from HUGGINGFACE_TOKEN, a deprecated name that Python huggingface_hub ignores: rename it to HF_TOKEN. See %token_source.\n")
        }
        var rows: [(String, String)] = [("user", info.user)]
        if let fullName = info.fullName { rows.append(("full name", fullName)) }
        rows.append(("organizations", info.organizations.isEmpty ? "—" : info.organizations.joined(separator: ", ")))
        rows.append(("token", info.tokenName + (info.role.map { " (\($0.text))" } ?? "")))
        rows.append(("token source", token.source.description))
        let lifetime = TokenLifetime.of(token, environment: environment)
        if let lifetime { rows.append(("expires", context.output.commandWording(lifetime.summary()))) }
        if !environment.isDefaultEndpoint { rows.append(("endpoint", environment.endpoint)) }

        let json = JSONValue.object([
            "user": .string(info.user), "fullname": AuthMagicSupport.string(info.fullName),
            "orgs": .array(info.organizations.map(JSONValue.string)),
            "token_name": .string(info.tokenName), "role": AuthMagicSupport.string(info.role?.text),
            "token_source": AuthMagicSupport.sourceJSON(token.source),
            "expires": AuthMagicSupport.string(lifetime?.summary()),
            "endpoint": environment.isDefaultEndpoint ? .null : .string(environment.endpoint),
        ])
        if arguments.flag("json") { return RichOutput(text: AuthMagicSupport.jsonText(json), json: json) }
        var table = Table(columns: ["field", "value"])
        for (key, value) in rows { table.append([key, value]) }
        return RichOutput(text: table.text, html: table.html, json: json)
    }
}
