import Foundation
import Hub
import Jupyter

/// `%hf_env [--json]`: versions, endpoint, paths, flags in force, the token in force and where it comes
/// from (masked; the auth engine's `TokenSourceReport`, with the sources it shadows), git
/// credential helpers and C library versions — what to paste in a bug report (like `hf env`).
struct HfEnvMagic: Magic {
    let spec = MagicSpec(name: "hf_env", summary: "Show versions, endpoint, paths, flags and token presence (like hf env)",
                         options: [.flag("json", help: "output the report as a JSON object")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let environment = context.environment
        let sources = TokenSourceReport.inspect(environment: environment, workingDirectory: FileManager.default.currentDirectoryPath,
                                                transport: context.session.transport)
        let token = sources.winner.map { $0.description + (sources.isSent ? "" : " (not sent: HF_HUB_DISABLE_IMPLICIT_TOKEN is set)") }
        let others = sources.candidates.filter { $0.isSet && $0.status != "in force" && !$0.status.hasPrefix("in force ") }
            .map { candidate in [candidate.name, candidate.masked, "(\(candidate.status))"].compactMap { $0 }.joined(separator: " ") }
        let report = EnvironmentReport(
            version: HubKernelInfo.version, environment: environment, token: token, otherTokenSources: others,
            credentialHelpers: GitCredential(environment: environment).helpers(),
            libraries: [("libcurl", LibraryVersions.curl), ("OpenSSL", LibraryVersions.openSSL), ("libzmq", ZeroMQ.version)])
        if arguments.flag("json") {
            let json = JSONValue.object(Dictionary(report.items.map { ($0.key, JSONValue.string($0.value)) }, uniquingKeysWith: { $1 }))
            return RichOutput(text: json.jsonText, json: json)
        }
        let text = context.output.commandWording(report.sections.map { section in
            "\(section.title):\n" + section.items.map { "- \($0.key): \($0.value)" }.joined(separator: "\n")
        }.joined(separator: "\n\n"))
        let html = report.sections.map { section in
            var table = Table(columns: [section.title, ""])
            for item in section.items { table.append([item.key, item.value]) }
            return table.html
        }.joined()
        return RichOutput(text: context.session.redact(text), html: context.session.redact(html))
    }
}
