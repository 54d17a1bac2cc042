import Foundation

/// A byte range of a resource, as an HTTP `Range` asks for it: from `start` to `end`
/// inclusive, or to the end of the resource when `end` is nil.
public struct ByteRange: Sendable, Equatable, CustomStringConvertible {
    public var start: Int64
    public var end: Int64?

    public init(start: Int64, end: Int64? = nil) {
        self.start = start
        self.end = end
    }

    /// The value curl takes for `CURLOPT_RANGE`, e.g. `100-199` or `100-`.
    public var curlValue: String { "\(start)-" + (end.map(String.init) ?? "") }
    /// The value of a `Range` header, e.g. `bytes=100-199`.
    public var headerValue: String { "bytes=" + curlValue }
    public var description: String { headerValue }
}

/// What a streaming transfer tells its caller while it runs.
public struct StreamObserver: Sendable {
    /// Called once with the final response status and headers, before any body byte.
    /// Return false to stop the transfer (the call then throws `HTTPStreamAborted.byObserver`).
    public var head: @Sendable (_ status: Int, _ headers: HTTPHeaders) -> Bool
    /// Called at least once a second with the body bytes received so far by this transfer,
    /// even when no byte arrives. Return false to abort (cancellation); curl stops within a second.
    public var progress: @Sendable (_ bytesReceived: Int64) -> Bool

    public init(head: @escaping @Sendable (Int, HTTPHeaders) -> Bool = { _, _ in true },
                progress: @escaping @Sendable (Int64) -> Bool = { _ in true }) {
        self.head = head
        self.progress = progress
    }
}

/// Why a streaming transfer stopped before its end although the server was fine.
public enum HTTPStreamAborted: Error, Sendable, Equatable {
    /// `StreamObserver.progress` returned false (the user interrupted).
    case cancelled
    /// `StreamObserver.head` returned false.
    case byObserver
    /// Writing to the file failed with this `errno` (ENOSPC: disk full, EFBIG: file size limit).
    case writeFailed(errno: Int32)
}

/// A transport that can stream a response body straight into a file.
public protocol HTTPStreamingTransport: HTTPTransport {
    /// Sends `request` (asking for `range` when given) and writes the body of a 2xx response
    /// into `writer` as it arrives. Any other status comes back with its body in memory and
    /// nothing written. The returned response's body is empty for a 2xx.
    /// Throws `HTTPTransportError` (no response, dropped mid-body, stalled) or `HTTPStreamAborted`.
    func stream(_ request: HTTPRequest, range: ByteRange?, into writer: BodyFileWriter,
                observer: StreamObserver) throws -> HTTPResponse
}
