import Foundation
import Hub
import Jupyter

/// The cell result of `%download`: local path(s) as text, a table for dry runs, and JSON.
enum DownloadResultView {
    static func render(_ result: DownloadResult) -> RichOutput {
        let json = JSONValue.object([
            "repo_id": .string(result.repo.id),
            "repo_type": .string(result.repo.type.rawValue),
            "revision": .string(result.revision),
            "commit": result.commit.map(JSONValue.string) ?? .null,
            "paths": .array(result.paths.map(JSONValue.string)),
            "dry_run": .bool(result.isDryRun),
            "downloaded_bytes": .number(Double(result.bytesDownloaded)),
            "resumed_bytes": .number(Double(result.bytesResumed)),
            "files": .array(result.files.map { file in
                .object(["path": .string(file.path), "local_path": .string(file.localPath),
                         "size": file.size.map { .number(Double($0)) } ?? .null, "status": .string(file.status.rawValue)])
            }),
        ])
        guard result.isDryRun else {
            let text = result.paths.joined(separator: "\n")
            let html = result.paths.map { "<code>\(HTML.escape($0))</code>" }.joined(separator: "<br>")
            return RichOutput(text: text, html: html, json: json)
        }
        var table = Table(columns: ["file", "size", "status"])
        for file in result.files {
            table.append([file.path, file.size.map(ByteCount.format) ?? "?", file.status.rawValue], highlighted: file.status == .wouldDownload)
        }
        let toFetch = result.files.filter { $0.status == .wouldDownload }
        let total = toFetch.compactMap(\.size).reduce(0, +)
        let summary = "[dry-run] \(toFetch.count) of \(result.files.count) file(s) would be downloaded (\(ByteCount.format(total)))."
        return RichOutput(text: table.text + "\n" + summary, html: table.html + "<p>\(HTML.escape(summary))</p>", json: json)
    }

    /// What stays in the notebook where the progress bar was. The path is not repeated: the result below gives it.
    static func finalProgress(_ result: DownloadResult) -> RichOutput {
        let downloaded = result.files.filter { $0.status == .downloaded }.count
        let cached = result.files.filter { $0.status == .cached }.count
        let amount = transferSummary(result)
        let text = "Done: \(result.repo.id) — \(downloaded) downloaded (\(amount)), \(cached) already cached."
        let html = "<div class=\"hubkernel-progress\">✔ Done: <b>\(HTML.escape(result.repo.id))</b> — \(downloaded) downloaded ("
            + "\(HTML.escape(amount))), \(cached) already cached.</div>"
        return RichOutput(text: text, html: html)
    }

    /// `"12.6 MB"`, or `"resumed at 5.5 MB, 7.1 MB downloaded"` when an earlier run's bytes were kept.
    static func transferSummary(_ result: DownloadResult) -> String {
        guard result.bytesResumed > 0 else { return ByteCount.format(result.bytesDownloaded) }
        return "resumed at \(ByteCount.format(result.bytesResumed)), \(ByteCount.format(result.bytesDownloaded)) downloaded"
    }
}
