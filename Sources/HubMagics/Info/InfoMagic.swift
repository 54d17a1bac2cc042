import Foundation
import Hub
import Jupyter

/// `%info REPO [--revision R] [--repo-type T] [--files] [--json]`: size, access, licence, parameters and what is
/// already cached, before downloading anything.
struct InfoMagic: Magic {
    let spec = MagicSpec(
        name: "info", summary: "Before a download: size, access, licence, parameters and what is already cached",
        positionals: [.init("REPO", help: "repo id, e.g. openai-community/gpt2", completion: CacheCompletion.repoIDs)],
        options: [
            DownloadMagic.revisionOption, DownloadMagic.repoTypeOption,
            .flag("files", help: "also list every file with its size, LFS or not, and whether it is cached"),
            .flag("json", help: "output the report as JSON"),
            DownloadMagic.cacheDirOption,
            AuthMagicSupport.tokenNameOption,
        ],
        discussion: """
        Examples:
          %info meta-llama/Llama-3.2-1B
          %info openai-community/gpt2 --files
          %info HuggingFaceH4/ultrachat_200k --repo-type dataset --json
        Parameters come from the safetensors headers only (HTTP Range requests; the weights are never downloaded)
        and are kept in the cache, so the next %info, or one offline, reads no header again.
        """)

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let repo = try RepoID(arguments.positionals[0], type: try DownloadMagic.repoType(arguments))
        let environment = context.environment
        let token = try TokenChain(environment: environment, transport: context.session.transport).tokenToSend(explicitName: arguments.value("token-name"))?.value
        let client = HubClient(environment: environment, token: token, transport: context.session.transport)
        let cacheDir = arguments.value("cache-dir").map { HubEnvironment.expand($0, variables: environment.variables, userHome: NSHomeDirectory()) }
        let report = try RepoInspector(environment: environment, client: client, cacheDir: cacheDir)
            .inspect(repo, revision: arguments.value("revision") ?? "main")
        if let notice = report.offlineNotice { context.output.warn(notice + "\n") }
        if !report.footprint.fits {
            context.output.warn(InfoView.fitWarning(report.footprint) + "\n")
        }
        return InfoView.render(report, files: arguments.flag("files"), json: arguments.flag("json"), wording: context.output.commandWording)
    }
}

extension MagicRegistry {
    /// The info magic (this file is the info area's to fill).
    static var infoMagics: [any Magic] { [InfoMagic()] }
}
