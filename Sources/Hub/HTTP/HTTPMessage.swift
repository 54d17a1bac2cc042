import Foundation

/// One HTTP request as the engine describes it; a transport (libcurl) carries it out.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Header fields in the order they are sent.
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// Seconds before the transfer is abandoned when no byte arrives (0: no limit).
    public var timeout: Int
    /// The transport's receive buffer for this transfer (many parallel ranges each take a smaller one).
    public var receiveBufferBytes: Int

    public init(method: String = "GET", url: String, headers: [(name: String, value: String)] = [],
                body: Data? = nil, timeout: Int = 10, receiveBufferBytes: Int = 256 << 10) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.receiveBufferBytes = receiveBufferBytes
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }
}

/// Header fields looked up case-insensitively, as HTTP requires.
public struct HTTPHeaders: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(name: String, value: String)] = []) { self.fields = fields }

    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.last { $0.name.lowercased() == wanted }?.value
    }

    public mutating func add(name: String, value: String) { fields.append((name, value)) }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.map { "\($0.name.lowercased()): \($0.value)" } == rhs.fields.map { "\($0.name.lowercased()): \($0.value)" }
    }
}

/// A complete HTTP response (redirects are never followed implicitly).
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Carries requests to a server. The engine depends on this protocol, so tests
/// can answer requests without a network.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the whole response. Throws `HTTPTransportError`
    /// when no response arrived (refused, dropped, timed out).
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

/// Why a request got no HTTP response at all.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `clientUnavailable`: no request can be made at all (libcurl cannot be loaded); retrying cannot help.
    /// `untrustedCertificate`: TLS verification failed (or no CA bundle could be read); retrying cannot help.
    /// `proxyRefused`: the forward proxy answered 407 or 403 (or another 4xx) to CONNECT; retrying cannot help.
    /// `proxyUnreachable`: the forward proxy is not listening or does not resolve. For both, `detail` is the whole message.
    public enum Kind: Sendable, Equatable {
        case cannotConnect, timedOut, connectionLost, clientUnavailable, untrustedCertificate, proxyRefused, proxyUnreachable, other
    }
    public var kind: Kind
    public var url: String
    public var detail: String

    public init(kind: Kind, url: String, detail: String) {
        self.kind = kind
        self.url = url
        self.detail = detail
    }

    /// Whether another try may get an answer (not when libcurl is missing or a certificate is refused).
    public var isWorthRetrying: Bool { ![.clientUnavailable, .untrustedCertificate, .proxyRefused].contains(kind) }

    public var description: String {
        switch kind {
        case .cannotConnect: return "Could not connect to \(url) (\(detail)). Check HF_ENDPOINT and your network."
        case .timedOut: return "\(url) did not answer in time (\(detail)). Retry, or raise HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT."
        case .connectionLost: return "The connection to \(url) was lost (\(detail)). Retry; downloads resume where they stopped."
        case .clientUnavailable, .proxyRefused, .proxyUnreachable: return detail
        case .untrustedCertificate:
            return "The TLS certificate of \(URLText.host(of: url)) is not trusted (\(detail)). If a company proxy inspects TLS or the endpoint "
                + "uses a private CA, set SSL_CERT_FILE to a PEM bundle that holds that CA (or SSL_CERT_DIR to a folder of hashed certificates), then retry."
        case .other: return "Request to \(url) failed: \(detail)"
        }
    }
}
