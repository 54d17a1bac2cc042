import Foundation
import HubMagics
import Jupyter

/// `hubkernel kernel -f CONNECTION_FILE`: serves one Jupyter session until shutdown.
func runKernel(_ arguments: [String], session: MagicSession) -> Int32 {
    guard let flag = arguments.firstIndex(where: { $0 == "-f" || $0 == "--connection-file" }),
          flag + 1 < arguments.count else {
        FileHandle.standardError.write(Data("Usage: hubkernel kernel -f CONNECTION_FILE (Jupyter passes it through the kernelspec's argv)\n".utf8))
        return 2
    }
    do {
        let connection = try ConnectionInfo(contentsOf: arguments[flag + 1])
        let kernel = try Kernel(connection: connection, handler: MagicKernel(session: session),
                                redact: { session.redact($0) }, listeners: InheritedListeners.take(for: connection))
        try kernel.run()
        return 0
    } catch {
        FileHandle.standardError.write(Data(session.redact("hubkernel kernel: \(error)\n").utf8))
        return 1
    }
}

/// `hubkernel install [--user | --sys-prefix | --prefix DIR]`.
func runInstall(_ arguments: [String]) -> Int32 {
    do {
        try InstallCommand.run(arguments)
        return 0
    } catch {
        FileHandle.standardError.write(Data("hubkernel install: \(error)\n".utf8))
        return 1
    }
}
