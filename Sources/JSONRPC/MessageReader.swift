import Glibc

/// Reads LSP base-protocol frames (`Content-Length: N\r\n` … `\r\n` then N bytes) from a file descriptor.
///
/// Bad input never crashes or hangs it: a header section above `maxHeaderBytes` is refused as soon as that many bytes
/// arrived without the empty line (nothing more of it is kept), a `Content-Length` above `maxBodyBytes` is refused
/// before its body is read, and end of input anywhere ends the stream cleanly.
///
/// Recovery after a refused header: the reader reports `.malformed` once (the server answers -32700, id null), then
/// resynchronises by dropping bytes up to the next `Content-Length:` (case-insensitive) after the start of the bad
/// header — looking inside the bad header too, so stray bytes before a good header (e.g. the tail of a body whose
/// Content-Length was too small) cost only themselves. When only the charset was wrong, the length is known and
/// exactly the body is skipped. Not thread-safe: one reader thread.
public final class MessageReader {
    /// What `next` found.
    public enum Event: Equatable, Sendable {
        /// One body: exactly Content-Length bytes.
        case message([UInt8])
        /// A header was refused, with why; the reader has resynchronised (see the type's documentation).
        case malformed(String)
        /// End of input (or a read error), possibly in the middle of a frame.
        case endOfInput
        /// `shouldStop` returned true while waiting for input.
        case stopped
    }

    /// 64 KiB: more than any real header, little to hold.
    public static let defaultMaxHeaderBytes = 64 << 10
    /// 256 MiB, as the Jupyter side's largest frame.
    public static let defaultMaxBodyBytes = 256 << 20
    /// How often a wait for input checks `shouldStop`.
    static let pollMilliseconds: Int32 = 100
    private static let contentLengthName = Array("content-length:".utf8)

    let fileDescriptor: Int32
    let maxHeaderBytes: Int
    let maxBodyBytes: Int

    private var buffer: [UInt8] = []
    /// Where unread bytes begin in `buffer`.
    private var start = 0
    /// How many bytes after `start` are known to hold no `\r\n\r\n`.
    private var headerScanned = 0
    /// The length of the body being read, once its header was accepted.
    private var bodyLength: Int?
    /// Bytes still to drop (a body whose header was refused but whose length is known).
    private var skipping = 0
    private var resyncing = false
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    public init(fileDescriptor: Int32, maxHeaderBytes: Int = MessageReader.defaultMaxHeaderBytes,
                maxBodyBytes: Int = MessageReader.defaultMaxBodyBytes) {
        self.fileDescriptor = fileDescriptor
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Blocks until the next frame, a refused header, the end of input, or `shouldStop()` (asked about every 100 ms while waiting).
    public func next(shouldStop: () -> Bool = { false }) -> Event {
        while true {
            if skipping > 0 {
                let dropped = min(skipping, buffer.count - start)
                start += dropped
                skipping -= dropped
                if skipping > 0 {
                    if let event = fill(shouldStop) { return event }
                    continue
                }
            }
            if resyncing {
                if let found = findContentLength(from: start) {
                    start = found
                    resyncing = false
                } else {
                    start = max(start, buffer.count - (MessageReader.contentLengthName.count - 1))
                    if let event = fill(shouldStop) { return event }
                    continue
                }
            }
            if let length = bodyLength {
                guard buffer.count - start >= length else {
                    if let event = fill(shouldStop, expecting: length) { return event }
                    continue
                }
                let body = Array(buffer[start..<(start + length)])
                start += length
                bodyLength = nil
                headerScanned = 0
                return .message(body)
            }
            if let event = readHeader() { return event }
            if bodyLength != nil || resyncing || skipping > 0 { continue }
            if let event = fill(shouldStop) { return event }
        }
    }

    /// Parses the header when its end is in the buffer: sets `bodyLength`, or refuses it. Nil when more bytes are needed.
    private func readHeader() -> Event? {
        let searchFrom = start + max(0, headerScanned - 3)
        guard let end = find([0x0d, 0x0a, 0x0d, 0x0a], from: searchFrom) else {
            headerScanned = buffer.count - start
            if headerScanned > maxHeaderBytes + 3 { return refuse("the header section is larger than \(maxHeaderBytes) bytes") }
            return nil
        }
        guard end - start <= maxHeaderBytes else { return refuse("the header section is larger than \(maxHeaderBytes) bytes") }
        switch FrameHeader.contentLength(of: buffer[start..<end], maxBodyBytes: maxBodyBytes) {
        case .success(let length):
            start = end + 4
            bodyLength = length
            return nil
        case .failure(let failure):
            if let length = failure.bodyLength {
                start = end + 4
                skipping = length
                headerScanned = 0
                return .malformed(failure.reason)
            }
            return refuse(failure.reason)
        }
    }

    private func refuse(_ reason: String) -> Event {
        start += 1
        headerScanned = 0
        resyncing = true
        return .malformed(reason)
    }

    /// Reads more bytes; nil when some arrived, else why not.
    private func fill(_ shouldStop: () -> Bool, expecting length: Int = 0) -> Event? {
        compact()
        if length > 0 { buffer.reserveCapacity(start + min(length, 16 << 20)) }  // a declared length is not yet data
        while true {
            if shouldStop() { return .stopped }
            var descriptor = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, MessageReader.pollMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .endOfInput
            }
            if ready == 0 { continue }
            let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return nil
            }
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            return .endOfInput
        }
    }

    /// Drops consumed bytes once they are most of the buffer (or all of it).
    private func compact() {
        guard start > 0 else { return }
        if start >= buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            start = 0
        } else if start >= 64 << 10, start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
    }

    private func find(_ needle: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= needle.count else { return nil }
        var index = from
        while index <= buffer.count - needle.count {
            if buffer[index] == needle[0], buffer[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// The next `Content-Length:`, in any letter case, at or after `from`.
    private func findContentLength(from: Int) -> Int? {
        let name = MessageReader.contentLengthName
        guard buffer.count - from >= name.count else { return nil }
        var index = from
        while index <= buffer.count - name.count {
            var matched = true
            for offset in 0..<name.count {
                let byte = buffer[index + offset]
                let lowered = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                if lowered != name[offset] {
                    matched = false
                    break
                }
            }
            if matched { return index }
            index += 1
        }
        return nil
    }
}
