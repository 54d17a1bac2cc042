import Foundation
import Hub
import Jupyter

/// The `%info` card: a two-column table (text and HTML), optionally the file list, and the same facts as JSON.
enum InfoView {
    static func render(_ report: RepoReport, files showFiles: Bool, json asText: Bool, wording: (String) -> String) -> RichOutput {
        let json = self.json(report)
        if asText { return RichOutput(text: json.jsonText, json: json) }
        var card = Table(columns: ["", report.info.repo.id])
        for (label, value, highlighted) in rows(report, wording: wording) { card.append([label, value], highlighted: highlighted) }
        var text = card.text, html = card.html
        if let advice = report.access.advice(page: report.page) {
            html += "<p>\(HTML.escape(wording(advice))) \(HTML.link(report.page))</p>"
        }
        if showFiles {
            let table = fileTable(report.footprint)
            text += "\n\n" + table.text
            html += table.html
        }
        return RichOutput(text: text, html: html, json: json)
    }

    /// (label, value, highlighted) rows of the card.
    static func rows(_ report: RepoReport, wording: (String) -> String) -> [(String, String, Bool)] {
        let info = report.info, footprint = report.footprint
        var rows: [(String, String, Bool)] = [
            ("type", info.repo.type.rawValue, false),
            ("revision", report.revision == info.commit ? info.commit : "\(report.revision) → \(info.commit)", false),
        ]
        if let modified = info.lastModified { rows.append(("last modified", modified, false)) }
        rows.append(("visibility", (info.isPrivate ? "private" : "public") + (info.gated.map { ", gated (\($0))" } ?? ""), false))
        if info.gated != nil {
            let advice = report.access.advice(page: report.page).map { " — " + wording($0) } ?? ""
            rows.append(("your access", report.access.rawValue + advice, !report.access.mayDownload))
        }
        if let license = info.license { rows.append(("licence", license, false)) }
        if let library = info.libraryName { rows.append(("library", library, false)) }
        if let pipeline = info.pipelineTag { rows.append(("pipeline", pipeline, false)) }
        let tags = info.tags.isEmpty ? info.cardTags : info.tags
        if !tags.isEmpty { rows.append(("tags", tags.joined(separator: ", "), false)) }
        let popularity = [info.downloads.map { "\(grouped(Int64($0))) downloads" }, info.likes.map { "\(grouped(Int64($0))) likes" }].compactMap { $0 }
        if !popularity.isEmpty { rows.append(("popularity", popularity.joined(separator: ", "), false)) }
        let kinds = DownloadFootprint.Kind.allCases.map { "\($0.rawValue) \(ByteCount.format(footprint.bytes($0)))" }.joined(separator: ", ")
        rows.append(("download size", "\(ByteCount.format(footprint.totalBytes)) in \(footprint.files.count) file(s): \(kinds)", false))
        var cache = "\(ByteCount.format(footprint.bytes(.cached))) cached at this commit"
        if footprint.bytes(.reusable) > 0 { cache += ", \(ByteCount.format(footprint.bytes(.reusable))) reused from other revisions' blobs" }
        cache += "; \(ByteCount.format(footprint.bytesToFetch)) to download"
        rows.append(("in cache", cache, false))
        if let free = footprint.freeBytes {
            rows.append(("free on cache disk", ByteCount.format(free) + (footprint.fits ? "" : " — NOT ENOUGH for this download"), !footprint.fits))
        }
        if let parameters = report.parameters {
            let dtypes = parameters.byDtype.sorted { $0.value > $1.value }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: ", ")
            rows.append(("parameters", "\(RepoParameters.format(parameters.total)) (\(grouped(parameters.total))): \(dtypes)", false))
            let shards = parameters.isSharded ? "\(parameters.files.count) shards" : "1 file"
            rows.append(("tensors", "\(grouped(Int64(parameters.tensorCount))) in \(shards); \(ByteCount.format(parameters.dataBytes)) to load", false))
            let fetched = ByteCount.format(report.headerBytesFetched)
            let source: String
            switch report.headerSource {
            case .cache: source = "from the cache (no request)"
            case .metadataRequest: source = "\(fetched) of headers in one safetensors-metadata request"
            case .rangeRequests: source = "\(fetched) of headers read by Range requests"
            }
            rows.append(("read", source, false))
        } else if let note = report.parametersNote {
            rows.append(("parameters", note, false))
        }
        if let notice = report.offlineNotice { rows.append(("source", notice, true)) }
        return rows
    }

    static func fileTable(_ footprint: DownloadFootprint) -> Table {
        var table = Table(columns: ["file", "size", "lfs", "kind", "cached"])
        for file in footprint.files {
            table.append([file.path, file.size >= 0 ? ByteCount.format(file.size) : "?", file.isLFS ? "yes" : "no", file.kind.rawValue,
                          file.state == .cached ? "yes" : file.state.rawValue])  // the last column says it; no bold without a legend
        }
        return table
    }

    static func fitWarning(_ footprint: DownloadFootprint) -> String {
        "Warning: a download needs \(ByteCount.format(footprint.bytesToFetch)) but the cache's disk has \(ByteCount.format(footprint.freeBytes ?? 0)) free. Free some space (%cache rm, %cache prune) or use --cache-dir."
    }

    static func json(_ report: RepoReport) -> JSONValue {
        let info = report.info, footprint = report.footprint
        func number(_ value: Int64) -> JSONValue { .number(Double(value)) }
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var object: [String: JSONValue] = [
            "repo_id": .string(info.repo.id), "repo_type": .string(info.repo.type.rawValue), "revision": .string(report.revision),
            "commit": .string(info.commit), "last_modified": optional(info.lastModified), "private": .bool(info.isPrivate),
            "gated": info.gated.map(JSONValue.string) ?? .bool(false), "access": .string(report.access.rawValue),
            "access_url": .string(report.page), "license": optional(info.license), "tags": .array(info.tags.map(JSONValue.string)),
            "card_tags": .array(info.cardTags.map(JSONValue.string)), "library_name": optional(info.libraryName),
            "pipeline_tag": optional(info.pipelineTag), "downloads": info.downloads.map { .number(Double($0)) } ?? .null,
            "likes": info.likes.map { .number(Double($0)) } ?? .null, "offline": .bool(report.offlineNotice != nil),
            "size": .object([
                "total": number(footprint.totalBytes), "weights": number(footprint.bytes(.weights)),
                "tokenizer": number(footprint.bytes(.tokenizer)), "other": number(footprint.bytes(.other)),
                "cached": number(footprint.bytes(.cached)), "reusable": number(footprint.bytes(.reusable)),
                "to_download": number(footprint.bytesToFetch), "free": footprint.freeBytes.map(number) ?? .null, "fits": .bool(footprint.fits),
            ]),
            "files": .array(footprint.files.map { file in
                .object(["path": .string(file.path), "size": number(file.size), "lfs": .bool(file.isLFS), "kind": .string(file.kind.rawValue),
                         "cached": .string(file.state == .cached ? "yes" : file.state.rawValue)])
            }),
            "parameters_note": optional(report.parametersNote),
        ]
        object["parameters"] = report.parameters.map { parameters in
            .object(["total": number(parameters.total), "by_dtype": .object(parameters.byDtype.mapValues(number)),
                     "tensors": .number(Double(parameters.tensorCount)), "bytes": number(parameters.dataBytes),
                     "files": .array(parameters.files.keys.sorted().map(JSONValue.string)), "sharded": .bool(parameters.isSharded),
                     "from_cache": .bool(report.headersFromCache), "source": .string(report.headerSource.rawValue), "header_bytes_fetched": number(report.headerBytesFetched)])
        } ?? .null
        return .object(object)
    }

    /// 1,234,567
    static func grouped(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, char) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(char)
        }
        return (value < 0 ? "-" : "") + out
    }
}
