/// Where `hubkernel install` puts the kernelspec, with the same rules as `jupyter kernelspec install`.
public enum KernelspecLocation: Sendable, Equatable {
    /// `jupyter --data-dir`/kernels: `$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else `~/.local/share/jupyter`.
    case user
    /// `sys.prefix/share/jupyter/kernels` of the active environment (`$VIRTUAL_ENV`, else the `python3` in PATH).
    case sysPrefix
    /// `DIR/share/jupyter/kernels`.
    case prefix(String)

    /// Parses `[--user | --sys-prefix | --prefix DIR]` (default `--user`).
    public init(arguments: [String]) throws {
        var location: KernelspecLocation?
        var remaining = arguments[...]
        func set(_ value: KernelspecLocation) throws {
            guard location == nil else { throw KernelspecInstallError.usage("give only one of --user, --sys-prefix, --prefix DIR") }
            location = value
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--user": try set(.user)
            case "--sys-prefix": try set(.sysPrefix)
            case "--prefix":
                guard let directory = remaining.popFirst(), !directory.hasPrefix("--") else {
                    throw KernelspecInstallError.usage("--prefix needs a directory")
                }
                try set(.prefix(directory))
            default:
                if argument.hasPrefix("--prefix=") {
                    try set(.prefix(String(argument.dropFirst("--prefix=".count))))
                } else {
                    throw KernelspecInstallError.usage("unknown option '\(argument)'")
                }
            }
        }
        self = location ?? .user
    }

    /// The `kernels` directory for this location.
    /// - Parameter pythonSysPrefix: asks the `python3` in PATH for `sys.prefix` (only for `.sysPrefix` without `$VIRTUAL_ENV`).
    public func kernelsDirectory(environment: [String: String], pythonSysPrefix: () -> String?) throws -> String {
        switch self {
        case .user:
            if let dataDir = environment["JUPYTER_DATA_DIR"], !dataDir.isEmpty { return dataDir + "/kernels" }
            if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/jupyter/kernels" }
            guard let home = environment["HOME"], !home.isEmpty else {
                throw KernelspecInstallError.noLocation("HOME is not set; use --prefix DIR or set JUPYTER_DATA_DIR")
            }
            return home + "/.local/share/jupyter/kernels"
        case .sysPrefix:
            if let venv = environment["VIRTUAL_ENV"], !venv.isEmpty { return venv + "/share/jupyter/kernels" }
            guard let prefix = pythonSysPrefix(), !prefix.isEmpty else {
                throw KernelspecInstallError.noLocation("no python3 in PATH to ask for sys.prefix; activate the environment or use --prefix DIR")
            }
            return prefix + "/share/jupyter/kernels"
        case .prefix(let directory):
            return directory + "/share/jupyter/kernels"
        }
    }
}

/// Why `hubkernel install` failed.
public enum KernelspecInstallError: Error, Sendable, Equatable, CustomStringConvertible {
    case usage(String)
    case noLocation(String)

    public var description: String {
        switch self {
        case .usage(let detail): return "\(detail).\nUsage: hubkernel install [--user | --sys-prefix | --prefix DIR]"
        case .noLocation(let detail): return "\(detail)."
        }
    }
}
