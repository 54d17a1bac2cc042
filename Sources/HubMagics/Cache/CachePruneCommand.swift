import Hub

/// `%cache prune [--dry-run] [--yes]`: delete detached revisions, leftovers of interrupted
/// downloads (never one in progress) and shared blobs no repo uses.
enum CachePruneCommand {
    static let spec = MagicSpec(
        name: "prune", summary: "Delete detached revisions, interrupted-download leftovers and unused shared blobs",
        options: [.flag("dry-run", help: "show what would be deleted and freed, delete nothing"),
                  .flag("yes", short: "y", help: "do not ask for confirmation"),
                  CacheCommandSupport.cacheDirOption])

    static func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let info = try CacheCommandSupport.scan(arguments, in: context)
        let plan = info.planPrune()
        for file in plan.inProgress {
            context.output.warn("Keeping \(file.filePath): a download is writing it right now.\n")
        }
        guard !plan.isEmpty else {
            return RichOutput(text: "No unreferenced revisions, incomplete downloads or shared blobs found. Nothing to prune.")
        }
        let freed = ByteCount.format(plan.expectedFreedSize)
        var lines = ["About to delete \(plan.summary) (\(freed) total)."]
        lines += CacheCommandSupport.describe(plan.detachedByRepo.mapValues { Set($0.map(\.commitHash)) }, in: info)
        lines += plan.incompleteFiles.map { "  - \($0.filePath) (\(ByteCount.format($0.sizeOnDisk)), incomplete)" }
        lines += plan.sharedBlobs.keys.sorted().map { "  - \($0) (\(ByteCount.format(plan.sharedBlobs[$0]!)), unused shared blob)" }
        return try CacheCommandSupport.deleteAfterConfirmation(
            lines, question: "Proceed?", command: "%cache prune --yes", cancelled: "Prune cancelled; nothing was deleted.",
            done: "Deleted \(plan.summary); freed \(freed).", arguments, in: context, execute: plan.execute)
    }
}
