import Foundation

/// Retries with exponential backoff on connection errors, 429 (honouring `Retry-After`) and
/// 5xx, as `huggingface_hub`'s `http_backoff` does (1 s, 2 s, 4 s … capped at 8 s).
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double

    public init(maxRetries: Int = 5, baseDelay: Double = 1, maxDelay: Double = 8) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// No retry: fail fast (the cache may answer instead).
    public static let none = RetryPolicy(maxRetries: 0)

    /// Statuses worth retrying.
    public static func isRetryable(status: Int) -> Bool { [429, 500, 502, 503, 504].contains(status) }

    /// The wait before retry number `attempt` (0-based): `Retry-After` seconds when the server
    /// gave them (capped), else the backoff.
    public func delay(attempt: Int, retryAfter: String?) -> Double {
        if let retryAfter, let seconds = Double(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            return min(seconds, 60)
        }
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
