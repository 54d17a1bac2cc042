import Hub

/// `%cache verify REPO [--repo-type T] [--revision R] [--local-dir D]`: recompute the checksum of
/// every local file and compare with the Hub's listing (or the cached `trees/<commit>.json` offline).
enum CacheVerifyCommand {
    static let spec = MagicSpec(
        name: "verify", summary: "Check every cached file of a repo revision against the Hub's checksums",
        positionals: [.init("REPO", help: "repo id, e.g. org/name", completion: CacheCompletion.repoIDs)],
        options: [.value("repo-type", valueName: "T", help: "model (default), dataset or space",
                         completion: .choices(["model", "dataset", "space"])),
                  .value("revision", valueName: "R", help: "branch, tag or commit (default: main, or the only cached snapshot)"),
                  .value("local-dir", valueName: "D", help: "verify files in this folder instead of the cache"),
                  .flag("fail-on-missing-files", help: "fail when files of the revision are not present locally"),
                  .flag("fail-on-extra-files", help: "fail when local files are not in the revision"),
                  CacheCommandSupport.cacheDirOption, AuthMagicSupport.tokenNameOption],
        discussion: "Examples:\n  %cache verify gpt2\n  %cache verify org/data --repo-type dataset --revision refs/pr/1\n  %cache verify org/model --local-dir ./model")

    static func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let type = RepoType(argument: arguments.value("repo-type") ?? "model") ?? .model
        let repo = try RepoID(arguments.positionals[0], type: type)
        let cacheDir = CacheCommandSupport.cacheDir(arguments, in: context)
        let localDir = arguments.value("local-dir")
        let (root, revision) = try CacheVerifier.resolveRoot(cacheDir: cacheDir, repo: repo, revision: arguments.value("revision"), localDir: localDir)
        let (remote, source) = try expectedFiles(repo: repo, revision: revision, cacheDir: cacheDir, localDir: localDir,
                                                 tokenName: arguments.value("token-name"), context: context)

        let result: CacheVerification
        do {
            result = try CacheVerifier.compare(remote: remote, local: CacheVerifier.localFiles(under: root), revision: revision,
                                               verifiedPath: root, source: source, cancelled: { context.output.isCancelled })
        } catch is CancellationError {
            throw MagicError.interrupted("Interrupted; nothing was changed.")
        }
        return try report(result, repo: repo, arguments: arguments, output: context.output)
    }

    /// The Hub's listing (asked with the token in force, or `--token-name`), or the cached one when
    /// offline or when the Hub cannot be reached.
    static func expectedFiles(repo: RepoID, revision: String, cacheDir: String, localDir: String?, tokenName: String?,
                              context: MagicContext) throws -> ([String: RepoFileEntry], CacheVerification.Source) {
        let environment = context.environment
        let cachedListing: () -> [RepoFileEntry]? = {
            guard CacheVerifier.isCommitHash(revision) else { return nil }
            let folder = localDir.map { $0 + "/.cache/huggingface" }
                ?? CacheLayout(root: FileSystem.realPath(cacheDir) ?? cacheDir).repoFolder(repo)
            return TreeCacheFile.read(in: folder, commit: revision)
        }
        var unreachable: String?
        if !environment.isOffline {
            let token = try TokenChain(environment: environment, transport: context.session.transport).tokenToSend(explicitName: tokenName)?.value
            let client = HubClient(environment: environment, token: token, transport: context.session.transport)
            do {
                return (byPath(try client.listFiles(of: repo, commit: revision)), .hub)
            } catch let error as HubError {
                switch error.kind {
                case .unreachable(let detail), .clientUnavailable(let detail): unreachable = detail
                default: throw error
                }
            }
        }
        if let files = cachedListing() {
            if let unreachable { context.output.warn("The Hub could not be reached (\(unreachable)); using the cached listing of \(revision).\n") }
            return (byPath(files), .cachedListing)
        }
        let why = unreachable.map { "The Hub could not be reached: \($0)" } ?? "HF_HUB_OFFLINE is set."
        throw MagicError("OfflineModeIsEnabled", "\(why) No cached listing (trees/\(revision).json) exists for this revision either; verify again when online.")
    }

    private static func byPath(_ entries: [RepoFileEntry]) -> [String: RepoFileEntry] {
        Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { $1 })
    }

    static func report(_ result: CacheVerification, repo: RepoID, arguments: MagicArguments, output: MagicOutput) throws -> RichOutput {
        var table = Table(columns: ["problem", "path", "expected", "actual"])
        for mismatch in result.mismatches {
            table.append(["checksum mismatch (\(mismatch.algorithm))", mismatch.path, mismatch.expected, mismatch.actual], highlighted: true)
        }
        let failMissing = arguments.flag("fail-on-missing-files"), failExtra = arguments.flag("fail-on-extra-files")
        for path in result.missingPaths { table.append(["missing locally", path, "", ""], highlighted: failMissing) }
        for path in result.extraPaths { table.append(["not in the revision", path, "", ""], highlighted: failExtra) }

        let where_ = "\(result.verifiedPath) (revision \(result.revision), checksums from the \(result.source == .hub ? "Hub" : "cached listing"))"
        if !table.rows.isEmpty { output.show(RichOutput(text: table.text, html: table.html)) }
        if !result.missingPaths.isEmpty && !failMissing {
            output.warn("\(result.missingPaths.count) remote file(s) are missing locally (normal after downloading only some files).\n")
        }
        if !result.extraPaths.isEmpty && !failExtra {
            output.warn("\(result.extraPaths.count) local file(s) do not exist in the remote revision.\n")
        }
        if !result.mismatches.isEmpty || (failMissing && !result.missingPaths.isEmpty) || (failExtra && !result.extraPaths.isEmpty) {
            let fix = result.mismatches.isEmpty ? "" : " Delete the damaged files (%cache rm \(repo.type == .model ? "" : repo.type.rawValue + "/")\(repo.id)/PATH) and download them again."
            throw MagicError("VerificationFailed", "Verification failed for '\(repo.id)' in \(where_): \(result.mismatches.count) mismatch(es), \(result.missingPaths.count) missing, \(result.extraPaths.count) extra.\(fix)")
        }
        let text = "Verified \(result.checkedCount) file(s) for \(repo.type.rawValue) '\(repo.id)' in \(where_). All checksums match."
        return RichOutput(text: text, html: "<p>\(HTML.escape(text))</p>")
    }
}
