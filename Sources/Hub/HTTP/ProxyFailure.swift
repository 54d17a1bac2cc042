import Foundation

extension ProxySetting {
    /// The error for a transfer through this proxy that failed at the proxy itself, nil when the proxy is not to
    /// blame. `connectCode` is the proxy's answer to CONNECT (`CURLINFO_HTTP_CONNECTCODE`, 0 when none);
    /// `status` is a plain-http answer's status (a 407 from the proxy when no tunnel is used).
    func failure(curlCode: ProxyConnectResult, connectCode: Int, status: Int = 0, url: String, curlText: String) -> HTTPTransportError? {
        let target = URLText.host(of: url)
        let code = connectCode >= 300 ? connectCode : status == 407 ? 407 : 0
        switch code {
        case 407:
            let advice = hasCredentials
                ? "The user and password in \(variable) were refused: check them"
                : "Put the proxy's user and password in the proxy URL, as \(variable)=http://user:pass@\(address)"
            return HTTPTransportError(kind: .proxyRefused, url: url, detail:
                "The proxy \(address) (from \(variable)) asks for a login (HTTP 407 Proxy Authentication Required). \(advice), then retry.")
        case 400..<500:
            return HTTPTransportError(kind: .proxyRefused, url: url, detail:
                "The proxy \(address) (from \(variable)) refused to open a tunnel to \(target) (HTTP \(code) to CONNECT): it does not "
                + "allow this host. Ask your network admin to allow \(target) through the proxy, or, if \(target) is reachable without "
                + "it, add it to NO_PROXY.")
        case 500..<600:
            return HTTPTransportError(kind: .cannotConnect, url: url, detail:
                "The proxy \(address) (from \(variable)) could not reach \(target) (HTTP \(code) to CONNECT). Retry later; if it "
                + "persists, check the endpoint (HF_ENDPOINT) or ask your network admin.")
        default:
            break
        }
        guard curlCode == .couldNotConnect || curlCode == .couldNotResolveProxy else { return nil }
        let what = curlCode == .couldNotResolveProxy ? "its name does not resolve" : "nothing answers there"
        return HTTPTransportError(kind: .proxyUnreachable, url: url, detail:
            "Could not connect to the proxy \(address) (from \(variable)): \(what) (\(curlText)). Check \(variable) (host and "
            + "port), or unset it if this network needs no proxy; NO_PROXY lists hosts reached without it.")
    }
}

/// The libcurl results that can point at the proxy (kept apart from CCurl so that this file needs no C types).
enum ProxyConnectResult: Equatable {
    case couldNotConnect, couldNotResolveProxy, other
}
