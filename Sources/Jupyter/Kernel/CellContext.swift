import Foundation

/// The `ExecutionContext` of one running cell: publishes its outputs with the request as parent
/// and carries its interrupt flag. Thread-safe.
final class CellContext: ExecutionContext, @unchecked Sendable {
    let executionCount: Int
    let allowsStdin: Bool
    private let parent: MessageHeader
    private let identities: [[UInt8]]
    private let publisher: IOPubPublisher
    private let stdin: StdinChannel
    private let lock = NSLock()
    private var interrupted = false
    private var forwarding = false
    private var outputs = 0

    init(executionCount: Int, allowsStdin: Bool, parent: MessageHeader, identities: [[UInt8]],
         publisher: IOPubPublisher, stdin: StdinChannel) {
        self.executionCount = executionCount
        self.allowsStdin = allowsStdin
        self.parent = parent
        self.identities = identities
        self.publisher = publisher
        self.stdin = stdin
    }

    var isInterrupted: Bool { lock.withLock { interrupted } }

    /// How many outputs (streams, displays) the cell has shown so far.
    var outputCount: Int { lock.withLock { outputs } }

    /// Marks the cell interrupted (interrupt_request, SIGINT or shutdown). True when the hosted kernel runs the
    /// cell now and must be interrupted too.
    @discardableResult
    func interrupt() -> Bool { lock.withLock { interrupted = true; return forwarding } }

    /// Whether the hosted kernel runs (the rest of) this cell now.
    func setForwarding(_ value: Bool) { lock.withLock { forwarding = value } }

    func stream(_ text: String, toStandardError: Bool) {
        lock.withLock { outputs += 1 }
        publisher.publish("stream", content: ["name": .string(toStandardError ? "stderr" : "stdout"), "text": .string(text)],
                          parent: parent)
    }

    func display(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String?) {
        lock.withLock { outputs += 1 }
        var content: [String: JSONValue] = ["data": .object(data), "metadata": .object(metadata)]
        content["transient"] = .object(displayID.map { ["display_id": .string($0)] } ?? [:])
        publisher.publish("display_data", content: content, parent: parent)
    }

    func updateDisplay(_ data: MimeBundle, metadata: [String: JSONValue], displayID: String) {
        publisher.publish("update_display_data", content: ["data": .object(data), "metadata": .object(metadata),
                                                           "transient": ["display_id": .string(displayID)]], parent: parent)
    }

    func clearOutput(wait: Bool) {
        publisher.publish("clear_output", content: ["wait": .bool(wait)], parent: parent)
    }

    func input(prompt: String, password: Bool) throws -> String {
        guard allowsStdin else { throw InputError.stdinNotAllowed }
        return try stdin.ask(prompt: prompt, password: password, parent: parent, identities: identities,
                             isInterrupted: { [weak self] in self?.isInterrupted ?? true })
    }
}
