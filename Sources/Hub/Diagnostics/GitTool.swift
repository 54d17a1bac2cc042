import Foundation

/// The few `git` questions diagnostics ask, answered by running `git` (nil when git is absent).
public enum GitTool {
    /// Runs `git ARGS` in `directory`; (exit status, standard output), or nil if git cannot run.
    public static func run(_ arguments: [String], in directory: String? = nil) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { return nil }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `credential.helper` values of `git config --list`, sorted and unique (`list_credential_helpers`).
    public static func credentialHelpers(in directory: String? = nil) -> [String]? {
        guard let (status, output) = run(["config", "--list"], in: directory), status == 0 else { return nil }
        return parseCredentialHelpers(output)
    }

    static func parseCredentialHelpers(_ output: String) -> [String] {
        var helpers = Set<String>()
        for line in output.split(whereSeparator: \.isNewline) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard trimmed.lowercased().hasPrefix("credential.helper") else { continue }
            let rest = trimmed.dropFirst("credential.helper".count).drop { $0 == " " }
            guard rest.first == "=" else { continue }
            let value = rest.dropFirst().drop { $0 == " " }.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "/" }
            let after = rest.dropFirst().drop { $0 == " " }.dropFirst(value.count)
            if !value.isEmpty, after.isEmpty || after.first!.isWhitespace { helpers.insert(String(value)) }
        }
        return helpers.sorted()
    }

    /// Whether `file` is ignored by git in its folder: true/false, or nil outside a git work tree.
    public static func isIgnored(_ file: String) -> Bool? {
        let folder = FileSystem.parent(of: file)
        guard let (inside, _) = run(["rev-parse", "--is-inside-work-tree"], in: folder), inside == 0,
              let (status, _) = run(["check-ignore", "-q", FileSystem.name(of: file)], in: folder) else { return nil }
        return status == 0
    }
}
