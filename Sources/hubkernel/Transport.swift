import Hub
import HubMagics

/// The HTTP transport every command and the kernel use: libcurl (loaded by the first request).
func makeTransport() -> HTTPTransport { CurlTransport(product: "hubkernel/\(HubKernelInfo.version)") }
