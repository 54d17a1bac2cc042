import Foundation

/// A received message whose signature is checked and whose header and parent header are read, its metadata, content
/// and buffers still the frames they came in: what the relay forwards as it came when nothing in it is to be masked
/// (only the signature changes), and parses only when it must look inside (`MessageSession.decodeRaw`).
struct RawMessage: @unchecked Sendable {
    /// Routing identities (ROUTER sockets) or topic (iopub) that preceded `<IDS|MSG>`.
    var identities: [ZMQFrame]
    var header: MessageHeader
    var parentHeader: [String: JSONValue]
    /// Header, parent header, metadata and content, as received: the parts the signature covers.
    var signedParts: [ZMQFrame]
    var buffers: [ZMQFrame]
    /// The signature check of a large message, still running on another thread (`MessageSession.confirm`).
    var pendingCheck: PendingSignatureCheck?
    /// The signature it came with, and the signer that checks it (nil: unsigned): a session with the same key forwards
    /// it with this signature instead of computing it again (`MessageSession.forwardedFrames`).
    var signature: ZMQFrame
    var checkedBy: HMACSigner?

    var msgType: String { header.msgType }
    var metadata: ZMQFrame { signedParts[2] }
    var content: ZMQFrame { signedParts[3] }
    /// The parent's `msg_id` ("" for a message without a parent).
    var parentID: String { parentHeader["msg_id"]?.stringValue ?? "" }
}

/// A large message's signature check running on another thread, so that it overlaps the relay's own work on the message
/// (the screen, its new signature): what the message changes is done only once it passed (`MessageSession.confirm`).
final class PendingSignatureCheck: @unchecked Sendable {
    let received: [UInt8]
    private let done = DispatchSemaphore(value: 0)
    private var computed: [UInt8] = []
    private var passed: Bool?
    private let lock = NSLock()

    init(received: [UInt8], signer: HMACSigner, parts: [ZMQFrame]) {
        self.received = received
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            computed = signer.signature { update in for part in parts { part.withUnsafeBytes(update) } }
            done.signal()
        }
    }

    /// Waits for the check; `decide` (called once) turns the expected signature into the verdict, kept for later calls.
    func result(_ decide: ([UInt8]) -> Bool) -> Bool {
        lock.withLock {
            if let passed { return passed }
            done.wait()
            let verdict = decide(computed)
            passed = verdict
            return verdict
        }
    }
}
