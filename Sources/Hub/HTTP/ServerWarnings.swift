import Foundation

/// The Hub's `X-HF-Warning: topic; message` headers, each topic shown once per process, as
/// `huggingface_hub`'s `_warn_on_warning_headers` does (an empty topic is a topic too).
public final class ServerWarnings: @unchecked Sendable {
    public static let shared = ServerWarnings()
    private let lock = NSLock()
    private var shownTopics: Set<String> = []
    private var pending: [String] = []

    /// Keeps the warnings of `headers` whose topic has not been seen yet.
    public func note(_ headers: HTTPHeaders) {
        for field in headers.fields where field.name.lowercased() == "x-hf-warning" {
            let parts = field.value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
            let topic = parts.count == 2 ? parts[0].trimmingCharacters(in: .whitespaces) : ""
            let message = (parts.count == 2 ? parts[1] : parts[0]).trimmingCharacters(in: .whitespaces)
            guard !message.isEmpty else { continue }
            lock.withLock {
                if shownTopics.insert(topic).inserted { pending.append(message) }
            }
        }
    }

    /// The warnings noted since the last call, to show now.
    public func take() -> [String] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
