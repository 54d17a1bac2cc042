import JSONCore

/// A request's id: LSP allows an integer or a string (`integer | string`).
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case string(String)

    /// Reads an id; nil for anything but an integral number or a string.
    public init?(json: JSONValue) {
        switch json {
        case .string(let value): self = .string(value)
        case .number:
            guard let value = json.intValue else { return nil }
            self = .int(value)
        default: return nil
        }
    }

    public var json: JSONValue {
        switch self {
        case .int(let value): return .number(Double(value))
        case .string(let value): return .string(value)
        }
    }

    public var description: String {
        switch self {
        case .int(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        }
    }
}

/// A `$/progress` token (`integer | string`), the same shape as a request id.
public typealias ProgressToken = RequestID
