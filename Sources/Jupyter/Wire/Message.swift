/// A decoded Jupyter message (signature already checked).
public struct Message: Sendable, Equatable {
    /// Routing identities (ROUTER sockets) or topic (iopub) that preceded `<IDS|MSG>`.
    public var identities: [[UInt8]]
    public var header: MessageHeader
    /// The parent's header as received (empty for unsolicited messages).
    public var parentHeader: [String: JSONValue]
    public var metadata: [String: JSONValue]
    public var content: [String: JSONValue] {
        didSet { receivedContent = nil }
    }
    public var buffers: [[UInt8]]
    /// The content's JSON exactly as it arrived, while `content` is unchanged: re-sending a relayed message whose
    /// strings the redactor leaves alone reuses these bytes instead of serializing (a 25 MB stream, mostly).
    var receivedContent: [UInt8]?

    public init(identities: [[UInt8]] = [], header: MessageHeader, parentHeader: [String: JSONValue] = [:],
                metadata: [String: JSONValue] = [:], content: [String: JSONValue] = [:], buffers: [[UInt8]] = []) {
        self.identities = identities
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    public var msgType: String { header.msgType }

    public static func == (lhs: Message, rhs: Message) -> Bool {
        lhs.identities == rhs.identities && lhs.header == rhs.header && lhs.parentHeader == rhs.parentHeader
            && lhs.metadata == rhs.metadata && lhs.content == rhs.content && lhs.buffers == rhs.buffers
    }
}
