import Hub
import JSONRPC

/// Errors of the magics as the backend answers them: JSON-RPC error -32803 (RequestFailed) whose message is the words
/// the kernel prints and whose `data` names the kind, the huggingface_hub-style class, the HTTP status and the Hub's
/// request id when there was one, the fix, and the page that helps.
enum BackendError {
    static func rpcError(_ error: Error) -> RPCError {
        if let error = error as? RPCError { return error }
        guard let error = error as? UserFacingError else {
            let message = String(describing: error)
            return RPCError.requestFailed(message, data: ["kind": "other", "name": "Error", "message": .string(message)])
        }
        var data: [String: JSONValue] = ["kind": .string(kind(of: error)), "name": .string(error.name),
                                         "message": .string(error.message), "fix": .string(error.message)]
        if let url = error.helpURL { data["helpURL"] = .string(url) }
        if let hubError = error as? HubError {
            if let status = status(of: hubError.kind) { data["status"] = .number(Double(status)) }
            if let id = hubError.requestID { data["requestId"] = .string(id.value) }
        }
        let code = kind(of: error) == "interrupted" ? ErrorCode.requestCancelled : ErrorCode.requestFailed
        return RPCError(code: code, message: "\(error.name): \(error.message)", data: .object(data))
    }

    /// The kind a client can act on.
    static func kind(of error: UserFacingError) -> String {
        if let error = error as? MagicError {
            switch error.name {
            case "UsageError", "UnknownMagic", "SyntaxError": return "usage"
            case MagicError.interrupted("").name: return "interrupted"
            case "StdinNotAllowedError": return "stdinNotAllowed"
            default: return "other"
            }
        }
        guard let error = error as? HubError else {
            switch error.name {
            case "KeyboardInterrupt": return "interrupted"
            case "LocalTokenNotFoundError": return "unauthorized"
            default: return "other"
            }
        }
        switch error.kind {
        case .gatedRepo(_, _, let authenticated, let message):
            return authenticated && RepoAccess.isPendingRequest(message) ? "pending" : "gated"
        case .invalidToken: return "unauthorized"
        case .http(let status, _, _): return status == 401 ? "unauthorized" : "other"
        case .repoNotFound: return "notFound"
        case .revisionNotFound: return "revisionNotFound"
        case .entryNotFound: return "entryNotFound"
        case .rateLimited: return "rateLimited"
        case .untrustedCertificate: return "untrustedCertificate"
        case .proxy: return "proxy"
        case .unreachable, .clientUnavailable, .localEntryNotFound: return "unreachable"
        case .diskFull: return "diskFull"
        case .checksumMismatch, .sizeMismatch: return "checksum"
        case .cancelled: return "interrupted"
        default: return "other"
        }
    }

    private static func status(of kind: HubError.Kind) -> Int? {
        switch kind {
        case .gatedRepo(_, _, let authenticated, _): return authenticated ? 403 : 401
        case .invalidToken: return 401
        case .http(let status, _, _): return status
        case .repoNotFound, .entryNotFound, .revisionNotFound: return 404
        case .rateLimited: return 429
        default: return nil
        }
    }
}
