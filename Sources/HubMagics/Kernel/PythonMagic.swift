import Foundation
import Hub
import Jupyter

/// `%python [restart]`: which Python kernel HubKernel hosts and its state; `restart` starts a fresh one.
struct PythonMagic: Magic {
    let spec = MagicSpec(
        name: "python", summary: "Show the Python kernel that runs this notebook's Python lines, or restart it",
        positionals: [.init("ACTION", help: "restart: shut Python down and start a fresh one", optional: true)],
        discussion: "Python lines of a cell go to a real ipykernel that HubKernel starts and owns; every token it would show "
            + "is masked. HUBKERNEL_PYTHON_KERNEL picks its kernelspec by name (none: no Python). Examples: %python, %python restart")

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        guard let python = context.session.python else {
            throw MagicError("NoPython", "There is no hosted Python here: %python works in the HubKernel notebook kernel, not in the terminal.")
        }
        switch arguments.positionals.first {
        case nil: break
        case "restart"?:
            context.output.print("Restarting Python: its variables are gone.\n")
            python.restart()
            _ = python.evaluate(readyTimeout: 120)
        case let other?:
            throw MagicError.usage("%python takes no argument or `restart`, not '\(other)'. Usage: %python [restart]")
        }
        return Self.describe(python.status)
    }

    static func describe(_ status: Subkernel.Status) -> RichOutput {
        var table = Table(columns: ["", ""])
        table.append(["state", stateText(status.state)])
        if let spec = status.spec {
            table.append(["kernelspec", spec.name.map { "\($0) (\(spec.path ?? ""))" } ?? "none found: built-in python3 -m ipykernel_launcher"])
            table.append(["interpreter", spec.executable])
        }
        if let version = status.languageVersion { table.append(["Python", version]) }
        if let implementation = status.implementation, !implementation.isEmpty { table.append(["kernel", implementation]) }
        if let pid = status.pid, status.state == .ready || status.state == .starting { table.append(["process", "pid \(pid)"]) }
        if let seconds = status.startSeconds { table.append(["started in", String(format: "%.1f s", seconds)]) }
        if status.starts > 1 { table.append(["starts", "\(status.starts) in this kernel"]) }
        return RichOutput(text: table.text, html: table.html)
    }

    static func stateText(_ state: Subkernel.State) -> String {
        switch state {
        case .stopped: return "not started"
        case .starting: return "starting"
        case .ready: return "ready"
        case .unavailable(let reason): return "unavailable: \(reason)"
        case .exited(let how): return "ended: Python \(how); the next Python cell starts a fresh one"
        }
    }
}
