import Foundation
import HubMagics
import JSONRPC

/// `hubkernel serve --stdio`: the backend for the IPython extension, editors and tools (docs/stdio-backend.md).
func runServe(_ arguments: [String], session: MagicSession) -> Int32 {
    if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
        print("Usage: hubkernel serve --stdio\n\nServe HubKernel's magics as JSON-RPC 2.0 with the Language Server Protocol's framing on standard input and output (the IPython extension, %load_ext hubkernel, starts it; so can an editor). Logs go to standard error.")
        return 0
    }
    guard arguments == ["--stdio"] else {
        FileHandle.standardError.write(Data("hubkernel serve: standard input and output are the only transport: run `hubkernel serve --stdio`.\n".utf8))
        return 2
    }
    signal(SIGPIPE, SIG_IGN)
    let output = RPCServer.takeStandardOutput() ?? STDOUT_FILENO
    return HubBackend.serve(session: session, input: STDIN_FILENO, output: output)
}
