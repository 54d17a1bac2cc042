import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The outcome of running a program.
public struct CommandResult: Sendable, Equatable {
    public var status: Int32
    public var output: String

    public init(status: Int32, output: String) {
        self.status = status
        self.output = output
    }
}

/// Runs a program (git) with some standard input. Tests substitute a recording fake.
public protocol CommandRunner: Sendable {
    /// Runs `arguments` (the program first, looked up in `PATH`) in `directory` with `environment`,
    /// feeding `input`; standard error is merged into the output. Throws when it cannot start.
    func run(_ arguments: [String], input: String?, directory: String?, environment: [String: String]) throws -> CommandResult
}

/// A `CommandRunner` that starts real processes.
public struct ProcessCommandRunner: CommandRunner {
    public init() {}

    public func run(_ arguments: [String], input: String?, directory: String?, environment: [String: String]) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        // A program that exits before reading its input must not kill us with SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        if let input { try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
