import Foundation

/// What a 429 says about the quota it hit, parsed as `huggingface_hub`'s `parse_ratelimit_headers` and
/// `_parse_retry_after` read it: `RateLimit: "api";r=0;t=41` (quota name, requests left, seconds to the reset),
/// `RateLimit-Policy: "fixed window";"api";q=500;w=300` (requests per window), else `Retry-After: 41`.
public struct RateLimit: Sendable, Equatable {
    /// The quota's name (`api`, `resolvers`, …), nil when only `Retry-After` was given.
    public var quota: String?
    /// Seconds until the window resets (or `Retry-After`).
    public var resetIn: Int
    /// Requests allowed per window, and the window's length in seconds, when the policy says.
    public var limit: Int?
    public var windowSeconds: Int?

    public init(quota: String?, resetIn: Int, limit: Int? = nil, windowSeconds: Int? = nil) {
        self.quota = quota
        self.resetIn = resetIn
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// The rate limit a response names: `RateLimit` with `r=0` first, then `Retry-After` (whole seconds only).
    public init?(headers: HTTPHeaders) {
        if let fields = headers["ratelimit"].flatMap(Self.fields), fields["r"] == 0, let reset = fields["t"] {
            let policy = headers["ratelimit-policy"].flatMap(Self.fields)
            self.init(quota: Self.quotaName(headers["ratelimit"] ?? ""), resetIn: reset,
                      limit: policy?["q"], windowSeconds: policy?["w"])
        } else if let text = headers["retry-after"]?.trimmingCharacters(in: .whitespaces), !text.isEmpty,
                  text.utf8.allSatisfy({ (48...57).contains($0) }), let seconds = Int(text) {
            self.init(quota: nil, resetIn: seconds)
        } else {
            return nil
        }
    }

    /// How long to wait before the next try: the reset plus one second, as `http_backoff` waits.
    public var wait: Double { Double(resetIn) + 1 }

    /// "the 'api' quota (500 requests per 300 s)", or "a quota" when unnamed.
    public var quotaDescription: String {
        var text = quota.map { "the '\($0)' quota" } ?? "a quota"
        if let limit, let windowSeconds { text += " (\(limit) requests per \(windowSeconds) s)" }
        return text
    }

    /// `key=number` pairs of a structured header (`"api";r=0;t=41` → r: 0, t: 41).
    private static func fields(_ text: String) -> [String: Int]? {
        var result: [String: Int] = [:]
        for part in text.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, let number = Int(pair[1]) { result[pair[0]] = number }
        }
        return result.isEmpty ? nil : result
    }

    /// The first quoted word (`"api"`).
    private static func quotaName(_ text: String) -> String? {
        let parts = text.split(separator: "\"", omittingEmptySubsequences: false)
        return parts.count >= 3 && !parts[1].isEmpty ? String(parts[1]) : nil
    }
}
