import Foundation

/// How to start the kernel HubKernel hosts (Python's ipykernel): a kernelspec's argv with `python` resolved.
///
/// ```swift
/// let spec = SubkernelSpec.find(environment: ProcessInfo.processInfo.environment)
/// spec?.command(connectionFile: "/tmp/k.json")   // ["/venv/bin/python3", "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]
/// spec?.command(connectionFile: "/tmp/k.json", session: "4f1c…")   // … "-f", "/tmp/k.json", "--Session.session=4f1c…"]
/// ```
public struct SubkernelSpec: Sendable, Equatable {
    /// The kernelspec name (`python3`), or nil for the built-in fallback `python3 -m ipykernel_launcher`.
    public var name: String?
    /// Where the kernelspec was found (`…/kernels/python3/kernel.json`), nil for the fallback.
    public var path: String?
    public var displayName: String
    /// The argv template, `{connection_file}` still in it, with `python` already resolved.
    public var argv: [String]
    /// The kernelspec's `env` entries (added to the environment the child gets).
    public var environment: [String: String]
    /// `signal` (SIGINT to the process group) or `message` (`interrupt_request` on control).
    public var interruptMode: String

    /// The variable that names the kernelspec to host; `none` turns the Python side off.
    public static let selectionVariable = "HUBKERNEL_PYTHON_KERNEL"

    /// The command line for a child listening on `connectionFile`. With `session`, an ipykernel is told to put that
    /// session id in its headers (`--Session.session`), so what it sends carries the same session as the messages of
    /// the kernel that relays it (JupyterLab drops a message whose session differs from the last one it received).
    public func command(connectionFile: String, session: String? = nil) -> [String] {
        let filled = argv.map { $0.replacingOccurrences(of: "{connection_file}", with: connectionFile) }
        guard let session, runsIPykernel else { return filled }
        return filled + ["--Session.session=" + session]
    }

    /// Whether the command starts ipykernel (`-m ipykernel_launcher`, `-m ipykernel`, or its launcher script), whose
    /// command line takes traitlets options; a command that starts anything else is left as it is.
    public var runsIPykernel: Bool {
        let modules = ["ipykernel_launcher", "ipykernel"]
        let afterModuleFlag = zip(argv, argv.dropFirst()).contains { $0 == "-m" && modules.contains($1) }
        return afterModuleFlag || argv.dropFirst().contains { $0.hasSuffix("/ipykernel_launcher.py") }
    }

    /// The interpreter the command runs (argv[0]).
    public var executable: String { argv.first ?? "" }

