import Foundation
import Hub
import Jupyter

/// `%token_source [--check] [--json]`: every place a token can come from, whether it is set (masked),
/// which one wins and why, and warnings (deprecated name, a variable shadowing the saved token,
/// a write token where read is enough, a token file others can read, a .env outside .gitignore).
struct TokenSourceMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "token_source", summary: "Show every token source, which one wins and why, and what looks wrong",
        options: [.flag("check", help: "also ask the Hub about the winning token (adds its account and role)"),
                  .flag("json", help: "print JSON instead of a table")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let environment = context.environment
        var whoami: WhoAmIInfo?
        var whoamiProblem: String?
        let winner = try? TokenChain(environment: environment, transport: context.session.transport).resolve()
        if let winner {
            whoami = WhoAmICache.shared.info(for: winner.value, endpoint: environment.endpoint)
            if arguments.flag("check") {
                do {
                    whoami = try WhoAmIClient(environment: environment, transport: context.session.transport).fetch(winner)
                    if let whoami { WhoAmICache.shared.store(whoami, for: winner.value, endpoint: environment.endpoint) }
                } catch let error as UserFacingError {
                    whoamiProblem = "\(error.name): \(error.message)"
                }
            }
        }
        let report = TokenSourceReport.inspect(environment: environment, workingDirectory: FileManager.default.currentDirectoryPath,
                                               whoami: whoami, runner: runner, transport: context.session.transport)
        var warnings = report.warnings
        if let whoamiProblem { warnings.append(whoamiProblem) }
        let pythonRow = PythonTokenCheck.ask(context.session.python).map { PythonTokenCheck.row($0, winner: winner) }
        if let warning = pythonRow?.warning { warnings.append(warning) }
        warnings = warnings.map(context.output.commandWording)
        let json = Self.json(report, whoami: whoami, warnings: warnings)
        if arguments.flag("json") { return RichOutput(text: AuthMagicSupport.jsonText(json), json: json) }

        var table = Table(columns: ["source", "set", "value", "status"])
        for candidate in report.candidates {
            let name = candidate.name + (candidate.detail == "environment variable" ? "" : " (\(candidate.detail))")
            let wins = report.winner.map { Self.candidate(candidate, is: $0.source) } ?? false
            table.append([name, candidate.isSet ? "yes" : "no", candidate.masked ?? "", candidate.status], highlighted: wins)
        }
        if let pythonRow { table.append(pythonRow.cells) }
        var lines = [context.output.commandWording(report.reason)]
        if let winner = report.winner, let lifetime = TokenLifetime.of(winner, environment: environment) {
            lines.append(context.output.commandWording("The token in force \(lifetime.summary())."))
        }
        if let whoami { lines.append("Account: \(whoami.user), token '\(whoami.tokenName)'" + (whoami.role.map { " (\($0.text))" } ?? "") + ".") }
        let warningText = warnings.map { "⚠ " + $0 }
        let text = ([table.text, ""] + lines + (warningText.isEmpty ? [] : [""] + warningText)).joined(separator: "\n")
        let html = table.html + lines.map { "<p>\(HTML.escape($0))</p>" }.joined()
            + (warnings.isEmpty ? "" : "<ul>" + warnings.map { "<li>⚠ \(HTML.escape($0))</li>" }.joined() + "</ul>")
        return RichOutput(text: text, html: html, json: json)
    }

    static func candidate(_ candidate: TokenSourceReport.Candidate, is source: TokenSource) -> Bool {
        switch source {
        case .environment(let variable): return candidate.name == variable
        case .tokenFile: return candidate.name == "token file"
        case .oidc: return candidate.name == OIDCTokenSource.resourceVariable
        case .storedToken: return candidate.name == "stored_tokens"
        case .explicit: return candidate.name == "explicit token"
        case .client(let name): return candidate.name == name
        }
    }

    static func json(_ report: TokenSourceReport, whoami: WhoAmIInfo?, warnings: [String]) -> JSONValue {
        let winner: JSONValue = report.winner.map { winner in
            .object(["source": AuthMagicSupport.sourceJSON(winner.source), "masked": .string(winner.masked),
                     "fingerprint": .string(TokenSourceReport.fingerprint(winner.value))])
        } ?? .null
        return .object([
            "winner": winner,
            "sent": .bool(report.isSent),
            "reason": .string(report.reason),
            "python_fingerprint": AuthMagicSupport.string(report.pythonFingerprint),
            "candidates": .array(report.candidates.map { candidate in
                .object(["name": .string(candidate.name), "detail": .string(candidate.detail), "set": .bool(candidate.isSet),
                         "masked": AuthMagicSupport.string(candidate.masked), "status": .string(candidate.status),
                         "fingerprint": AuthMagicSupport.string(candidate.fingerprint)])
            }),
            "account": whoami.map { .object(["user": .string($0.user), "token_name": .string($0.tokenName),
                                             "role": AuthMagicSupport.string($0.role?.text)]) } ?? .null,
            "warnings": .array(warnings.map(JSONValue.string)),
        ])
    }
}
