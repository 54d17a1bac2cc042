/// Etag handling as `huggingface_hub` does it.
public enum ETag {
    /// `_normalize_etag`: `etag.lstrip("W/").strip('"')` — leading `W` and `/` characters,
    /// then surrounding quotes, removed. Nil stays nil.
    public static func normalize(_ etag: String?) -> String? {
        guard let etag else { return nil }
        let unprefixed = etag.drop { $0 == "W" || $0 == "/" }
        var result = Substring(unprefixed)
        while result.first == "\"" { result = result.dropFirst() }
        while result.last == "\"" { result = result.dropLast() }
        return String(result)
    }

    /// A 64-hex sha256 (`REGEX_SHA256`): the etag of an LFS file.
    public static func isSHA256(_ etag: String) -> Bool { isHex(etag, count: 64) }

    /// A 40-hex git blob id: the etag of a regular file.
    public static func isGitBlobID(_ etag: String) -> Bool { isHex(etag, count: 40) }

    private static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
