import Hub

/// The HTTP transport every command and the kernel use: libcurl.
func makeTransport() -> HTTPTransport { CurlTransport() }
