import Foundation
import Jupyter

/// `hubkernel install [--user | --sys-prefix | --prefix DIR]`: writes the kernelspec so
/// `jupyter kernelspec list` shows HubKernel, with argv pointing at the absolute path of `hubkernel-launcher` next to
/// this binary (it listens on the ports before hubkernel loads), or of this binary when there is no launcher.
enum InstallCommand {
    static func run(_ arguments: [String]) throws {
        let location = try KernelspecLocation(arguments: arguments)
        let kernels = try location.kernelsDirectory(environment: ProcessInfo.processInfo.environment,
                                                    pythonSysPrefix: pythonSysPrefix)
        let directory = kernels + "/" + Kernelspec.name
        try Kernelspec.install(into: directory, executable: kernelCommand())
        print("Installed kernelspec \(Kernelspec.name) in \(directory)")
    }

    /// `hubkernel-launcher` beside the running binary if it is there, else the running binary.
    static func kernelCommand() -> String {
        let launcher = URL(fileURLWithPath: runningExecutable()).deletingLastPathComponent()
            .appendingPathComponent(Kernelspec.launcherName).path
        return FileManager.default.isExecutableFile(atPath: launcher) ? launcher : runningExecutable()
    }

    /// The absolute, symlink-free path of the running binary.
    static func runningExecutable() -> String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
    }

    /// `sys.prefix` of the `python3` (or `python`) found in PATH, as `jupyter kernelspec install --sys-prefix` would use.
    static func pythonSysPrefix() -> String? {
        for python in ["python3", "python"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [python, "-c", "import sys; print(sys.prefix)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { continue }
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }
}
