import JSONCore

/// Why a body is not a JSON-RPC message, with the id to answer (nil, sent as `null`, when no valid id could be read).
public struct MessageDecodingError: Error, Sendable, Equatable {
    public var id: RequestID?
    public var error: RPCError
}

extension RPCMessage {
    /// Decodes one message body (UTF-8 JSON).
    ///
    /// Not JSON: -32700 Parse error, id null. Not an object, `jsonrpc` other than `"2.0"`, a bad `id`, `method` or
    /// `params`: -32600 Invalid Request (with the id when it could be read). A batch (a JSON array): -32600, id null.
    /// LSP 3.17 has no batches (its `Message`, `RequestMessage`, `NotificationMessage` are each one JSON object), so a
    /// batch is refused whole, with one error, as JSON-RPC 2.0 answers a batch it cannot take ("rpc call with an empty
    /// Array" → one -32600 with id null); none of its elements runs.
    /// - Throws: `MessageDecodingError`.
    public static func decode(_ body: [UInt8]) throws -> RPCMessage {
        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw MessageDecodingError(id: nil, error: RPCError(code: ErrorCode.parseError, message: "Parse error: \(error)"))
        }
        return try decode(json)
    }

    /// Decodes one message from parsed JSON; see `decode(_:)` for the errors.
    public static func decode(_ json: JSONValue) throws -> RPCMessage {
        func invalid(_ message: String, id: RequestID? = nil) -> MessageDecodingError {
            MessageDecodingError(id: id, error: RPCError(code: ErrorCode.invalidRequest, message: "Invalid Request: \(message)"))
        }
        if case .array = json { throw invalid("batches are not supported (LSP has no batch requests)") }
        guard let object = json.objectValue else { throw invalid("a message must be a JSON object, not \(json.typeName)") }
        let rawID = object["id"]
        let id = rawID.flatMap(RequestID.init(json:))
        guard object["jsonrpc"] == "2.0" else { throw invalid("\"jsonrpc\" must be \"2.0\"", id: id) }

        if let method = object["method"] {
            guard let name = method.stringValue else { throw invalid("\"method\" must be a string", id: id) }
            let params = object["params"] == .null ? nil : object["params"]  // `null` as absent, as Python clients send it
            if let params {
                switch params {
                case .object, .array: break
                default: throw invalid("\"params\" must be an object or an array", id: id)
                }
            }
            guard let rawID else { return .notification(RPCNotification(method: name, params: params)) }
            guard let id else { throw invalid("\"id\" must be an integer or a string, not \(rawID.typeName)") }
            return .request(RPCRequest(id: id, method: name, params: params))
        }

        // A response (to a request the server sent).
        guard let rawID else { throw invalid("a message needs a \"method\" or an \"id\"") }
        guard id != nil || rawID == .null else { throw invalid("\"id\" must be an integer, a string or null") }
        // `"error": null` beside a result, or `"result": null` beside an error, is read as absent (some clients send both).
        let error = object["error"] == .null ? nil : object["error"]
        let result = error != nil && object["result"] == .null ? nil : object["result"]
        switch (result, error) {
        case (let result?, nil):
            return .response(RPCResponse(id: id, outcome: .success(result)))
        case (nil, let error?):
            guard let error = RPCError(json: error) else { throw invalid("\"error\" needs an integer \"code\" and a string \"message\"") }
            return .response(RPCResponse(id: id, outcome: .failure(error)))
        default:
            throw invalid("a response needs exactly one of \"result\" and \"error\"")
        }
    }
}
