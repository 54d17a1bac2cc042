import Hub

/// `%cache ls|rm|prune|verify`: look into and clean the shared Hugging Face cache
/// (the same folder Python `huggingface_hub` uses). `hubkernel cache …` runs it in a terminal.
struct CacheMagic: Magic {
    let spec = MagicSpec(
        name: "cache", summary: "List, clean and verify the shared Hugging Face cache (like hf cache)",
        discussion: "The cache is HF_HUB_CACHE (default ~/.cache/huggingface/hub), shared with Python huggingface_hub.",
        subcommands: [CacheLsCommand.spec, CacheRmCommand.spec, CachePruneCommand.spec, CacheVerifyCommand.spec])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        switch arguments.subcommand {
        case "ls": return try CacheLsCommand.run(arguments, in: context)
        case "rm": return try CacheRmCommand.run(arguments, in: context)
        case "prune": return try CachePruneCommand.run(arguments, in: context)
        default: return try CacheVerifyCommand.run(arguments, in: context)
        }
    }
}

/// What the `%cache` sub-commands share: the `--cache-dir` option, scanning, completion, confirmation.
enum CacheCommandSupport {
    static let cacheDirOption = MagicOption.value(
        "cache-dir", valueName: "DIR", help: "cache folder to use (default: HF_HUB_CACHE)")

    static func cacheDir(_ arguments: MagicArguments, in context: MagicContext) -> String {
        arguments.value("cache-dir") ?? context.environment.hubCache
    }

    static func scan(_ arguments: MagicArguments, in context: MagicContext) throws -> CacheInfo {
        try CacheScanner(cacheDir: cacheDir(arguments, in: context)).scan()
    }

    /// Completes cached repos (`model/org/name`) and, with `revisions`, commit hashes.
    static func cachedTargets(revisions: Bool) -> CompletionSource {
        .dynamic { session, wordsBefore in
            let folder = CacheCompletion.cacheDirectory(in: wordsBefore) ?? session.environment.hubCache
            guard let info = try? CacheScanner(cacheDir: folder).scan() else { return [] }
            return info.repos.map(\.cacheID) + (revisions ? info.repos.flatMap { $0.revisions.map(\.commitHash) } : [])
        }
    }

    /// Shows what will be deleted, stops there for `--dry-run`, asks for confirmation (unless `--yes`),
    /// deletes, and reports what could not be deleted: the common path of `%cache rm` and `%cache prune`.
    static func deleteAfterConfirmation(_ lines: [String], question: String, command: String, cancelled: String,
                                        done: String, _ arguments: MagicArguments, in context: MagicContext,
                                        execute: () -> [String]) throws -> RichOutput {
        context.output.print(lines.joined(separator: "\n") + "\n")
        if arguments.flag("dry-run") { return RichOutput(text: "Dry run: no files were deleted.") }
        guard try confirm(question, arguments, in: context, command: command) else { return RichOutput(text: cancelled) }
        let failures = execute()
        if !failures.isEmpty {
            context.output.warn("Could not delete (check permissions):\n" + failures.map { "  - \($0)\n" }.joined())
        }
        return RichOutput(text: done)
    }

    /// Asks "question [y/N]" unless `--yes`; false when the answer is not yes.
    /// A frontend that cannot prompt gets an error that says to add --yes.
    static func confirm(_ question: String, _ arguments: MagicArguments, in context: MagicContext, command: String) throws -> Bool {
        if arguments.flag("yes") { return true }
        let answer: String
        do {
            answer = try context.output.prompt(question + " [y/N] ", password: false)
        } catch let error as MagicError where error.name == "StdinNotAllowedError" || error.name == "NoInputError" {
            throw MagicError("StdinNotAllowedError", "This frontend cannot ask for confirmation. Re-run with --yes to delete (\(command) --yes), or with --dry-run to preview.")
        }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// "  - model/org/name (entire repo)" or the revisions with refs and sizes, like `hf cache rm`.
    static func describe(_ revisionsByRepo: [String: Set<String>], in info: CacheInfo) -> [String] {
        var lines: [String] = []
        for cacheID in revisionsByRepo.keys.sorted(by: { $0.lowercased() < $1.lowercased() }) {
            guard let repo = info.repo(cacheID: cacheID) else { continue }
            let selected = repo.revisions.filter { revisionsByRepo[cacheID]!.contains($0.commitHash) }
            if selected.count == repo.revisions.count {
                lines.append("  - \(cacheID) (entire repo)")
                continue
            }
            lines.append("  - \(cacheID):")
            for revision in selected {
                let refs = revision.refs.isEmpty ? "(detached)" : revision.refs.joined(separator: " ")
                lines.append("      \(revision.commitHash) [\(refs)] \(ByteCount.format(revision.sizeOnDisk))")
            }
        }
        return lines
    }
}
