import Hub

// Replaced when the libcurl transport lands.
struct PendingTransport: HTTPTransport {
    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        throw HTTPTransportError(kind: .other, url: request.url, detail: "HTTP is not built yet")
    }
}

func makeTransport() -> HTTPTransport { PendingTransport() }
