import Hub
import Jupyter

/// What the running hosted Python's `huggingface_hub.get_token()` resolves, for `%token_source`'s Python row:
/// it can differ from HubKernel's choice after a cell changed `os.environ["HF_TOKEN"]`. With `HF_OIDC_RESOURCE`,
/// each process exchanges its own short-lived token (as two Python processes would): not a mismatch.
struct PythonTokenCheck {
    /// The token Python resolves (nil: none) and the OIDC resource in its `os.environ`, or why it could not be asked.
    enum Answer: Equatable {
        case token(String?, oidcResource: String? = nil)
        case notAsked(String)
    }

    /// Asks the running Python (never starts one; waits briefly for one that is starting).
    static func ask(_ python: Subkernel?) -> Answer? {
        guard let python, python.isAvailable else { return nil }
        let expression = "(lambda h: h.get_token() or '')(__import__('huggingface_hub'))"
        let resource = "__import__('os').environ.get('HF_OIDC_RESOURCE') or ''"
        guard let results = python.evaluate(expressions: ["token": expression, "oidc": resource], readyTimeout: 5, timeout: 20),
              let result = results["token"]?.objectValue else {
            return .notAsked("Python is not running yet")
        }
        guard result["status"]?.stringValue == "ok", let repr = result["data"]?["text/plain"]?.stringValue else {
            let reason = result["ename"]?.stringValue == "ModuleNotFoundError" ? "huggingface_hub is not installed in that Python"
                : "Python could not tell (\(result["ename"]?.stringValue ?? "no answer"))"
            return .notAsked(reason)
        }
        let token = unquote(repr)
        let oidc = (results["oidc"]?["data"]?["text/plain"]?.stringValue).map(unquote) ?? ""
        return .token(token.isEmpty ? nil : token, oidcResource: oidc.isEmpty ? nil : oidc)
    }

    /// `'abc'` → `abc` (a Python str repr of a token: no escapes in the token alphabet).
    static func unquote(_ repr: String) -> String {
        guard repr.count >= 2, let first = repr.first, first == repr.last, first == "'" || first == "\"" else { return repr }
        return String(repr.dropFirst().dropLast())
    }

    /// The table row (source, set, value, status) and a warning when Python's token is not HubKernel's.
    static func row(_ answer: Answer, winner: ResolvedToken?) -> (cells: [String], warning: String?) {
        let name = "running Python (huggingface_hub.get_token())"
        switch answer {
        case .notAsked(let reason):
            return ([name, "?", "", reason], nil)
        case .token(let token, let pythonResource):
            let masked = token.map(TokenText.mask) ?? ""
            if case .oidc(let resource)? = winner?.source, token != nil, pythonResource == resource {
                return ([name, "yes", masked, "its own OIDC exchange for \(resource) (one per process)"], nil)
            }
            let winner = winner?.value
            if token == winner {
                return ([name, token == nil ? "no" : "yes", masked, token == nil ? "no token, as here" : "same token as HubKernel's"], nil)
            }
            let warning = "Python's huggingface_hub uses \(token == nil ? "no token" : masked) but HubKernel uses "
                + "\(winner.map(TokenText.mask) ?? "none"): a cell probably changed os.environ; restart Python (%python restart) "
                + "or set the same token in both."
            return ([name, token == nil ? "no" : "yes", masked, "differs from HubKernel's"], warning)
        }
    }
}
