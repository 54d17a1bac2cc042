import Foundation
import Hub
import HubMagics

/// `hubkernel`: the Jupyter kernel, its installer, and the same magics as terminal commands.
let arguments = Array(CommandLine.arguments.dropFirst())
let session = MagicSession.standard(environment: .current, transport: makeTransport())

switch arguments.first {
case "kernel":
    exit(runKernel(Array(arguments.dropFirst()), session: session))
case "serve":
    exit(runServe(Array(arguments.dropFirst()), session: session))
case "remote-kernel":
    exit(runRemoteKernel(Array(arguments.dropFirst()), session: session))
case "install":
    exit(runInstall(Array(arguments.dropFirst())))
case "--version", "-V":
    print("hubkernel \(HubKernelInfo.version)")
case nil, "--help", "-h":
    print(CommandLineRoutes.usage(in: session.registry))
default:
    exit(runCommand(arguments, session: session))
}
