import Foundation
import Hub
import JSONCore

/// Keeps the hosted Python's `os.environ` in step with HubKernel's Hub settings: after a magic (`%dotenv`,
/// `%hf_env`, …) changes an `HF_*` variable, the running Python gets the change too, so `huggingface_hub`,
/// `transformers` and `datasets` there use the same cache and identity. (A Python started later gets the whole
/// environment at start.)
final class PythonEnvironmentSync: @unchecked Sendable {
    private let session: MagicSession
    private var lastSeen: [String: String]

    init(session: MagicSession) {
        self.session = session
        lastSeen = Self.relevant(session.environment.variables)
    }

    /// The variables that shape what the Hub libraries do.
    static func relevant(_ variables: [String: String]) -> [String: String] {
        variables.filter { key, _ in
            key.hasPrefix("HF_") || key.hasPrefix("HUGGINGFACE_") || key == "HUGGING_FACE_HUB_TOKEN"
                || key == "ACTIONS_ID_TOKEN_REQUEST_TOKEN" || key == "ACTIONS_ID_TOKEN_REQUEST_URL"
        }
    }

    /// Whether a variable changed since the last look (`pushChanges` would send something).
    var hasChanges: Bool { Self.relevant(session.environment.variables) != lastSeen }

    /// Sends the changes since the last look to the running Python (waits for one that is starting).
    func pushChanges() {
        let now = Self.relevant(session.environment.variables)
        guard now != lastSeen, let python = session.python else { return }
        let removed = lastSeen.keys.filter { now[$0] == nil }.sorted()
        let changed = now.filter { lastSeen[$0.key] != $0.value }
        lastSeen = now
        guard python.isAvailable else { return }
        let payload = JSONValue.object(["set": .object(changed.mapValues(JSONValue.string)),
                                        "unset": .array(removed.map(JSONValue.string))]).serialized()
        let encoded = Data(payload).base64EncodedString()
        let code = """
            def _hubkernel_env(p):
                import base64, json, os
                d = json.loads(base64.b64decode(p))
                os.environ.update(d["set"])
                for k in d["unset"]:
                    os.environ.pop(k, None)
            _hubkernel_env("\(encoded)")
            del _hubkernel_env
            """
        _ = python.evaluate(code: code, readyTimeout: 60)
    }
}
