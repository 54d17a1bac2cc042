import Foundation
import Hub
import Jupyter

/// The one display of a browser login: the verification link and the code while waiting (with a live
/// "expires in M:SS" line), then who is logged in — or why not — in the same place.
enum DeviceLoginView {
    /// The link and the code, as plain lines (also printed once in a terminal, whose live line shows only the last).
    static func instructions(_ device: OAuthClient.DeviceCode) -> String {
        "To log in, open this link in your browser and approve the code:\n    \(device.verificationURIComplete)\nCode: \(device.userCode)"
    }

    static func waiting(_ device: OAuthClient.DeviceCode, secondsLeft: Int) -> RichOutput {
        let status = "waiting for approval · expires in \(DeviceLogin.clock(secondsLeft))"
        let html = page(device, footer: "<p class=\"hubkernel-login-status\"><i>\(HTML.escape(status))</i></p>")
        // For tools (the backend's hub/login): the link and the code, never the device code itself.
        let json: JSONValue = ["state": "waiting", "verification_uri": .string(device.verificationURI),
                               "verification_uri_complete": .string(device.verificationURIComplete),
                               "user_code": .string(device.userCode), "expires_in": .number(Double(secondsLeft))]
        return RichOutput(text: instructions(device) + "\n" + status, html: html, json: json)
    }

    static func loggedIn(_ result: AuthService.LoginResult, refreshable: Bool) -> RichOutput {
        let tail = refreshable ? "refreshed automatically before it expires" : "log in again when it expires"
        let text = "Logged in as \(result.info.user) (token \(result.name)) · \(tail)"
        let html = "<div class=\"hubkernel-login\"><p>Logged in as <b>\(HTML.escape(result.info.user))</b> (token <code>"
            + "\(HTML.escape(result.name))</code>) · \(HTML.escape(tail))</p></div>"
        return RichOutput(text: text, html: html, json: .object([
            "user": .string(result.info.user), "token_name": .string(result.name),
            "role": AuthMagicSupport.string(result.info.role?.text), "refreshable": .bool(refreshable),
        ]))
    }

    static func failed(_ device: OAuthClient.DeviceCode, reason: String) -> RichOutput {
        let text = "Not logged in: \(reason)"
        return RichOutput(text: text, html: "<div class=\"hubkernel-login\"><p><b>\(HTML.escape(text))</b></p></div>")
    }

    private static func page(_ device: OAuthClient.DeviceCode, footer: String) -> String {
        "<div class=\"hubkernel-login\"><p>To log in, open this link in your browser and approve the code:</p>"
            + "<p><a href=\"\(HTML.escape(device.verificationURIComplete))\" target=\"_blank\" rel=\"noopener\">"
            + "\(HTML.escape(device.verificationURIComplete))</a></p>"
            + "<p class=\"hubkernel-login-code\" style=\"font-size:1.8em;font-family:monospace;letter-spacing:0.2em;user-select:all\">"
            + "<b>\(HTML.escape(device.userCode))</b></p>\(footer)</div>"
    }
}
