import Foundation

/// A JSON value: message content, metadata and MIME bundles are built from these.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// A display's data keyed by MIME type, e.g. `["text/plain": .string("…"), "text/html": .string("<b>…</b>")]`.
public typealias MimeBundle = [String: JSONValue]
