import Foundation

/// Turns messages into signed frames and frames into verified messages, as jupyter_client's `Session` does.
/// Thread-safe: every channel thread shares one session (and one replay history).
public final class MessageSession: @unchecked Sendable {
    /// This kernel's session id, put in every outgoing header.
    public let sessionID: String
    public let username: String
    private let signer: HMACSigner?
    private let replayGuard: ReplayGuard
    private let redact: @Sendable (String) -> String
    /// Gives the filter for one message (looked up once per message, not per string), when set.
    private let messageRedactor: (@Sendable () -> (String) -> String)?
    /// Gives, for one message, whether JSON bytes as they are on the wire may hold something `redact` would change.
    private let jsonScreen: (@Sendable () -> (UnsafeRawBufferPointer) -> Bool)?
    /// The largest header / parent / metadata / content part accepted (buffers are not parsed, so not limited).
    let maxJSONPartBytes: Int

    /// - Parameters:
    ///   - key: the connection file's key; empty disables signing and verification, as the spec says.
    ///   - redact: applied to every string in outgoing content and metadata.
    ///   - messageRedactor: when given, gives the filter for one message instead of `redact` (a filter that must check
    ///     what it knows, such as a file's change time, does that once per message).
    ///   - jsonScreen: when given, gives for one message a check of JSON bytes as they are on the wire: false only
    ///     when `redact` would change none of their strings (keys included). A relayed message it clears is
    ///     forwarded as it came, not parsed and rebuilt (`forwardedFrames`); without it, every one is.
    public init(key: String, sessionID: String = UUID().uuidString.lowercased(), username: String = "kernel",
                replayHistory: Int = 1 << 16, maxJSONPartBytes: Int = 64 << 20,
                redact: @escaping @Sendable (String) -> String = { $0 },
                messageRedactor: (@Sendable () -> (String) -> String)? = nil,
                jsonScreen: (@Sendable () -> (UnsafeRawBufferPointer) -> Bool)? = nil) {
        self.sessionID = sessionID
        self.username = username
        signer = key.isEmpty ? nil : HMACSigner(key: Array(key.utf8))
        replayGuard = ReplayGuard(capacity: replayHistory)
        self.redact = redact
        self.messageRedactor = messageRedactor
        self.jsonScreen = jsonScreen
        self.maxJSONPartBytes = maxJSONPartBytes
    }

    /// Verifies and decodes received frames. Throws `WireError` for anything the kernel must drop.
    public func decode(_ rawFrames: [[UInt8]]) throws -> Message {
        let wire = try WireFrames(frames: rawFrames)
        try verify(signature: wire.signature) { update in for part in wire.signedParts { part.withUnsafeBytes(update) } }
        let header = try MessageHeader(json: try object(wire.header, part: "header"))
        var message = Message(identities: wire.identities, header: header,
                              parentHeader: try object(wire.parentHeader, part: "parent_header"),
                              metadata: try object(wire.metadata, part: "metadata"),
                              content: try object(wire.content, part: "content"), buffers: wire.buffers)
        message.receivedContent = wire.content
        return message
    }

    /// Verifies received frames read in place, parsing only the header and parent header (`decode(_:)` parses the
    /// rest when it is needed). Throws `WireError` for anything the kernel must drop. A message whose content is
    /// `overlappingCheckFrom` bytes or more has its signature checked on another thread meanwhile: `confirm` waits
    /// for that check, and `decode(_:)` confirms first.
    func decodeRaw(_ frames: [ZMQFrame], overlappingCheckFrom threshold: Int = .max) throws -> RawMessage {
        guard let split = frames.firstIndex(where: { $0.equals(WireFrames.delimiter) }) else { throw WireError.missingDelimiter }
        guard frames.count - split - 1 >= 5 else { throw WireError.tooFewFrames(frames.count - split - 1) }
        let signed = Array(frames[(split + 2)...(split + 5)])
        let signatureFrame = frames[split + 1]
        let signature = signatureFrame.bytes
        var pending: PendingSignatureCheck?
        if let signer, signed[3].count >= threshold {
            guard !signature.isEmpty else { throw WireError.missingSignature }
            pending = PendingSignatureCheck(received: signature, signer: signer, parts: signed)
        } else {
            try verify(signature: signature) { update in for part in signed { part.withUnsafeBytes(update) } }
        }
        return RawMessage(identities: Array(frames[..<split]),
                          header: try MessageHeader(json: try object(signed[0].bytes, part: "header")),
                          parentHeader: try object(signed[1].bytes, part: "parent_header"),
                          signedParts: signed, buffers: Array(frames[(split + 6)...]), pendingCheck: pending,
                          signature: signatureFrame, checkedBy: signer)
    }

    /// Waits for `raw`'s signature check when it runs on another thread (see `decodeRaw`); throws when it failed.
    func confirm(_ raw: RawMessage) throws {
        guard let pending = raw.pendingCheck else { return }
        var failure: WireError?
        let passed = pending.result { expected in
            guard HMACSigner.constantTimeEquals(pending.received, expected) else {
                failure = .invalidSignature
                return false
            }
            guard replayGuard.admit(pending.received) else {
                failure = .replayedSignature
                return false
            }
            return true
        }
        if !passed { throw failure ?? .invalidSignature }
    }

