import CCurl
import Foundation

/// The one wrapper that owns libcurl's pointers: an easy handle, its header list and
/// the callbacks' context. One transfer at a time; reused between transfers so that
/// connections stay alive (`curl_easy_reset` keeps the connection cache).
final class CurlEasy {
    /// Where the body of a response goes.
    enum BodyDestination {
        case memory
        /// 2xx bodies into the writer; other statuses into memory.
        case file(BodyFileWriter)
    }

    /// The outcome of `perform`: a response, or why there is none.
    enum Outcome {
        case response(HTTPResponse)
        case failed(Error)
    }

    /// libcurl's version, e.g. `7.88.1` (loads libcurl).
    static var libraryVersion: String { String(cString: hk_curl_version_number()) }

    /// Why libcurl cannot be used (it is loaded on first use, with `curl_global_init`), nil when it can.
    static var loadProblem: String? { hk_curl_load().map { String(cString: $0) } }

    private let handle: UnsafeMutableRawPointer
    private let state = TransferState()

    /// A new easy handle; `loadProblem` must be nil.
    init() {
        handle = hk_curl_easy_init()
    }

    deinit { hk_curl_easy_cleanup(handle) }

    /// Carries out `request` and reports a complete response (body in memory, or streamed to
    /// a file for a 2xx when `destination` says so). Never follows redirects.
    func perform(_ request: HTTPRequest, userAgent: String, trust: TrustStore, range: ByteRange? = nil,
                 destination: BodyDestination = .memory, observer: StreamObserver = StreamObserver()) -> Outcome {
        hk_curl_easy_reset(handle)
        state.start(destination: destination, observer: observer)
        defer { state.finish() }

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { hk_curl_slist_free_all(headerList) }
        var sawAcceptEncoding = false
        for field in request.headers {
            if field.name.lowercased() == "accept-encoding" { sawAcceptEncoding = true }
            headerList = hk_curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        if !sawAcceptEncoding { headerList = hk_curl_slist_append(headerList, "Accept-Encoding: identity") }
        headerList = hk_curl_slist_append(headerList, "Expect:")

        let context = Unmanaged.passUnretained(state).toOpaque()
        hk_curl_setopt_str(handle, CURLOPT_URL, request.url)
        hk_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        hk_curl_setopt_str(handle, CURLOPT_USERAGENT, userAgent)
        hk_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        hk_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        hk_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        hk_curl_setopt_long(handle, CURLOPT_BUFFERSIZE, request.receiveBufferBytes)
        // The request still says `Accept-Encoding: identity` (its own header wins); this only makes libcurl decode
        // what a proxy compressed anyway, so the bytes hashed and stored are the file's, never the gzip stream.
        hk_curl_setopt_str(handle, CURLOPT_ACCEPT_ENCODING, "")
        if let bundle = trust.bundle { hk_curl_setopt_str(handle, CURLOPT_CAINFO, bundle) }
        if let folder = trust.folder { hk_curl_setopt_str(handle, CURLOPT_CAPATH, folder) }
        hk_curl_setopt_data_cb(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        hk_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
        hk_curl_setopt_data_cb(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        hk_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
        hk_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0)
        hk_curl_setopt_xferinfo_cb(handle, curlProgressCallback)
        hk_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, context)
        if request.timeout > 0 {
            hk_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, request.timeout)
            state.stallLimit = TimeInterval(request.timeout)
            state.stallURL = request.url
        }
        if let range { hk_curl_setopt_str(handle, CURLOPT_RANGE, range.curlValue) }

        switch request.method.uppercased() {
        case "GET": hk_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": hk_curl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case let method:
            if method != "POST" { hk_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, method) }
            if let body = request.body {
                hk_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                body.withUnsafeBytes { bytes in
                    _ = hk_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)))
                }
            } else if method == "POST" {
                hk_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, 0)
                hk_curl_setopt_str(handle, CURLOPT_COPYPOSTFIELDS, "")
            }
        }

        let code = hk_curl_easy_perform(handle)
        if let abort = state.abort { return .failed(abort) }
        var status = 0
        hk_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if code != CURLE_OK || status == 407, let proxy = ProxySetting(for: request.url, environment: ProcessInfo.processInfo.environment) {
            var connectCode = 0
            hk_curl_getinfo_long(handle, CURLINFO_HTTP_CONNECTCODE, &connectCode)
            let value: ProxyConnectResult = code == CURLE_COULDNT_CONNECT ? .couldNotConnect
                : code == CURLE_COULDNT_RESOLVE_PROXY ? .couldNotResolveProxy : .other
            if let failure = proxy.failure(curlCode: value, connectCode: connectCode, status: code == CURLE_OK ? status : 0,
                                           url: request.url, curlText: Self.describe(code)) {
                return .failed(failure)
            }
        }
        guard code == CURLE_OK else {
            var detail = Self.describe(code)
            if Self.kind(of: code) == .untrustedCertificate { detail += "; trusted CAs: \(trust.origin)" }
            return .failed(HTTPTransportError(kind: Self.kind(of: code), url: request.url, detail: detail))
        }
        return .response(HTTPResponse(status: status, headers: state.headers, body: state.body))
    }

    /// The CA bundle this libcurl was built to read (`CURLINFO_CAINFO`), nil when it has none compiled in.
    var builtInCABundle: String? {
        var text: UnsafeMutablePointer<CChar>? = nil
        guard hk_curl_getinfo_str(handle, CURLINFO_CAINFO, &text) == CURLE_OK, let text else { return nil }
        return String(cString: text)
    }

    private static func describe(_ code: CURLcode) -> String {
        guard let text = hk_curl_easy_strerror(code) else { return "curl error \(code.rawValue)" }
        return String(cString: text) + " (curl \(code.rawValue))"
    }

    private static func kind(of code: CURLcode) -> HTTPTransportError.Kind {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY,
             CURLE_SSL_CONNECT_ERROR:
            return .cannotConnect
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .untrustedCertificate
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM:
            return .connectionLost
        default:
            return .other
        }
    }
}

