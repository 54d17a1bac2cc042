/// The id a server gave a request, for support tickets: `X-Request-Id`, else `X-Amzn-Trace-Id`, else
/// `X-Amz-Cf-Id`, labelled as `huggingface_hub` labels it in its errors.
public struct RequestID: Sendable, Equatable {
    public var label: String
    public var value: String

    public init?(headers: HTTPHeaders) {
        for (name, label) in [("x-request-id", "Request ID"), ("x-amzn-trace-id", "Amzn Trace ID"), ("x-amz-cf-id", "Amz CF ID")] {
            if let value = headers[name], !value.isEmpty {
                self.label = label
                self.value = value
                return
            }
        }
        return nil
    }

    /// `(Request ID: Root=1-…)`.
    public var text: String { "(\(label): \(value))" }
}
