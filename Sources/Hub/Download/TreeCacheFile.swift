import Foundation

/// `trees/<commit>.json`: a commit's file listing, written after a snapshot exactly as
/// `huggingface_hub` 2.4.0's `_tree_cache.py` writes it (`json.dump(data, f, indent=1)`,
/// ASCII only, files sorted by path, `format_version` 1).
public enum TreeCacheFile {
    public static let formatVersion = 1

    /// The file under `folder` (the repo folder, or `<local_dir>/.cache/huggingface`).
    public static func path(in folder: String, commit: String) -> String { folder + "/trees/" + commit + ".json" }

    /// The JSON text, byte for byte what Python writes.
    public static func encode(_ entries: [RepoFileEntry]) -> String {
        let sorted = entries.sorted { Array($0.path.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.path.unicodeScalars.map(\.value)) }
        guard !sorted.isEmpty else { return "{\n \"format_version\": \(formatVersion),\n \"files\": {}\n}" }
        let files = sorted.map { entry -> String in
            var fields = ["\"size\": \(entry.size)", "\"blob_id\": \(quote(entry.blobID))"]
            if let sha = entry.lfsSHA256 {
                fields.append("\"lfs_sha256\": \(quote(sha))")
                fields.append("\"lfs_size\": \(entry.lfsSize.map(String.init) ?? "null")")
            }
            if let xet = entry.xetHash { fields.append("\"xet_hash\": \(quote(xet))") }
            return "  \(quote(entry.path)): {\n" + fields.map { "   " + $0 }.joined(separator: ",\n") + "\n  }"
        }
        return "{\n \"format_version\": \(formatVersion),\n \"files\": {\n" + files.joined(separator: ",\n") + "\n }\n}"
    }

    /// Writes the listing atomically (errors ignored, as in Python). Skipped when an entry has
    /// an invalid Xet hash (Python would not write it either).
    public static func write(_ entries: [RepoFileEntry], in folder: String, commit: String) {
        guard entries.allSatisfy({ $0.xetHash.map(isValidXetHash) ?? true }) else { return }
        let file = path(in: folder, commit: commit)
        try? CacheWriter.atomicWrite(Data(encode(entries).utf8), to: file)
        // Python writes it through `tempfile.mkstemp` (0600); in a team's cache the group must read it too.
        chmod(file, TeamCache.isTeamFolder(folder) ? 0o660 : 0o600)
    }

    /// The cached listing, or nil when missing, unreadable or of another format version.
    public static func read(in folder: String, commit: String) -> [RepoFileEntry]? {
        guard let data = FileManager.default.contents(atPath: path(in: folder, commit: commit)),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (object["format_version"] as? NSNumber)?.intValue == formatVersion,
              let files = object["files"] as? [String: [String: Any]] else { return nil }
        var entries: [RepoFileEntry] = []
        for (path, info) in files {
            guard let size = (info["size"] as? NSNumber)?.int64Value, let blob = info["blob_id"] as? String else { return nil }
            let xet = info["xet_hash"] as? String
            if let xet, !isValidXetHash(xet) { return nil }
            entries.append(RepoFileEntry(path: path, size: size, blobID: blob, lfsSHA256: info["lfs_sha256"] as? String,
                                         lfsSize: (info["lfs_size"] as? NSNumber)?.int64Value, xetHash: xet))
        }
        return entries.sorted { $0.path < $1.path }
    }

    /// A Xet hash is 64 lowercase hex characters.
    static func isValidXetHash(_ hash: String) -> Bool { ETag.isSHA256(hash) }

    /// A JSON string as Python's `json.dumps` writes it with `ensure_ascii=True`.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value > 0x7E {
                    for unit in String(scalar).utf16 { result += String(format: "\\u%04x", unit) }
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
