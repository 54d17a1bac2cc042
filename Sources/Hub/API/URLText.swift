import Foundation

/// URL pieces built the way `huggingface_hub` builds them.
public enum URLText {
    /// Python's `urllib.parse.quote(text, safe=safe)`: keeps ASCII letters, digits, `_.-~`
    /// and the `safe` characters, percent-encodes every other UTF-8 byte.
    public static func quote(_ text: String, safe: String = "/") -> String {
        let keep = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~".utf8).union(safe.utf8)
        var result = ""
        for byte in text.utf8 {
            if keep.contains(byte) { result.append(Character(UnicodeScalar(byte))) } else { result += String(format: "%%%02X", byte) }
        }
        return result
    }

    /// `urljoin(base, location)`: an absolute `Location` as is, else resolved against `base`.
    public static func join(_ base: String, _ location: String) -> String {
        if location.contains("://") { return location }
        guard let baseURL = URL(string: base), let resolved = URL(string: location, relativeTo: baseURL) else { return location }
        return resolved.absoluteString
    }

    /// The host of `url` (`127.0.0.1:8443`, `huggingface.co`), or the whole text when it has none.
    public static func host(of url: String) -> String {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return url }
        return components.port.map { "\(host):\($0)" } ?? host
    }
}
