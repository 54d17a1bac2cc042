import JSONCore

/// The error codes of JSON-RPC 2.0 and of LSP 3.17 (`ErrorCodes`, `LSPErrorCodes`).
public enum ErrorCode {
    /// The body is not JSON.
    public static let parseError = -32700
    /// The JSON is not a valid request object (or is a batch, which LSP does not have).
    public static let invalidRequest = -32600
    /// No handler for the request's method.
    public static let methodNotFound = -32601
    /// The params do not fit the method.
    public static let invalidParams = -32602
    /// The handler failed with an error that is not an `RPCError`.
    public static let internalError = -32603
    /// A request arrived before `initialize` was answered.
    public static let serverNotInitialized = -32002
    /// LSP's generic code.
    public static let unknownErrorCode = -32001
    /// The request was valid but could not be carried out (LSP 3.17).
    public static let requestFailed = -32803
    /// The server cancelled the request (LSP 3.17).
    public static let serverCancelled = -32802
    /// The content changed while the request ran, so the result is stale.
    public static let contentModified = -32801
    /// The client cancelled the request (`$/cancelRequest`).
    public static let requestCancelled = -32800
}

/// A JSON-RPC error object: what a handler throws to answer with an error.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// -32602: the params do not fit the method.
    public static func invalidParams(_ message: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: ErrorCode.invalidParams, message: message, data: data)
    }

    /// -32803: the request was understood but failed.
    public static func requestFailed(_ message: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: ErrorCode.requestFailed, message: message, data: data)
    }

    /// -32800: answered on `$/cancelRequest`.
    public static let requestCancelled = RPCError(code: ErrorCode.requestCancelled, message: "The request was cancelled.")

    public var description: String { "\(message) (\(code))" }

    /// `{"code": …, "message": …, "data": …}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .number(Double(code)), "message": .string(message)]
        if let data { object["data"] = data }
        return .object(object)
    }

    /// Reads an error object; nil when `code` is not an integer or `message` not a string.
    public init?(json: JSONValue) {
        guard let code = json["code"]?.intValue, let message = json["message"]?.stringValue else { return nil }
        self.init(code: code, message: message, data: json["data"])
    }
}
