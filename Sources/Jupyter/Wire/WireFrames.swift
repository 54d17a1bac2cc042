/// A Jupyter message as ZeroMQ frames: `[identities…, <IDS|MSG>, signature, header, parent_header, metadata, content, buffers…]`.
public struct WireFrames: Sendable, Equatable {
    /// The delimiter frame between routing identities and the message.
    public static let delimiter: [UInt8] = Array("<IDS|MSG>".utf8)

    public var identities: [[UInt8]]
    public var signature: [UInt8]
    public var header: [UInt8]
    public var parentHeader: [UInt8]
    public var metadata: [UInt8]
    public var content: [UInt8]
    public var buffers: [[UInt8]]

    public init(identities: [[UInt8]], signature: [UInt8], header: [UInt8], parentHeader: [UInt8],
                metadata: [UInt8], content: [UInt8], buffers: [[UInt8]] = []) {
        self.identities = identities
        self.signature = signature
        self.header = header
        self.parentHeader = parentHeader
        self.metadata = metadata
        self.content = content
        self.buffers = buffers
    }

    /// Splits received frames at the first `<IDS|MSG>`.
    public init(frames: [[UInt8]]) throws {
        guard let split = frames.firstIndex(of: WireFrames.delimiter) else { throw WireError.missingDelimiter }
        let rest = frames[(split + 1)...]
        guard rest.count >= 5 else { throw WireError.tooFewFrames(rest.count) }
        let start = rest.startIndex
        self.init(identities: Array(frames[..<split]), signature: rest[start], header: rest[start + 1],
                  parentHeader: rest[start + 2], metadata: rest[start + 3], content: rest[start + 4],
                  buffers: Array(rest[(start + 5)...]))
    }

    /// The four parts the signature covers, in order.
    public var signedParts: [[UInt8]] { [header, parentHeader, metadata, content] }

    /// The frames to send.
    public var frames: [[UInt8]] {
        identities + [WireFrames.delimiter, signature, header, parentHeader, metadata, content] + buffers
    }
}
