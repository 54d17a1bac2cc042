import Foundation
import Hub
import Jupyter

/// `%download REPO [FILES…]`: files or a whole repo into the shared cache (or `--local-dir`),
/// with a live progress bar; the result is the local path(s), as text and as JSON.
struct DownloadMagic: Magic {
    let spec = MagicSpec(
        name: "download", summary: "Download files or a whole repo into the shared Hugging Face cache",
        positionals: [
            .init("REPO", help: "repo id, e.g. openai-community/gpt2", completion: CacheCompletion.repoIDs),
            .init("FILES", help: "files to fetch (default: the whole repo)", repeated: true, completion: CacheCompletion.repoFiles),
        ],
        options: [
            .value("include", valueName: "PATTERN", repeatable: true, help: "only files matching this glob (a trailing / means a folder)"),
            .value("exclude", valueName: "PATTERN", repeatable: true, help: "skip files matching this glob"),
            Self.revisionOption, Self.repoTypeOption,
            .value("local-dir", valueName: "DIR", help: "write real files into DIR instead of the cache's snapshots"),
            Self.cacheDirOption,
            .flag("dry-run", help: "list what would be fetched and its size, fetch nothing"),
            .flag("force-download", help: "download again even if cached"),
            .value("max-workers", valueName: "N", help: "files downloaded at once (default 8, and up to 32 small files)"),
            AuthMagicSupport.tokenNameOption,
        ],
        discussion: """
        Examples:
          %download openai-community/gpt2 config.json
          %download openai-community/gpt2 --include "*.json" --exclude "onnx/"
          %download HuggingFaceH4/ultrachat_200k --repo-type dataset --dry-run
        Interrupting keeps partial data; running the same command again resumes.
        """)

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let request = try makeRequest(arguments, context: context)
        let environment = context.environment
        let token = try TokenChain(environment: environment, transport: context.session.transport).tokenToSend(explicitName: arguments.value("token-name"))?.value
        let client = HubClient(environment: environment, token: token, transport: context.session.transport)
        let title = "Downloading \(request.repo.id)" + (request.files.count == 1 ? "/\(request.files[0])" : "")
        let showsProgress = !request.dryRun && !environment.disablesProgressBars
        let display = showsProgress ? context.output.liveDisplay(DownloadProgressView.render(DownloadProgress(), title: title)) : nil
        let output = context.output
        // The Hub's X-HF-Warning headers, each topic once per process, as huggingface_hub logs them.
        defer { for warning in ServerWarnings.shared.take() { output.warn(warning + "\n") } }
        let downloader = Downloader(environment: environment, client: client, isCancelled: { output.isCancelled }, progress: { progress in
            display?.update(DownloadProgressView.render(progress, title: title))
        })
        do {
            let result = try downloader.run(request)
            display?.finish(DownloadResultView.finalProgress(result))
            if let notice = result.notice { context.output.warn(notice + "\n") }
            if !environment.isOffline, request.localDir == nil,
               let notice = GatedExposure.check(request.repo, cacheDir: request.cacheDir ?? environment.hubCache, client: client) {
                context.output.warn(notice + "\n")
            }
            return DownloadResultView.render(result)
        } catch let error as HubError {
            if case .cancelled = error.kind {
                display?.finish(RichOutput(text: "\(title): interrupted"))
                throw MagicError.interrupted(error.message)
            }
            display?.finish(RichOutput(text: "\(title): failed"))
            if case .gatedRepo(_, let page, _, _) = error.kind,
               let notice = GatedExposure.notice(for: request.repo, cacheDir: request.cacheDir ?? environment.hubCache, page: page) {
                context.output.warn(notice + "\n")
            }
            throw error
        } catch {
            display?.finish(RichOutput(text: "\(title): failed"))
            throw error
        }
    }

    /// The options `%download` shares with other magics that name a repo revision in the cache.
    static let revisionOption = MagicOption.value("revision", valueName: "R", help: "branch, tag, commit or refs/pr/N (default main)")
    static let repoTypeOption = MagicOption.value("repo-type", valueName: "TYPE", help: "model (default), dataset or space",
                                                  completion: .choices(["model", "dataset", "space"]))
    static let cacheDirOption = MagicOption.value("cache-dir", valueName: "DIR", help: "cache folder (default HF_HUB_CACHE)")

    /// `--repo-type` (default model), with a usage error for anything else.
    static func repoType(_ arguments: MagicArguments) throws -> RepoType {
        guard let text = arguments.value("repo-type") else { return .model }
        guard let type = RepoType(argument: text) else {
            throw MagicError.usage("--repo-type must be model, dataset or space, not '\(text)'.")
        }
        return type
    }

    private func makeRequest(_ arguments: MagicArguments, context: MagicContext) throws -> DownloadRequest {
        let repo = try RepoID(arguments.positionals[0], type: try Self.repoType(arguments))
        let files = Array(arguments.positionals.dropFirst())
        if !files.isEmpty && !(arguments.values("include").isEmpty && arguments.values("exclude").isEmpty) {
            context.output.warn("--include/--exclude are ignored when FILES are named.\n")
        }
        let chosen = try arguments.integer("max-workers", in: 1...64)
        let expand = { (path: String) in HubEnvironment.expand(path, variables: context.environment.variables, userHome: NSHomeDirectory()) }
        var request = DownloadRequest(repo: repo, files: files, revision: arguments.value("revision") ?? "main",
                                      include: arguments.values("include"), exclude: arguments.values("exclude"),
                                      cacheDir: arguments.value("cache-dir").map(expand), localDir: arguments.value("local-dir").map(expand),
                                      dryRun: arguments.flag("dry-run"), forceDownload: arguments.flag("force-download"))
        if let chosen {  // the user's cap holds for every file, small ones too
            request.maxWorkers = chosen
            request.smallFileWorkers = chosen
        }
        return request
    }

}
