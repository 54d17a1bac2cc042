@_exported import JSONCore

/// A display's data keyed by MIME type, e.g. `["text/plain": .string("…"), "text/html": .string("<b>…</b>")]`.
public typealias MimeBundle = [String: JSONValue]
