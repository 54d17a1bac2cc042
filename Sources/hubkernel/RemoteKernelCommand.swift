import Foundation
import HubMagics
import Jupyter

/// `hubkernel remote-kernel --kernel-id ID --response-address IP:PORT --public-key KEY [--port-range L..H]`: HubKernel
/// as a remote kernel of Enterprise Gateway or gateway_provisioners (launcher protocol version 1).
func runRemoteKernel(_ arguments: [String], session: MagicSession) -> Int32 {
    if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
        print("""
        Usage: hubkernel remote-kernel --kernel-id ID --response-address IP:PORT --public-key KEY [--port-range LOW..HIGH]

        Start HubKernel for a remote-kernel provisioner (gateway_provisioners' distributed provisioner over SSH, Enterprise
        Gateway): pick ports and a key, send them sealed to the server, and relay its interrupt and shutdown signals. The
        kernelspec's argv fills these in ({kernel_id}, {response_address}, {public_key}, {port_range}).
        """)
        return 0
    }
    let log = { (line: String) in FileHandle.standardError.write(Data(session.redact("[hubkernel remote-kernel] \(line)\n").utf8)) }
    do {
        let launcher = RemoteKernelLauncher(arguments: try LauncherArguments(arguments), environment: ProcessInfo.processInfo.environment,
                                            log: log, kernelCommand: { [Bundle.main.executablePath ?? CommandLine.arguments[0], "kernel", "-f", $0] })
        return try launcher.run()
    } catch {
        log("cannot start: \(error)")
        return 2
    }
}
