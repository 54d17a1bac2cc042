import CZeroMQ
import Foundation

/// A libzmq failure: the call that failed and `zmq_strerror`'s text.
public struct ZMQError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let code: Int32

    /// True when the context was shut down: the socket's owner should close it and stop.
    public var isTerminated: Bool { code == ETERM }

    public var description: String {
        "\(operation) failed: \(String(cString: zmq_strerror(code))) (errno \(code))"
    }

    static func last(_ operation: String) -> ZMQError { ZMQError(operation: operation, code: zmq_errno()) }
}

/// One libzmq context. Sockets made from it run until `shutdown()`; `terminate()` waits for them to close.
final class ZMQContext: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init() throws {
        guard let handle = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        self.handle = handle
    }

    /// Whether this libzmq was built with CurveZMQ (libsodium).
    static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// A fresh CurveZMQ key pair, Z85-encoded (40 characters each).
    static func curveKeyPair() throws -> (publicKey: String, secretKey: String) {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return (String(decoding: publicKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self),
                String(decoding: secretKey.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Makes every blocking call on this context's sockets fail with `ETERM`.
    func shutdown() { zmq_ctx_shutdown(handle) }

    /// Waits until every socket is closed (and lingering messages are sent), then frees the context.
    func terminate() {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    fileprivate func makeSocket(_ type: Int32) throws -> UnsafeMutableRawPointer {
        guard let socket = zmq_socket(handle, type) else { throw ZMQError.last("zmq_socket") }
        return socket
    }
}

/// The socket kinds the kernel and its tests use.
enum ZMQSocketType {
    case router, dealer, xpub, sub, rep, req, push, pull

    var rawValue: Int32 {
        switch self {
        case .router: return ZMQ_ROUTER
        case .dealer: return ZMQ_DEALER
        case .xpub: return ZMQ_XPUB
        case .sub: return ZMQ_SUB
        case .rep: return ZMQ_REP
        case .req: return ZMQ_REQ
        case .push: return ZMQ_PUSH
        case .pull: return ZMQ_PULL
        }
    }
}

/// A libzmq socket: the only owner of its C pointer. Not thread-safe: one thread uses it at a time
/// (hand it over with a lock or a thread start, which are full memory barriers).
final class ZMQSocket: @unchecked Sendable {
    private var handle: UnsafeMutableRawPointer?

    init(context: ZMQContext, type: ZMQSocketType) throws {
        handle = try context.makeSocket(type.rawValue)
    }

    deinit { close() }

    /// Closes the socket (idempotent). Pending messages are kept for the linger period.
    func close() {
        if let handle { zmq_close(handle) }
        handle = nil
    }

    func live(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(operation: operation, code: ENOTSOCK) }
        return handle
    }

    func setOption(_ option: Int32, _ value: Int32) throws {
        var value = value
        guard zmq_setsockopt(try live("zmq_setsockopt"), option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func setOption(_ option: Int32, int64 value: Int64) throws {
        var value = value
        guard zmq_setsockopt(try live("zmq_setsockopt"), option, &value, MemoryLayout<Int64>.size) == 0 else {
            throw ZMQError.last("zmq_setsockopt(\(option))")
        }
    }

    func setOption(_ option: Int32, bytes: [UInt8]) throws {
        let socket = try live("zmq_setsockopt")
        let status = bytes.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
        guard status == 0 else { throw ZMQError.last("zmq_setsockopt(\(option))") }
    }

    /// Makes this socket a CurveZMQ server with the given Z85-encoded (40 character) keys.
    func makeCurveServer(publicKey: String, secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVER, 1)
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8))
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8))
    }

    /// Makes this socket a CurveZMQ client of a server with `serverKey`, using the given key pair.
    func makeCurveClient(serverKey: String, publicKey: String, secretKey: String) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: Array(serverKey.utf8))
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: Array(publicKey.utf8))
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: Array(secretKey.utf8))
    }

    func bind(_ endpoint: String) throws {
        guard zmq_bind(try live("zmq_bind"), endpoint) == 0 else { throw ZMQError.last("zmq_bind(\(endpoint))") }
    }

    func connect(_ endpoint: String) throws {
        guard zmq_connect(try live("zmq_connect"), endpoint) == 0 else {
            throw ZMQError.last("zmq_connect(\(endpoint))")
        }
    }

    /// Sends one multipart message (blocking unless `dontWait`).
    func send(_ frames: [[UInt8]], dontWait: Bool = false) throws {
        let socket = try live("zmq_send")
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            while true {
                let sent = frame.count >= Self.zeroCopyBytes ? ZMQFrame(frame).send(on: socket, flags: flags)
                    : frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, $0.count, flags) }
                if sent >= 0 { break }
                if zmq_errno() != EINTR { throw ZMQError.last("zmq_send") }
            }
        }
    }

    /// Frames this large are handed to libzmq as they are (it releases them when sent) instead of copied:
    /// a 25 MB stream message through the relay is then not held twice.
    static let zeroCopyBytes = 256 * 1024

    /// Receives one multipart message; blocks, or returns nil at once with `dontWait` when none is queued.
    func receive(dontWait: Bool = false) throws -> [[UInt8]]? {
        let socket = try live("zmq_msg_recv")
        var frames: [[UInt8]] = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            let flags: Int32 = dontWait && frames.isEmpty ? ZMQ_DONTWAIT : 0
            if zmq_msg_recv(&message, socket, flags) < 0 {
                let code = zmq_errno()
                if code == EINTR { continue }
                if code == EAGAIN && frames.isEmpty { return nil }
                throw ZMQError(operation: "zmq_msg_recv", code: code)
            }
            let size = zmq_msg_size(&message)
            if size == 0 {
                frames.append([])
            } else {
                let data = zmq_msg_data(&message)!
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// The file descriptor libzmq signals when the socket may have something to do (`ZMQ_FD`): readable means
    /// "look at `hasIncoming`", not "a message is here"; a thread polls it without touching the socket.
    func signalDescriptor() throws -> Int32 {
        var fd: Int32 = -1
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(try live("zmq_getsockopt"), ZMQ_FD, &fd, &size) == 0 else { throw ZMQError.last("zmq_getsockopt(ZMQ_FD)") }
        return fd
    }

    private var signal: Int32?

    /// `signalDescriptor()`, asked once (it stays the same for the socket's life).
    func cachedSignalDescriptor() throws -> Int32 {
        if let signal { return signal }
        let fd = try signalDescriptor()
        signal = fd
        return fd
    }

    /// Whether a message can be received now (`ZMQ_EVENTS`; it also takes in what libzmq signalled meanwhile).
    var hasIncoming: Bool {
        guard let socket = try? live("zmq_getsockopt") else { return false }
        var events: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) == 0 else { return false }
        return events & Int32(ZMQ_POLLIN) != 0
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever) until one of `sockets` can be read, or one of
    /// `descriptors` is readable; returns their readiness, sockets first.
    static func poll(_ sockets: [ZMQSocket], descriptors: [Int32] = [], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = try sockets.map { socket in
            zmq_pollitem_t(socket: try socket.live("zmq_poll"), fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        } + descriptors.map { zmq_pollitem_t(socket: nil, fd: $0, events: Int16(ZMQ_POLLIN), revents: 0) }
        while true {
            let count = items.withUnsafeMutableBufferPointer {
                zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
            }
            if count >= 0 { break }
            if zmq_errno() != EINTR { throw ZMQError.last("zmq_poll") }
        }
        return items.map { $0.revents & Int16(ZMQ_POLLIN) != 0 }
    }
}
