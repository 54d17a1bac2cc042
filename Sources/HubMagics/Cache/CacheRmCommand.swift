import Hub

/// `%cache rm TARGET… [--dry-run] [--yes]`: delete cached repos, revisions or files.
/// Blobs another revision still uses are kept; the plan and the bytes it frees are shown first.
enum CacheRmCommand {
    static let spec = MagicSpec(
        name: "rm", summary: "Delete cached repos, revisions or files (blobs still in use are kept)",
        positionals: [.init("TARGET", help: "model/org/name (or org/name), dataset/org/name, a revision hash, or org/name/path/to/file",
                            repeated: true, completion: CacheCommandSupport.cachedTargets(revisions: true))],
        options: [.flag("dry-run", help: "show what would be deleted and freed, delete nothing"),
                  .flag("yes", short: "y", help: "do not ask for confirmation"),
                  CacheCommandSupport.cacheDirOption],
        discussion: "Examples:\n  %cache rm model/gpt2\n  %cache rm dataset/org/data --dry-run\n  %cache rm 9338f7b671827df886678df2bdd7cc7b4f36dffd --yes\n  %cache rm hf://models/org/name/model.safetensors")

    static func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        guard !arguments.positionals.isEmpty else {
            throw MagicError.usage("%cache rm needs at least one TARGET (a repo like model/org/name, a revision hash or a file). %cache ls lists them.")
        }
        let info = try CacheCommandSupport.scan(arguments, in: context)
        let targets = try info.resolveTargets(arguments.positionals)
        if !targets.missing.isEmpty {
            context.output.warn("Could not find in cache:\n" + targets.missing.map { "  - \($0)\n" }.joined())
        }
        let plan: CacheDeletionPlan
        var lines: [String]
        let counts: String
        if !targets.files.isEmpty {
            plan = info.planDeletion(files: Set(targets.files.keys))
            counts = "\(targets.files.count) file(s)"
            lines = ["About to delete \(counts) totalling \(ByteCount.format(plan.expectedFreedSize))."]
            lines += targets.files.values.sorted().map { "  - \($0)" }
        } else if !targets.revisionsByRepo.isEmpty {
            plan = info.planDeletion(revisions: targets.revisions).plan
            let whole = targets.revisionsByRepo.filter { info.repo(cacheID: $0.key)?.revisions.count == $0.value.count }
            let partial = targets.revisionsByRepo.count - whole.count
            let partialRevisions = targets.revisionsByRepo.filter { whole[$0.key] == nil }.values.reduce(0) { $0 + $1.count }
            counts = [whole.isEmpty ? nil : "\(whole.count) repo(s)", partial == 0 ? nil : "\(partialRevisions) revision(s)"]
                .compactMap { $0 }.joined(separator: " and ")
            lines = ["About to delete \(counts) totalling \(ByteCount.format(plan.expectedFreedSize))."]
            lines += CacheCommandSupport.describe(targets.revisionsByRepo, in: info)
        } else {
            return RichOutput(text: "Nothing to delete.")
        }
        return try CacheCommandSupport.deleteAfterConfirmation(
            lines, question: "Proceed with deletion?", command: "%cache rm … --yes", cancelled: "Deletion cancelled; nothing was deleted.",
            done: "Deleted \(counts); freed \(ByteCount.format(plan.expectedFreedSize)).", arguments, in: context, execute: plan.execute)
    }
}
