import Foundation
import JSONCore

/// Writes messages as LSP frames (`Content-Length: N\r\n\r\n` + N bytes of UTF-8 JSON) to a file descriptor.
///
/// Thread-safe: each frame is written whole under one lock (partial writes and EINTR are retried), so frames from
/// concurrent handlers never interleave. Every message passes `outgoingTextFilter` here (see `RPCMessage.filteringText`),
/// so nothing the server sends can bypass it. After `close()` or a failed write, messages are dropped.
public final class MessageWriter: @unchecked Sendable {
    private let fileDescriptor: Int32
    private let outgoingTextFilter: @Sendable (String) -> String
    private let lock = NSLock()
    private var open = true

    public init(fileDescriptor: Int32, outgoingTextFilter: @escaping @Sendable (String) -> String = { $0 }) {
        self.fileDescriptor = fileDescriptor
        self.outgoingTextFilter = outgoingTextFilter
    }

    /// Filters, encodes and writes `message`; false when it was dropped (closed, or the other end is gone).
    @discardableResult
    public func send(_ message: RPCMessage) -> Bool {
        writeFrame(body: message.filteringText(outgoingTextFilter).json.serialized())
    }

    /// Drops every later message. The file descriptor stays open: it belongs to the caller.
    public func close() {
        lock.withLock { open = false }
    }

    /// Writes one frame around `body` (already filtered).
    func writeFrame(body: [UInt8]) -> Bool {
        var frame = Array("Content-Length: \(body.count)\r\n\r\n".utf8)
        frame.append(contentsOf: body)
        lock.lock()
        defer { lock.unlock() }
        guard open else { return false }
        if !writeAll(frame) { open = false }
        return open
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0, errno == EINTR {
                    continue
                } else if written < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 100)
                } else {
                    return false
                }
            }
            return true
        }
    }
}
