import Foundation

/// `HTTPTransport` over libcurl: complete requests and responses, no implicit redirects,
/// `Accept-Encoding: identity` (a compressed answer is decoded anyway), CAs from `TrustStore`, timeouts from each request (connect, and no byte for
/// `timeout` seconds), a `hubkernel/<version>; curl/<version>` User-Agent. Handles are
/// pooled so connections are reused across requests and threads.
///
/// ```swift
/// let transport = CurlTransport()
/// let response = try transport.send(HTTPRequest(method: "HEAD", url: url))
/// ```
public struct CurlTransport: HTTPStreamingTransport {
    /// The product part of the User-Agent.
    public let product: String
    private let pool = HandlePool()

    /// Loads nothing yet: libcurl is loaded by the first request.
    public init(product: String = "hubkernel/0.1") {
        self.product = product
    }

    /// The CAs that TLS certificates are checked against (loads libcurl; decided once per process).
    public var trustStore: TrustStore {
        Self.processTrust.value {
            TrustStore.resolve(environment: ProcessInfo.processInfo.environment, builtInBundle: pool.withHandle { $0.builtInCABundle })
        }
    }
    private static let processTrust = OnceValue<TrustStore>()

    /// The User-Agent sent with every request (loads libcurl).
    public var userAgent: String { "\(product); curl/\(CurlEasy.libraryVersion)" }

    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try requireLibrary(for: request)
        let trust = trustStore
        return try pool.withHandle { easy in
            try unwrap(easy.perform(request, userAgent: userAgent, trust: trust))
        }
    }

    public func stream(_ request: HTTPRequest, range: ByteRange?, into writer: BodyFileWriter,
                       observer: StreamObserver) throws -> HTTPResponse {
        try requireLibrary(for: request)
        let trust = trustStore
        return try pool.withHandle { easy in
            try unwrap(easy.perform(request, userAgent: userAgent, trust: trust, range: range, destination: .file(writer), observer: observer))
        }
    }

    private func requireLibrary(for request: HTTPRequest) throws {
        if let problem = CurlEasy.loadProblem { throw HTTPTransportError(kind: .clientUnavailable, url: request.url, detail: problem) }
    }

    private func unwrap(_ outcome: CurlEasy.Outcome) throws -> HTTPResponse {
        switch outcome {
        case .response(let response): return response
        case .failed(let error): throw error
        }
    }
}

/// Idle easy handles, ready for the next request on any thread.
private final class HandlePool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [CurlEasy] = []
    private let maxIdle = 32

    func withHandle<T>(_ body: (CurlEasy) throws -> T) rethrows -> T {
        let easy = lock.withLock { idle.popLast() } ?? CurlEasy()
        defer { lock.withLock { if idle.count < maxIdle { idle.append(easy) } } }
        return try body(easy)
    }
}

/// A value worked out on first use, then kept for the process.
final class OnceValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?

    func value(_ make: () -> T) -> T {
        lock.withLock {
            if let stored { return stored }
            let made = make()
            stored = made
            return made
        }
    }
}
