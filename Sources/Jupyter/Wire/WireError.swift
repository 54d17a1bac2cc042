/// Why an incoming multipart message was dropped. The kernel logs these to stderr and carries on.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `<IDS|MSG>` delimiter frame.
    case missingDelimiter
    /// Fewer than the five frames after the delimiter (signature, header, parent, metadata, content).
    case tooFewFrames(Int)
    /// The key is set but the signature frame is empty.
    case missingSignature
    /// The signature does not match the key.
    case invalidSignature
    /// The signature was already seen: a replayed message.
    case replayedSignature
    /// A JSON part does not parse, or is not an object.
    case malformedJSON(part: String, reason: String)
    /// The header lacks a required field.
    case missingHeaderField(String)
    /// A JSON part is larger than the kernel accepts.
    case partTooLarge(part: String, bytes: Int)

    public var description: String {
        switch self {
        case .missingDelimiter: return "dropped a message without the <IDS|MSG> delimiter (is the client speaking the Jupyter wire protocol?)"
        case .tooFewFrames(let count): return "dropped a message with \(count) frames after <IDS|MSG>; the protocol needs at least 5"
        case .missingSignature: return "dropped an unsigned message; the connection file has a key, so clients must sign with it"
        case .invalidSignature: return "dropped a message with an invalid signature; check that the client uses this kernel's connection file key"
        case .replayedSignature: return "dropped a replayed message (its signature was already used)"
        case .malformedJSON(let part, let reason): return "dropped a message whose \(part) is not a JSON object (\(reason))"
        case .missingHeaderField(let field): return "dropped a message whose header has no '\(field)'"
        case .partTooLarge(let part, let bytes): return "dropped a message whose \(part) is \(bytes) bytes, above the limit"
        }
    }
}
