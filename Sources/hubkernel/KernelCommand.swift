import Foundation
import HubMagics
import Jupyter

/// `hubkernel kernel -f CONNECTION_FILE`: serves one Jupyter session until shutdown.
func runKernel(_ arguments: [String], session: MagicSession) -> Int32 {
    if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
        print("Usage: hubkernel kernel -f CONNECTION_FILE\n\nServe one Jupyter session on the connection file's ports until shutdown. Jupyter runs this through the kernelspec (hubkernel install, or the wheel's share/jupyter/kernels/hubkernel); you do not run it by hand.")
        return 0
    }
    guard let flag = arguments.firstIndex(where: { $0 == "-f" || $0 == "--connection-file" }),
          flag + 1 < arguments.count else {
        FileHandle.standardError.write(Data("Usage: hubkernel kernel -f CONNECTION_FILE (Jupyter passes it through the kernelspec's argv)\n".utf8))
        return 2
    }
    do {
        let connection = try ConnectionInfo(contentsOf: arguments[flag + 1])
        let python = session.hostPython()
        let kernel = try Kernel(connection: connection, handler: MagicKernel(session: session),
                                redact: { session.redact($0) }, listeners: InheritedListeners.take(for: connection),
                                subkernel: python, streamFilter: { session.makeStreamFilter() },
                                messageRedactor: { session.redactorSnapshot() },
                                jsonScreen: { session.jsonScreenSnapshot() })
        try kernel.run()
        return 0
    } catch {
        FileHandle.standardError.write(Data(session.redact("hubkernel kernel: \(error)\n").utf8))
        return 1
    }
}

/// `hubkernel install [--user | --sys-prefix | --prefix DIR]`.
func runInstall(_ arguments: [String]) -> Int32 {
    if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
        print("Usage: hubkernel install [--user | --sys-prefix | --prefix DIR]\n\nInstall the Jupyter kernelspec, so that jupyter kernelspec list and the launcher show HubKernel (not needed after pip install of the wheel, which carries it).\n\n  --user        jupyter --data-dir/kernels (the default)\n  --sys-prefix  the active environment: $VIRTUAL_ENV, else sys.prefix of the python3 in PATH\n  --prefix DIR  DIR/share/jupyter/kernels")
        return 0
    }
    do {
        try InstallCommand.run(arguments)
        return 0
    } catch {
        FileHandle.standardError.write(Data("hubkernel install: \(error)\n".utf8))
        return 1
    }
}
