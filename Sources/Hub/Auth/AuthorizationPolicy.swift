import Foundation

/// Where a token may be sent: only to the configured endpoint (same scheme, host and port).
/// A redirect to another host (a CDN) must be followed without the header.
///
/// ```swift
/// AuthorizationPolicy.header(for: token, url: "https://huggingface.co/api/whoami-v2", endpoint: "https://huggingface.co")
/// // ("authorization", "Bearer …")
/// AuthorizationPolicy.header(for: token, url: "https://cdn-lfs.hf.co/x", endpoint: "https://huggingface.co")   // nil
/// ```
public enum AuthorizationPolicy {
    /// The `user-agent` HubKernel sends.
    public static let userAgent = "hubkernel; hf_hub/2.4.0-compatible"

    /// The `authorization` header for `url`, or `nil` when `url` is not on `endpoint`'s origin.
    public static func header(for token: String, url: String, endpoint: String) -> (name: String, value: String)? {
        isSameOrigin(url, endpoint) ? ("authorization", "Bearer \(token)") : nil
    }

    /// Whether two URLs share scheme, host (case-insensitive) and port (default ports filled in).
    public static func isSameOrigin(_ a: String, _ b: String) -> Bool {
        guard let left = origin(a), let right = origin(b) else { return false }
        return left == right
    }

    private static func origin(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty else { return nil }
        let port = components.port ?? (scheme == "https" ? 443 : scheme == "http" ? 80 : -1)
        return "\(scheme)://\(host):\(port)"
    }
}
