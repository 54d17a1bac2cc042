import CZeroMQ

/// One ZeroMQ frame in libzmq's own buffer: a received frame is read where it lies and sent on as it is (libzmq
/// shares a large frame's buffer between the messages that carry it), so a 25 MB piece of output crosses the relay
/// without a copy.
final class ZMQFrame: @unchecked Sendable {
    /// Heap-allocated: a small frame's bytes live inside the `zmq_msg_t` itself, so it must not move.
    fileprivate let message: UnsafeMutablePointer<zmq_msg_t>

    /// An empty frame, to receive into.
    fileprivate init() {
        message = .allocate(capacity: 1)
        zmq_msg_init(message)
    }

    /// A frame of `bytes` (a large array is handed to libzmq as it is, a small one copied).
    init(_ bytes: [UInt8]) {
        message = .allocate(capacity: 1)
        if bytes.count >= ZMQSocket.zeroCopyBytes {
            let owner = FrameOwner(bytes)  // keeps the array's storage alive and unmoved until libzmq lets go
            let hint = Unmanaged.passRetained(owner).toOpaque()
            let base = owner.frame.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress!) }
            if zmq_msg_init_data(message, base, bytes.count, { _, hint in
                Unmanaged<FrameOwner>.fromOpaque(hint!).release()
            }, hint) == 0 { return }
            Unmanaged<FrameOwner>.fromOpaque(hint).release()
        }
        zmq_msg_init_size(message, bytes.count)
        bytes.withUnsafeBytes { source in
            if let from = source.baseAddress { zmq_msg_data(message)!.copyMemory(from: from, byteCount: source.count) }
        }
    }

    deinit {
        zmq_msg_close(message)
        message.deallocate()
    }

    var count: Int { zmq_msg_size(message) }

    /// The frame's bytes, in place.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)))
    }

    /// A copy of the frame's bytes.
    var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// Sends the frame's bytes on `socket` (a large frame's buffer shared, not copied); the frame keeps them.
    func send(on socket: UnsafeMutableRawPointer, flags: Int32) -> Int32 {
        var copy = zmq_msg_t()
        zmq_msg_init(&copy)
        zmq_msg_copy(&copy, message)
        let sent = zmq_msg_send(&copy, socket, flags)
        if sent < 0 { zmq_msg_close(&copy) }  // not queued: closing it lets go of the shared buffer
        return sent
    }

    /// Whether the frame holds exactly `other`.
    func equals(_ other: [UInt8]) -> Bool {
        withUnsafeBytes { $0.elementsEqual(other) }
    }

    private final class FrameOwner {
        let frame: [UInt8]
        init(_ frame: [UInt8]) { self.frame = frame }
    }
}

extension ZMQSocket {
    /// Receives one multipart message as frames in libzmq's buffers (no copy); blocks, or returns nil at once with
    /// `dontWait` when none is queued.
    func receiveFrames(dontWait: Bool = false) throws -> [ZMQFrame]? {
        let socket = try live("zmq_msg_recv")
        var frames: [ZMQFrame] = []
        while true {
            let frame = ZMQFrame()
            let flags: Int32 = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(frame.message, socket, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(operation: "zmq_msg_recv", code: code)
            }
            frames.append(frame)
            if zmq_msg_more(frame.message) == 0 { return frames }
        }
    }

    /// Sends `frames` as one multipart message; each keeps its bytes (libzmq shares a large one's buffer, no copy).
    func send(frames: [ZMQFrame], dontWait: Bool = false) throws {
        let socket = try live("zmq_msg_send")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while frame.send(on: socket, flags: flags) < 0 {
                if zmq_errno() != EINTR { throw ZMQError.last("zmq_msg_send") }
            }
        }
    }
}
