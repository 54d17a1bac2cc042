import Hub
import Jupyter

/// What the running hosted Python's `huggingface_hub.get_token()` resolves, for `%token_source`'s Python row:
/// it can differ from HubKernel's choice after a cell changed `os.environ["HF_TOKEN"]`.
struct PythonTokenCheck {
    /// The token Python resolves (nil: none), or why it could not be asked.
    enum Answer: Equatable {
        case token(String?)
        case notAsked(String)
    }

    /// Asks the running Python (never starts one; waits briefly for one that is starting).
    static func ask(_ python: Subkernel?) -> Answer? {
        guard let python, python.isAvailable else { return nil }
        let expression = "(lambda h: h.get_token() or '')(__import__('huggingface_hub'))"
        guard let results = python.evaluate(expressions: ["token": expression], readyTimeout: 5, timeout: 20),
              let result = results["token"]?.objectValue else {
            return .notAsked("Python is not running yet")
        }
        guard result["status"]?.stringValue == "ok", let repr = result["data"]?["text/plain"]?.stringValue else {
            let reason = result["ename"]?.stringValue == "ModuleNotFoundError" ? "huggingface_hub is not installed in that Python"
                : "Python could not tell (\(result["ename"]?.stringValue ?? "no answer"))"
            return .notAsked(reason)
        }
        let token = unquote(repr)
        return .token(token.isEmpty ? nil : token)
    }

    /// `'abc'` → `abc` (a Python str repr of a token: no escapes in the token alphabet).
    static func unquote(_ repr: String) -> String {
        guard repr.count >= 2, let first = repr.first, first == repr.last, first == "'" || first == "\"" else { return repr }
        return String(repr.dropFirst().dropLast())
    }

    /// The table row (source, set, value, status) and a warning when Python's token is not HubKernel's.
    static func row(_ answer: Answer, winner: String?) -> (cells: [String], warning: String?) {
        let name = "running Python (huggingface_hub.get_token())"
        switch answer {
        case .notAsked(let reason):
            return ([name, "?", "", reason], nil)
        case .token(let token):
            let masked = token.map(TokenText.mask) ?? ""
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
