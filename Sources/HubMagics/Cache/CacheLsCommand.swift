import Foundation
import Hub
import Jupyter

/// `%cache ls [--revisions] [--filter EXPR]… [--sort KEY[:asc|:desc]] [--limit N] [--json]`.
enum CacheLsCommand {
    static let sortChoices = ["accessed", "modified", "name", "size"].flatMap { [$0, $0 + ":asc", $0 + ":desc"] }

    static let spec = MagicSpec(
        name: "ls", summary: "List cached repos (or revisions) with sizes, ages, refs and file counts",
        options: [
            .flag("revisions", help: "one row per revision instead of per repo"),
            .value("filter", short: "f", valueName: "EXPR", repeatable: true,
                   help: "keep rows matching EXPR: size>1GB, type=model, refs=main, accessed>7d, modified<30d"),
            .value("sort", valueName: "KEY", help: "accessed, modified, size (newest/biggest first) or name; add :asc or :desc",
                   completion: .choices(sortChoices)),
            .value("limit", valueName: "N", help: "show only the first N rows (after sorting)"),
            .flag("json", help: "output a JSON list with hf cache ls's field names"),
            .flag("show-warnings", help: "print every cache inconsistency found while scanning"),
            CacheCommandSupport.cacheDirOption,
        ],
        discussion: "Examples:\n  %cache ls\n  %cache ls --revisions --filter refs=main\n  %cache ls --filter \"size>1GB\" --sort size --limit 10")

    static func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let query = try CacheListQuery(revisions: arguments.flag("revisions"), filters: arguments.values("filter"),
                                       sort: arguments.value("sort"), limit: try arguments.integer("limit", in: 0...Int.max))
        let info = try CacheCommandSupport.scan(arguments, in: context)
        let rows = query.entries(in: info)
        reportProblems(info, showWarnings: arguments.flag("show-warnings"), output: context.output)

        if arguments.flag("json") {
            let json = JSONValue.array(rows.map(jsonItem))
            return RichOutput(text: json.jsonText, json: json)
        }
        guard !rows.isEmpty else {
            let text = info.repos.isEmpty ? "The cache at \(info.cacheDir) holds no repos." : "No cached entry matches."
            return RichOutput(text: text, html: "<p>\(HTML.escape(text))</p>")
        }
        let table = makeTable(rows, revisions: query.revisions)
        let summary = summaryLine(rows, info: info, query: query)
        return RichOutput(text: table.text + "\n\n" + summary,
                          html: table.html + "<p>\(HTML.escape(summary))</p>")
    }

    static func makeTable(_ rows: [CacheListEntry], revisions: Bool) -> Table {
        let now = Date().timeIntervalSince1970
        if revisions {
            var table = Table(columns: ["id", "revision", "size", "files", "last_modified", "refs"])
            for row in rows {
                guard let revision = row.revision else { continue }
                table.append([row.repo.cacheID, revision.commitHash, ByteCount.format(revision.sizeOnDisk), String(revision.fileCount),
                              CacheFormat.timeSince(revision.lastModified, now: now), revision.refs.joined(separator: ", ")])
            }
            return table
        }
        var table = Table(columns: ["id", "size", "files", "revisions", "last_accessed", "last_modified", "refs"])
        for row in rows {
            table.append([row.repo.cacheID, ByteCount.format(row.repo.sizeOnDisk), String(row.repo.fileCount), String(row.repo.revisions.count),
                          CacheFormat.timeSince(row.repo.lastAccessed, now: now), CacheFormat.timeSince(row.repo.lastModified, now: now),
                          row.repo.refs.joined(separator: ", ")])
        }
        return table
    }

    /// "Found 3 repo(s) for a total of 4 revision(s) and 1.2G on disk." The unfiltered total is the
    /// physical size (shared blobs once), as `hf cache ls` reports it.
    static func summaryLine(_ rows: [CacheListEntry], info: CacheInfo, query: CacheListQuery) -> String {
        let repoIDs = Set(rows.map(\.repo.cacheID))
        let repos = info.repos.filter { repoIDs.contains($0.cacheID) }
        let revisionCount = query.revisions ? rows.count : repos.reduce(0) { $0 + $1.revisions.count }
        let total: Int64
        if query.revisions {
            total = rows.reduce(0) { $0 + $1.size }
        } else if !query.filters.isEmpty || query.limit != nil {
            total = repos.reduce(0) { $0 + $1.sizeOnDisk }
        } else {
            total = info.sizeOnDisk
        }
        return "Found \(repos.count) repo(s) for a total of \(revisionCount) revision(s) and \(ByteCount.format(total)) on disk."
    }

    /// Warnings and hints on standard error, like `hf cache ls`.
    static func reportProblems(_ info: CacheInfo, showWarnings: Bool, output: MagicOutput) {
        if !info.warnings.isEmpty {
            if showWarnings {
                for warning in info.warnings {
                    output.warn("Warning: " + warning.message.trimmingSuffix(".") + ". Repo ignored.\n")
                }
            } else {
                output.warn("Found \(info.warnings.count) cache inconsistencies. Re-run with --show-warnings to display them.\n")
            }
        }
        if !info.incompleteFiles.isEmpty {
            output.warn("Found \(info.incompleteFiles.count) incomplete download(s) totalling \(ByteCount.format(info.incompleteSizeOnDisk)). Remove them with %cache prune.\n")
        }
        if !info.unreferencedSharedBlobs.isEmpty {
            let size = info.unreferencedSharedBlobs.values.reduce(0, +)
            output.warn("Found \(info.unreferencedSharedBlobs.count) unreferenced shared blob(s) totalling \(ByteCount.format(size)). Remove them with %cache prune.\n")
        }
    }

    /// `hf cache ls --format json`'s fields, plus exact numbers (`size_on_disk`, `nb_files`,
    /// timestamps, paths) with `scan_cache_dir`'s names.
    static func jsonItem(_ row: CacheListEntry) -> JSONValue {
        let repo = row.repo
        var item: [String: JSONValue] = [
            "id": .string(repo.cacheID), "repo_id": .string(repo.repoID), "repo_type": .string(repo.repoType),
            "size": .string(CacheFormat.size(row.size)), "size_on_disk": .number(Double(row.size)),
            "nb_files": .number(Double(row.fileCount)), "refs": .array(row.refs.map(JSONValue.string)),
            "last_modified": .string(CacheFormat.timeSince(row.lastModified)), "last_modified_timestamp": .number(row.lastModified),
            "repo_path": .string(repo.repoPath),
        ]
        if let revision = row.revision {
            item["revision"] = .string(revision.commitHash)
            item["snapshot_path"] = .string(revision.snapshotPath)
        } else {
            item["last_accessed"] = .string(CacheFormat.timeSince(repo.lastAccessed))
            item["last_accessed_timestamp"] = .number(repo.lastAccessed)
            item["nb_revisions"] = .number(Double(repo.revisions.count))
        }
        return .object(item)
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var result = self
        while result.hasSuffix(suffix) { result.removeLast(suffix.count) }
        return result
    }
}
