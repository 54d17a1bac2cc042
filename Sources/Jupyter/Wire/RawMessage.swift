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

    var msgType: String { header.msgType }
    var metadata: ZMQFrame { signedParts[2] }
    var content: ZMQFrame { signedParts[3] }
    /// The parent's `msg_id` ("" for a message without a parent).
    var parentID: String { parentHeader["msg_id"]?.stringValue ?? "" }
}
