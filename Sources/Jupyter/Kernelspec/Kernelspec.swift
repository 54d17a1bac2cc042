import Foundation

/// The HubKernel kernelspec (`kernelspec/hubkernel/` in the repository), carried in the binary so
/// `hubkernel install` works from anywhere. `KernelspecTests` checks it against the committed files.
public enum Kernelspec {
    /// The kernel's name: its directory under `kernels/`.
    public static let name = "hubkernel"

    /// The program the kernelspec starts, next to `hubkernel`: it listens on the five ports first, then execs hubkernel.
    public static let launcherName = "hubkernel-launcher"

    /// argv[0] of the kernelspec the wheel installs (`kernelspec/hubkernel/kernel.json`): jupyter_client replaces
    /// `{resource_dir}` with the kernelspec's folder, `PREFIX/share/jupyter/kernels/hubkernel`, so this names
    /// `PREFIX/bin/hubkernel-launcher` whatever the prefix (venv, `--user`, system), activated or not.
    public static let packagedExecutable = "{resource_dir}/../../../../bin/" + launcherName

    /// `kernel.json` for a kernel started as `executable kernel -f {connection_file}`.
    public static func kernelJSON(executable: String) -> JSONValue {
        [
            "argv": [.string(executable), "kernel", "-f", "{connection_file}"],
            "display_name": "HubKernel",
            "language": "hubkernel",
            "interrupt_mode": "message",
            // JupyterLab shows its debugger for a kernelspec that says so (the hosted ipykernel's debugger is relayed).
            "metadata": ["supported_encryption": ["curve"], "debugger": true],
        ]
    }

    /// The logos, by file name (PNG bytes).
    public static let logos: [String: [UInt8]] = [
        "logo-32x32.png": [UInt8](Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAeUlEQVR42u2Xuw0AIQxDmYSakv3HYCHoqJDIBwtzl0gugx8Fwk7ppektd4mumEJgvOYuiFPmJojT5ioIlLkIYrVQSp2Smux2VDdHACwh/g3gPcy6EwBqAIsC4FsA8QpgAPEXUABcDyQUkYwilFLEcopiQlHNKMopegZcYqQ2p71NlwAAAABJRU5ErkJggg==")!),
        "logo-64x64.png": [UInt8](Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAYAAACqaXHeAAAA3ElEQVR42u3bMQ7CMAwF0J6EuSP3PwYXKjMSQqA4jk1epKxN/qvUVo19HMbccT1u18jcMnRbjFnBy0NkBS8HsSp4CYgq4dMRqgVPhagefipCl/BTELqFD0XoGj4EoXv4YYStAb69+Hne387oEKPrTLvzXQB+QtgaYMXGMtcBEP3U7wbwEWFrgAoby1wHAICgT96uAC8IAAAAABC9sawJAAAAAAC8BgEAAABg0T8Bf4QA/AmAcwEAjsYAOB4HoERGkRQAhZJKZRVLK5fXMKFlRtOUtjmNk1pnNU/vMJ7A5VjZ1ocO/AAAAABJRU5ErkJggg==")!),
    ]

    /// Writes the kernelspec into `directory` (created; an existing one is replaced, as `jupyter kernelspec install` does).
    public static func install(into directory: String, executable: String) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory) { try fileManager.removeItem(atPath: directory) }
        try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var json = JSONValue.object(kernelJSON(executable: executable).objectValue!).prettyPrinted()
        json.append(UInt8(ascii: "\n"))
        try Data(json).write(to: URL(fileURLWithPath: directory).appendingPathComponent("kernel.json"))
        for (file, bytes) in logos {
            try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(file))
        }
    }
}
