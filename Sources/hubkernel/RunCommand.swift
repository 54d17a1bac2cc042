import Foundation
import Hub
import HubMagics

/// Runs a terminal sub-command through its magic; returns the exit status.
func runCommand(_ arguments: [String], session: MagicSession) -> Int32 {
    guard let (magic, words) = CommandLineRoutes.resolve(arguments, in: session.registry) else {
        let known = CommandLineRoutes.routes.map { $0.command.joined(separator: " ") } + ["kernel", "install"]
        let command = CommandLineRoutes.commandWords(arguments)
        let hint = Suggestion.didYouMean(command, in: known)
        FileHandle.standardError.write(Data("hubkernel: unknown command '\(command)'\(hint). Run hubkernel --help.\n".utf8))
        return 2
    }
    Interruption.installHandler()
    let output = TerminalMagicOutput(redact: { session.redact($0) }, cancelled: { Interruption.requested })
    do {
        if var result = try MagicRunner(session: session).run(magic, words: words, output: output) {
            // A help page names the command (`Usage: hubkernel download REPO …`), not the magic.
            if ArgumentParser.asksForHelp(words) { result.text = CommandLineRoutes.terminalWording(result.text) }
            output.show(result)
        }
        return 0
    } catch let error as UserFacingError {
        output.error(name: error.name, message: error.message, helpURL: error.helpURL)
        return error.name == "UsageError" ? 2 : 1
    } catch {
        output.warn("Error: \(error)\n")
        return 1
    }
}

/// Ctrl-C in a terminal command: the first one asks the running work to stop (partial
/// downloads are kept for resume); a second one ends the process at once.
enum Interruption {
    nonisolated(unsafe) private static var count: Int32 = 0

    static var requested: Bool { count > 0 }

    static func installHandler() {
        signal(SIGINT) { _ in
            Interruption.count += 1
            if Interruption.count > 1 { _exit(130) }
        }
    }
}