    /// Why no spec could be chosen.
    public enum LookupError: Error, Sendable, Equatable, CustomStringConvertible {
        case disabled
        case notFound(name: String, searched: [String])
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .disabled:
                return "the Python side is off (\(SubkernelSpec.selectionVariable)=none): unset it to run Python lines"
            case .notFound(let name, let searched):
                return "no kernelspec named '\(name)' (\(SubkernelSpec.selectionVariable)) in \(searched.joined(separator: ", ")): "
                    + "run `jupyter kernelspec list` to see the names, or unset \(SubkernelSpec.selectionVariable) to use python3"
            case .unreadable(let path, let reason):
                return "the kernelspec \(path) cannot be used (\(reason)): fix or remove it"
            }
        }
    }

    /// The spec Jupyter itself would start for Python: `$HUBKERNEL_PYTHON_KERNEL` if set, else the `python3`
    /// kernelspec in Jupyter's search order, else `python3 -m ipykernel_launcher -f {connection_file}`.
    /// `python`, `python3` and `python3.X` as argv[0] become the interpreter of the environment HubKernel is
    /// installed in (`executableDirectory/python3`, the wheel's `bin/`) when it has one, as jupyter_client
    /// replaces them with its own `sys.executable`.
    public static func find(environment: [String: String],
                            executableDirectory: String? = SubkernelSpec.currentExecutableDirectory) throws -> SubkernelSpec {
        let requested = environment[selectionVariable].flatMap { $0.isEmpty ? nil : $0 }
        if requested?.lowercased() == "none" { throw LookupError.disabled }
        let name = requested ?? "python3"
        let directories = kernelDirectories(environment: environment, executableDirectory: executableDirectory)
        let python = interpreter(environment: environment, executableDirectory: executableDirectory)
        for directory in directories {
            let path = directory + "/" + name + "/kernel.json"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            return try read(path: path, name: name, python: python)
        }
        if requested != nil { throw LookupError.notFound(name: name, searched: directories) }
        return SubkernelSpec(name: nil, path: nil, displayName: "Python 3 (ipykernel)",
                             argv: [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                             environment: [:], interruptMode: "signal")
    }

    private static func read(path: String, name: String, python: String) throws -> SubkernelSpec {
        let object: [String: JSONValue]
        do {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            guard let parsed = try JSONValue.parse(bytes).objectValue else { throw LookupError.unreadable(path: path, reason: "not a JSON object") }
            object = parsed
        } catch let error as LookupError {
            throw error
        } catch {
            throw LookupError.unreadable(path: path, reason: "\(error)")
        }
        guard let argv = object["argv"]?.arrayValue?.compactMap(\.stringValue), !argv.isEmpty else {
            throw LookupError.unreadable(path: path, reason: "its argv is missing or empty")
        }
        var resolved = argv
        if isBarePython(argv[0]) { resolved[0] = python }
        var variables: [String: String] = [:]
        for (key, value) in object["env"]?.objectValue ?? [:] { if let text = value.stringValue { variables[key] = text } }
        return SubkernelSpec(name: name, path: path, displayName: object["display_name"]?.stringValue ?? name, argv: resolved,
                             environment: variables, interruptMode: object["interrupt_mode"]?.stringValue ?? "signal")
    }

    /// `python`, `python3`, `python3.11`: the names jupyter_client replaces with its own interpreter.
    static func isBarePython(_ command: String) -> Bool {
        guard command.hasPrefix("python") else { return false }
        let version = command.dropFirst("python".count)
        return version.allSatisfy { $0.isNumber || $0 == "." }
    }

    /// `python3` beside HubKernel's executable (the environment the wheel is installed in), else the first
    /// `python3` in `PATH` (as a full path, so `%python` shows which), else plain `python3`.
    static func interpreter(environment: [String: String], executableDirectory: String?) -> String {
        let besides = [executableDirectory.map { $0 + "/python3" }, executableDirectory.map { $0 + "/python" }].compactMap { $0 }
        let inPath = (environment["PATH"] ?? "").split(separator: ":").map { String($0) + "/python3" }
        return (besides + inPath).first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
    }

    /// Jupyter's kernelspec directories in jupyter_core 5's order: `JUPYTER_PATH`, then the user's data directory
    /// and the environment's `share/jupyter` (the environment first when HubKernel runs in a virtual environment),
    /// then `/usr/local/share/jupyter` and `/usr/share/jupyter`.
    static func kernelDirectories(environment: [String: String], executableDirectory: String?) -> [String] {
        var dataDirectories: [String] = (environment["JUPYTER_PATH"] ?? "").split(separator: ":").map(String.init)
        var user: String?
        if let dataDir = environment["JUPYTER_DATA_DIR"], !dataDir.isEmpty {
            user = dataDir
        } else if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            user = xdg + "/jupyter"
        } else if let home = environment["HOME"], !home.isEmpty {
            user = home + "/.local/share/jupyter"
        }
        let prefix = executableDirectory.map { ($0 as NSString).deletingLastPathComponent }
        let environmentData = prefix.map { $0 + "/share/jupyter" }
        let inVirtualEnvironment = prefix.map { FileManager.default.fileExists(atPath: $0 + "/pyvenv.cfg") } ?? false
        let preferEnvironment = environment["JUPYTER_PREFER_ENV_PATH"].map { !["0", "false", "no", "off", ""].contains($0.lowercased()) }
            ?? inVirtualEnvironment
        let middle = preferEnvironment ? [environmentData, user] : [user, environmentData]
        dataDirectories += middle.compactMap { $0 }
        dataDirectories += ["/usr/local/share/jupyter", "/usr/share/jupyter"]
        var seen = Set<String>()
        return dataDirectories.filter { seen.insert($0).inserted }.map { $0 + "/kernels" }
    }

    /// The directory of the running executable (resolved through symlinks), or nil.
    public static var currentExecutableDirectory: String? {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return (path as NSString).deletingLastPathComponent
    }
}
