import Foundation

/// Retries with exponential backoff on connection errors, 429 and 5xx, as `huggingface_hub`'s `http_backoff`
/// does (1 s, 2 s, 4 s … capped at 8 s); a 429 that names its window (`RateLimit`, `Retry-After`) waits for it
/// plus a second instead.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A rate limit that resets later than this is not waited for: the error says when it resets.
    public var maxRateLimitWait: Double

    public init(maxRetries: Int = 5, baseDelay: Double = 1, maxDelay: Double = 8, maxRateLimitWait: Double = 600) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRateLimitWait = maxRateLimitWait
    }

    /// No retry: fail fast (the cache may answer instead).
    public static let none = RetryPolicy(maxRetries: 0)

    /// Statuses worth retrying.
    public static func isRetryable(status: Int) -> Bool { [429, 500, 502, 503, 504].contains(status) }

    /// The wait before retry number `attempt` (0-based): the rate limit's window plus a second when the server
    /// named one, else the backoff.
    public func delay(attempt: Int, rateLimit: RateLimit?) -> Double {
        if let rateLimit { return rateLimit.wait }
        return min(maxDelay, baseDelay * pow(2, Double(attempt)))
    }

    /// Sleeps `seconds` in small steps; false if cancelled meanwhile.
    public static func sleep(_ seconds: Double, isCancelled: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if isCancelled() { return false }
            Thread.sleep(forTimeInterval: min(0.05, max(0, deadline.timeIntervalSinceNow)))
        }
        return !isCancelled()
    }
}