/// What the C callbacks read and fill during one transfer.
private final class TransferState {
    var destination: CurlEasy.BodyDestination = .memory
    var observer = StreamObserver()
    var status = 0
    var headers = HTTPHeaders()
    var headComplete = false
    var headAccepted = true
    var body = Data()
    var received: Int64 = 0
    var abort: Error?
    /// Seconds without any byte (header or body) before the transfer is abandoned; 0: no limit.
    var stallLimit: TimeInterval = 0
    var stallURL = ""
    private var lastActivity = Date()
    private var lastSeen: Int64 = -1

    func start(destination: CurlEasy.BodyDestination, observer: StreamObserver) {
        self.destination = destination
        self.observer = observer
        status = 0
        headers = HTTPHeaders()
        headComplete = false
        headAccepted = true
        body = Data()
        received = 0
        abort = nil
        stallLimit = 0
        lastActivity = Date()
        lastSeen = -1
    }

    func finish() {
        destination = .memory
        observer = StreamObserver()
    }

    /// One header line, `\r\n` included. A status line starts a new response (after a
    /// `100 Continue`); the blank line ends the head.
    func headerLine(_ line: String) -> Bool {
        lastActivity = Date()
        let trimmed = line.trimmingCharacters(in: .newlines)
        if trimmed.hasPrefix("HTTP/") {
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPHeaders()
            headComplete = false
        } else if trimmed.isEmpty {
            guard (100..<200).contains(status) == false else { return true }
            headComplete = true
            headAccepted = observer.head(status, headers)
            if !headAccepted { abort = HTTPStreamAborted.byObserver; return false }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon])
            let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.add(name: name, value: value)
        }
        return true
    }

    func bodyBytes(_ bytes: UnsafeRawBufferPointer) -> Bool {
        received += Int64(bytes.count)
        if case .file(let writer) = destination, (200..<300).contains(status) {
            guard writer.write(bytes) else {
                abort = HTTPStreamAborted.writeFailed(errno: writer.failure)
                return false
            }
        } else if body.count < 1 << 20 {
            body.append(contentsOf: bytes)
        }
        return true
    }

    func progress() -> Bool {
        guard observer.progress(received) else {
            abort = HTTPStreamAborted.cancelled
            return false
        }
        let now = Date()
        if received != lastSeen {
            lastSeen = received
            lastActivity = now
        } else if stallLimit > 0, now.timeIntervalSince(lastActivity) > stallLimit {
            abort = HTTPTransportError(kind: .timedOut, url: stallURL, detail: "no data for \(Int(stallLimit)) s")
            return false
        }
        return true
    }
}

private func curlHeaderCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                                _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    let line = String(decoding: bytes, as: UTF8.self)
    return state.headerLine(line) ? size * count : 0
}

private func curlWriteCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
                               _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return state.bodyBytes(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

private func curlProgressCallback(_ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t,
                                  _ uploadTotal: curl_off_t, _ uploaded: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    return state.progress() ? 0 : 1
}
