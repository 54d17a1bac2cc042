import Foundation

/// The forward proxy libcurl uses for a URL, read from the environment as libcurl reads it (`<scheme>_proxy`, for
/// https also `HTTPS_PROXY`; plain http only the lowercase `http_proxy`; then `all_proxy` / `ALL_PROXY`;
/// `no_proxy` / `NO_PROXY` exempts hosts). Only used to word errors: `address` never carries the credentials of
/// the proxy URL.
///
/// ```swift
/// ProxySetting(for: "https://huggingface.co/x", environment: ["HTTPS_PROXY": "http://u:p@proxy:3128"])?.address  // "proxy:3128"
/// ```
public struct ProxySetting: Sendable, Equatable {
    /// `host:port` of the proxy (libcurl's default port 1080 when the URL names none).
    public var address: String
    /// The variable it came from, e.g. `HTTPS_PROXY`.
    public var variable: String
    /// Whether the proxy URL carries a user (and password).
    public var hasCredentials: Bool

    public init(address: String, variable: String, hasCredentials: Bool) {
        self.address = address
        self.variable = variable
        self.hasCredentials = hasCredentials
    }

    /// nil when no proxy applies to `url`.
    public init?(for url: String, environment: [String: String]) {
        guard let scheme = url.range(of: "://").map({ url[..<$0.lowerBound].lowercased() }) else { return nil }
        let host = URLText.host(of: url).split(separator: ":").first.map { String($0).lowercased() } ?? ""
        if Self.isExempt(host: host, environment: environment) { return nil }
        var names = ["\(scheme)_proxy"]
        if scheme != "http" { names.append("\(scheme)_proxy".uppercased()) }
        names += ["all_proxy", "ALL_PROXY"]
        guard let variable = names.first(where: { !(environment[$0] ?? "").isEmpty }), let value = environment[variable] else { return nil }
        var rest = Substring(value)
        if let schemeEnd = rest.range(of: "://") { rest = rest[schemeEnd.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        hasCredentials = rest.contains("@")
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let hasPort = rest.hasPrefix("[") ? rest.contains("]:") : rest.contains(":")
        address = hasPort ? String(rest) : "\(rest):1080"
        self.variable = variable
    }

    /// `no_proxy` as libcurl reads it: `*`, or hosts and domains (a leading dot optional) separated by commas.
    static func isExempt(host: String, environment: [String: String]) -> Bool {
        guard let list = [environment["no_proxy"], environment["NO_PROXY"]].compactMap({ $0 }).first(where: { !$0.isEmpty }) else { return false }
        for entry in list.split(whereSeparator: { $0 == "," || $0 == " " }) {
            var name = entry.lowercased()
            if name == "*" { return true }
            if name.hasPrefix(".") { name.removeFirst() }
            if let colon = name.lastIndex(of: ":"), !name.contains("]"), name.filter({ $0 == ":" }).count == 1 { name = String(name[..<colon]) }
            if host == name || host.hasSuffix("." + name) { return true }
        }
        return false
    }
}
