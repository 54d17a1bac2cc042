import Foundation

/// The Hub's OAuth endpoints as `huggingface_hub.utils._oauth_device` and `_oidc` call them: the device
/// code (RFC 8628), one poll of the token endpoint, a refresh, and the OIDC token exchange (RFC 8693).
/// Protocol only: no printing, no files, no loops (see `DeviceLogin` and `TokenRefresher`).
///
/// ```swift
/// let oauth = OAuthClient(environment: env, transport: transport)
/// let device = try oauth.requestDeviceCode()   // show device.verificationURIComplete and device.userCode
/// switch try oauth.poll(device) { case .token(let answer): …; case .pending, .slowDown, .inconclusive: … }
/// ```
public struct OAuthClient: Sendable {
    /// `DEVICE_CODE_OAUTH_CLIENT_ID` of huggingface_hub 2.4 (overridden by `HF_DEVICE_CODE_OAUTH_CLIENT_ID`).
    public static let defaultClientID = "26be6b09-91c5-47da-9861-d2d2bb7a7e36"
    static let deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"
    static let exchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let idTokenType = "urn:ietf:params:oauth:token-type:id_token"

    public let environment: HubEnvironment
    public let transport: HTTPTransport

    public init(environment: HubEnvironment, transport: HTTPTransport) {
        self.environment = environment
        self.transport = transport
    }

    public var clientID: String {
        let override = environment.variables["HF_DEVICE_CODE_OAUTH_CLIENT_ID"] ?? ""
        return override.isEmpty ? Self.defaultClientID : override
    }

    public var tokenURL: String { environment.endpoint + "/oauth/token" }

    /// A device authorization, normalised as `request_device_code` does (interval 5 s and 900 s of
    /// validity when the Hub omits them; the complete URI falls back to the plain one).
    public struct DeviceCode: Sendable, Equatable {
        public var deviceCode: String
        public var userCode: String
        public var verificationURI: String
        public var verificationURIComplete: String
        public var interval: Int
        public var expiresIn: Int
    }

    /// A token answer: the access token, and optionally a (rotated) refresh token and a lifetime.
    public struct TokenAnswer: Sendable, Equatable {
        public var accessToken: String
        public var refreshToken: String?
        public var expiresIn: Int?

        public init(accessToken: String, refreshToken: String? = nil, expiresIn: Int? = nil) {
            self.accessToken = accessToken
            self.refreshToken = refreshToken
            self.expiresIn = expiresIn
        }
    }

    /// What one poll of the token endpoint said.
    public enum PollResult: Sendable, Equatable {
        case token(TokenAnswer)
        /// `authorization_pending`: keep waiting.
        case pending
        /// `slow_down`: add 5 s to the interval.
        case slowDown
        /// No usable answer (network error, 5xx, JSON without `error`): keep polling until the code expires.
        case inconclusive
    }

