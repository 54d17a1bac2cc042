// swift-tools-version:6.0
import PackageDescription

/// HubKernel: a Jupyter kernel for the Hugging Face Hub.
///
/// Layers (see DESIGN.md): `Jupyter` (protocol) and `Hub` (engine) never import
/// each other; only `HubMagics` sees both. Both use `JSONCore` (the JSON value, parser and writer). C libraries are reached through thin
/// `.systemLibrary` targets and one Swift wrapper per library.
let package = Package(
    name: "HubKernel",
    products: [
        .executable(name: "hubkernel", targets: ["hubkernel"]),
        // The token guard for other processes (the IPython extension loads it with ctypes): Swift's runtime
        // linked in, so the library needs nothing but the C library.
        .library(name: "hubguard", type: .dynamic, targets: ["HubGuardLibrary"]),
    ],
    targets: [
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // libcurl is loaded on first use (dlopen), not linked: see Sources/CCurl/CurlLoader.c.
        .target(name: "CCurl"),
        // fork/exec of the hosted Python kernel (process group, parent-death signal): Sources/CProcess/Spawn.c.
        .target(name: "CProcess"),

        .target(name: "JSONCore"),
        // The token guard (masking, shapes, split secrets in streams): no Foundation, so it also builds into the
        // small `hubguard` library the IPython extension loads.
        .target(name: "TokenGuard"),
        .target(name: "HubGuardLibrary", dependencies: ["TokenGuard"], linkerSettings: [.unsafeFlags(["-static-stdlib"])]),
        .target(name: "Jupyter", dependencies: ["JSONCore", "CZeroMQ", "COpenSSL", "CProcess"]),
        .target(name: "Hub", dependencies: ["JSONCore", "TokenGuard", "CCurl", "COpenSSL"]),
        // JSON-RPC 2.0 with the LSP 3.17 base protocol, for `hubkernel serve --stdio`: knows nothing of the Hub.
        .target(name: "JSONRPC", dependencies: ["JSONCore"]),
        .target(name: "HubMagics", dependencies: ["Jupyter", "JSONRPC", "Hub", "TokenGuard"]),
        .executableTarget(name: "hubkernel", dependencies: ["HubMagics", "Jupyter", "JSONRPC", "Hub"]),

        .testTarget(name: "JupyterTests", dependencies: ["Jupyter"]),
        .testTarget(name: "HubTests", dependencies: ["Hub"]),
        .testTarget(name: "TokenGuardTests", dependencies: ["TokenGuard"]),
        .testTarget(name: "HubMagicsTests", dependencies: ["HubMagics", "Hub", "Jupyter", "JSONRPC"]),
        .testTarget(name: "JSONRPCTests", dependencies: ["JSONRPC"]),
    ],
    swiftLanguageModes: [.v5]
)