    /// `raw` with its metadata and content parsed.
    func decode(_ raw: RawMessage) throws -> Message {
        try confirm(raw)
        let content = raw.content.bytes
        var message = Message(identities: raw.identities.map(\.bytes), header: raw.header, parentHeader: raw.parentHeader,
                              metadata: try object(raw.metadata.bytes, part: "metadata"),
                              content: try object(content, part: "content"), buffers: raw.buffers.map(\.bytes))
        message.receivedContent = content
        return message
    }

    /// Frames that forward `raw` as it came (identities, header, parent, metadata, content and buffers the same
    /// bytes, not copied), signed with this session's key (the signature it came with, when it was checked with the
    /// same key: a 50 MB output is hashed once, not twice); nil when its header names another session, its metadata
    /// or content may hold something `redact` would change, or no `jsonScreen` was given: then it must be decoded and
    /// encoded. Send them only once `raw` is confirmed (`confirm`).
    func forwardedFrames(_ raw: RawMessage) -> [ZMQFrame]? {
        guard raw.header.session == sessionID, let screen = jsonScreen?() else { return nil }
        guard !raw.metadata.withUnsafeBytes(screen), !raw.content.withUnsafeBytes(screen) else { return nil }
        let signature: ZMQFrame
        if let signer {
            if let checker = raw.checkedBy, checker.hasSameKey(as: signer) {
                signature = raw.signature
            } else {
                signature = ZMQFrame(signer.signature { update in for part in raw.signedParts { part.withUnsafeBytes(update) } })
            }
        } else {
            signature = ZMQFrame([UInt8]())
        }
        return raw.identities + [ZMQFrame(WireFrames.delimiter), signature] + raw.signedParts + raw.buffers
    }

    /// Checks a received signature over the parts `feed` gives, and that it was not seen before.
    private func verify(signature: [UInt8], _ feed: ((UnsafeRawBufferPointer) -> Void) -> Void) throws {
        guard let signer else { return }
        guard !signature.isEmpty else { throw WireError.missingSignature }
        guard HMACSigner.constantTimeEquals(signature, signer.signature(feed)) else { throw WireError.invalidSignature }
        guard replayGuard.admit(signature) else { throw WireError.replayedSignature }
    }

    private func object(_ bytes: [UInt8], part: String) throws -> [String: JSONValue] {
        guard bytes.count <= maxJSONPartBytes else { throw WireError.partTooLarge(part: part, bytes: bytes.count) }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw WireError.malformedJSON(part: part, reason: String(describing: error))
        }
        guard let object = value.objectValue else { throw WireError.malformedJSON(part: part, reason: "not an object") }
        return object
    }

    private let counterLock = NSLock()
    private var counter = 0

    /// A fresh header for an outgoing message of `msgType`. Message ids are `<session>_<pid>_<n>`, as
    /// ipykernel makes them: unique without a random number per message.
    public func makeHeader(_ msgType: String) -> MessageHeader {
        let number: Int = counterLock.withLock {
            counter += 1
            return counter
        }
        return MessageHeader(msgID: "\(sessionID)_\(processID)_\(number)", msgType: msgType, username: username,
                             session: sessionID, date: ISO8601Timestamp.string())
    }

    private let processID = Int(getpid())

    /// Signed frames for a new message. Content and metadata strings pass through `redact`.
    /// `constant`: content and metadata are the kernel's own constants (a status), which no filter could change, so
    /// they skip `redact`.
    public func encode(_ msgType: String, content: [String: JSONValue], parent: MessageHeader?,
                       metadata: [String: JSONValue] = [:], identities: [[UInt8]] = [],
                       buffers: [[UInt8]] = [], constant: Bool = false) -> [[UInt8]] {
        let message = Message(identities: identities, header: makeHeader(msgType), parentHeader: parent?.json ?? [:],
                              metadata: metadata, content: content, buffers: buffers)
        return encode(message, redacting: !constant)
    }

    /// Members whose string values identify something (a comm, a display, a widget model) and never pass `redact`.
    static let identifierKeys: Set<String> = ["comm_id", "display_id", "model_id"]

    /// Signed frames for `message` (its content and metadata strings, object keys included, pass through `redact`;
    /// the values of `identifierKeys` do not).
    public func encode(_ message: Message) -> [[UInt8]] {
        encode(message, redacting: true)
    }

    private func encode(_ message: Message, redacting: Bool) -> [[UInt8]] {
        let masked: (JSONValue) -> JSONValue
        if redacting {
            let redact = messageRedactor?() ?? self.redact
            masked = { $0.mappingStringsAndKeys(redact, keepingValuesOf: Self.identifierKeys) }
        } else {
            masked = { $0 }
        }
        let redacted = masked(.object(message.content))
        let content: [UInt8]
        if let received = message.receivedContent, redacted == .object(message.content) {
            content = received  // nothing masked: the bytes as they came
        } else {
            content = redacted.serialized()
        }
        let metadata = masked(.object(message.metadata)).serialized()
        var wire = WireFrames(identities: message.identities, signature: [],
                              header: JSONValue.object(message.header.json).serialized(),
                              parentHeader: JSONValue.object(message.parentHeader).serialized(),
                              metadata: metadata, content: content, buffers: message.buffers)
        if let signer { wire.signature = signer.signature(of: wire.signedParts) }
        return wire.frames
    }
}
