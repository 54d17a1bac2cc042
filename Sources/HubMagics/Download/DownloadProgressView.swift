import Foundation
import Hub

/// Renders `DownloadProgress` as a one-line text bar and an HTML progress bar that inherits
/// the notebook theme's colours.
enum DownloadProgressView {
    static func render(_ progress: DownloadProgress, title: String) -> RichOutput {
        guard progress.filesTotal > 0 || progress.bytesTotal > 0 else {
            // Nothing is known yet (the listing or the first HEAD is on its way): an indeterminate bar.
            let status = progress.waitReason ?? "looking up files…"
            return RichOutput(text: "\(title): \(status)",
                              html: "<div class=\"hubkernel-progress\"><div>\(HTML.escape(title))</div>"
                                  + "<progress style=\"width:24em;accent-color:currentColor\"></progress> <span>\(HTML.escape(status))</span></div>",
                              progress: ProgressNote(message: status))
        }
        let percent = Int((progress.fraction * 100).rounded(.down))
        let filled = Int(progress.fraction * 24)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 24 - filled)
        let bytes = progress.bytesTotal > 0
            ? "\(ByteCount.format(progress.bytesDone)) / \(ByteCount.format(progress.bytesTotal))"
            : ByteCount.format(progress.bytesDone)
        let resumed = progress.bytesResumed > 0 ? " (resumed at \(ByteCount.format(progress.bytesResumed)))" : ""
        let rate = progress.bytesPerSecond > 0 ? ", \(ByteCount.format(Int64(progress.bytesPerSecond)))/s" : ""
        let left = progress.waitReason.map { ", " + $0 } ?? (progress.secondsWithoutData > 0 ? ", no data for " + Self.duration(progress.secondsWithoutData)
            : progress.secondsRemaining.map { ", " + Self.duration($0) + " left" } ?? "")
        let summary = "\(progress.filesDone)/\(progress.filesTotal) files, \(bytes)\(resumed)\(rate)\(left)"
        let text = "\(title) \(bar) \(percent)% \(summary)"
        let html = "<div class=\"hubkernel-progress\"><div>\(HTML.escape(title))</div>"
            + "<progress value=\"\(percent)\" max=\"100\" style=\"width:24em;accent-color:currentColor\"></progress> "
            + "<span>\(percent)% · \(HTML.escape(summary))</span></div>"
        return RichOutput(text: text, html: html, progress: ProgressNote(message: summary, percentage: percent))
    }

    /// `"8 s"`, `"3 min 05 s"`, `"2 h 07 min"`: rounded up, two units at most.
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        if total < 60 { return "\(total) s" }
        if total < 3600 { return "\(total / 60) min " + String(format: "%02d s", total % 60) }
        return "\(total / 3600) h " + String(format: "%02d min", total % 3600 / 60)
    }
}