    /// `POST {endpoint}/oauth/device`. Throws `.noDeviceEndpoint` on 404 (a Hub without browser login).
    public func requestDeviceCode() throws -> DeviceCode {
        let url = environment.endpoint + "/oauth/device"
        let response: HTTPResponse
        do {
            response = try transport.send(Self.formRequest(url, ["client_id": clientID], timeout: environment.downloadTimeout))
        } catch {
            throw OAuthError(.deviceCode, "Failed to request a device code from \(url): \(Self.detail(error)). Check HF_ENDPOINT and your network, or use %hf_login --paste.")
        }
        if response.status == 404 { throw OAuthError(.noDeviceEndpoint(url: url), "") }
        guard (200..<300).contains(response.status) else {
            throw OAuthError(.deviceCode, "Failed to request a device code from \(url): HTTP \(response.status). Retry, or use %hf_login --paste.")
        }
        guard let object = Self.object(response.body), let deviceCode = object["device_code"] as? String,
              let userCode = object["user_code"] as? String, let uri = object["verification_uri"] as? String else {
            throw OAuthError(.deviceCode, "\(url) did not answer with a device code. Check that HF_ENDPOINT points at a Hugging Face Hub.")
        }
        let complete = (object["verification_uri_complete"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? uri
        return DeviceCode(deviceCode: deviceCode, userCode: userCode, verificationURI: uri, verificationURIComplete: complete,
                          interval: Self.int(object["interval"]) ?? 5, expiresIn: Self.int(object["expires_in"]) ?? 900)
    }

    /// One poll of `POST {endpoint}/oauth/token` with the device-code grant (`poll_device_token`'s loop body).
    /// Throws on `access_denied`, `expired_token` and any other OAuth error.
    public func poll(_ device: DeviceCode) throws -> PollResult {
        let form = ["grant_type": Self.deviceGrant, "device_code": device.deviceCode, "client_id": clientID]
        guard let response = try? transport.send(Self.formRequest(tokenURL, form, timeout: environment.downloadTimeout)),
              response.status < 500, let object = Self.object(response.body) else { return .inconclusive }
        if let answer = Self.answer(object) { return .token(answer) }
        switch object["error"] as? String {
        case nil: return .inconclusive
        case "authorization_pending": return .pending
        case "slow_down": return .slowDown
        case "expired_token": throw OAuthError(.expired, "The login code expired before it was approved. Run %hf_login again.")
        case "access_denied": throw OAuthError(.denied, "Authorization was denied in the browser. Run %hf_login again to retry.")
        case let code?:
            throw OAuthError(.oauth(code), "OAuth error: \(code) - \(object["error_description"] as? String ?? ""). Run %hf_login again.")
        }
    }

    /// `refresh_access_token`: a new access token for `refreshToken`. Throws `.oauth("invalid_grant")` when
    /// the session expired or was revoked, `.transient` when the Hub could not be asked.
    public func refresh(_ refreshToken: String) throws -> TokenAnswer {
        let form = ["grant_type": "refresh_token", "refresh_token": refreshToken, "client_id": clientID]
        let response: HTTPResponse
        do {
            response = try transport.send(Self.formRequest(tokenURL, form, timeout: environment.downloadTimeout))
        } catch {
            throw OAuthError(.transient, "Failed to refresh access token: \(Self.detail(error))")
        }
        guard let object = Self.object(response.body) else {
            throw OAuthError(.transient, "Failed to parse response from \(tokenURL) (status \(response.status))")
        }
        if let answer = Self.answer(object) { return answer }
        let code = object["error"] as? String
        let text = "Failed to refresh access token: \(code ?? String(response.status)) - \(object["error_description"] as? String ?? "")"
        throw OAuthError(code.map { .oauth($0) } ?? .transient, text)
    }

    /// `exchange_oidc_token`: a Hub token for an OIDC id token, scoped to `resource` (JSON body, RFC 8693).
    public func exchange(idToken: String, resource: String) throws -> TokenAnswer {
        let body: [String: String] = ["grant_type": Self.exchangeGrant, "subject_token_type": Self.idTokenType,
                                      "subject_token": idToken, "resource": resource]
        var request = HTTPRequest(method: "POST", url: tokenURL, timeout: environment.downloadTimeout)
        request.headers = [("user-agent", AuthorizationPolicy.userAgent), ("content-type", "application/json")]
        request.body = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let response: HTTPResponse
        do { response = try transport.send(request) } catch {
            throw OAuthError(.oidc, "The OIDC token exchange at \(tokenURL) failed: \(Self.detail(error)).")
        }
        let object = Self.object(response.body)
        if (200..<300).contains(response.status), let object, let answer = Self.answer(object) { return answer }
        let reason = object.map { [$0["error"] as? String, $0["error_description"] as? String].compactMap { $0 }.joined(separator: ": ") } ?? ""
        throw OAuthError(.oidc, "The Hub refused the OIDC token exchange for resource '\(resource)' (HTTP \(response.status)\(reason.isEmpty ? "" : ": \(reason)")).")
    }

    // MARK: - Wire helpers

    static func formRequest(_ url: String, _ fields: [String: String], timeout: Int) -> HTTPRequest {
        var request = HTTPRequest(method: "POST", url: url, timeout: timeout)
        request.headers = [("user-agent", AuthorizationPolicy.userAgent), ("content-type", "application/x-www-form-urlencoded")]
        request.body = Data(formEncoded(fields).utf8)
        return request
    }

    /// `application/x-www-form-urlencoded`, keys sorted (RFC 3986 unreserved characters kept).
    static func formEncoded(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }.map { key, value in
            (key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key) + "="
                + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    static func object(_ data: Data) -> [String: Any]? { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] }

    static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        return (value as? String).flatMap { Int($0) }
    }

    static func answer(_ object: [String: Any]) -> TokenAnswer? {
        guard let access = object["access_token"] as? String else { return nil }
        return TokenAnswer(accessToken: access, refreshToken: (object["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : $0 },
                           expiresIn: int(object["expires_in"]))
    }

    static func detail(_ error: Error) -> String {
        (error as? HTTPTransportError)?.detail ?? "\(error)"
    }
}

/// A failed device login, refresh or OIDC exchange, with what to do next. Never contains a token.
public struct OAuthError: UserFacingError, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The device code could not be obtained.
        case deviceCode
        /// The Hub has no `/oauth/device` (404): fall back to pasting a token.
        case noDeviceEndpoint(url: String)
        case denied, expired
        /// Another OAuth `error` code (`invalid_grant`: the login session expired or was revoked).
        case oauth(String)
        /// No usable answer (network, 5xx, not JSON): worth retrying later.
        case transient
        /// Anything on the OIDC path (`HF_OIDC_RESOURCE`).
        case oidc
    }

    public var kind: Kind
    private var text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    public var isInvalidGrant: Bool { kind == .oauth("invalid_grant") }

    /// The Hub has no `/oauth/device`: a browser login is impossible there, pasting a token is not.
    public var isMissingDeviceEndpoint: Bool {
        if case .noDeviceEndpoint = kind { return true }
        return false
    }

    public var name: String { kind == .oidc ? "OIDCError" : "DeviceCodeError" }

    public var message: String {
        if case .noDeviceEndpoint(let url) = kind {
            return "\(url) is not available (HTTP 404): this Hub has no browser login. Use %hf_login --paste."
        }
        return text
    }
}
